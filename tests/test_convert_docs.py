"""The README's section on converting stays true: its commands and its Python run, its codes exist."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest

from prep.issues import CODES
from tests.helpers import REPO

README = (REPO / "README.md").read_text()
SECTION = README[README.index("## Converting spreadsheets and JSON") :]


def blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", SECTION, re.M | re.S)


@pytest.fixture
def in_copy(tmp_path, monkeypatch):
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_commands_run(in_copy, run_prep):
    (commands,) = blocks("sh")
    for command in commands.replace("\\\n", " ").splitlines():
        args = shlex.split(command, comments=True)
        assert args[0] == "prep"
        code, stdout, stderr = run_prep(*args[1:])
        assert code == 0, f"{command}\n{stdout}{stderr}"


def test_the_python_runs(in_copy, capsys):
    (code,) = blocks("python")
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["result"].path.name == "faq.jsonl"  # type: ignore[attr-defined]
    assert (in_copy / "faq.jsonl").is_file()


def test_the_codes_it_names_exist():
    # the README's main table documents every code (tests/test_docs.py)
    assert set(re.findall(r"\bP\d{3}\b", SECTION)) <= set(CODES)
