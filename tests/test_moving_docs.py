"""The README's "Moving off OpenAI" stays true: its commands run, its output is prep's, its codes exist."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest

from prep.issues import CODES
from tests.helpers import REPO

README = (REPO / "README.md").read_text()
SECTION = README[README.index("## Moving off OpenAI") : README.index("## Converting spreadsheets and JSON")]


def block(language):
    (text,) = re.findall(rf"^```{language}\n(.*?)^```", SECTION, re.M | re.S)
    return text


@pytest.fixture
def in_copy(tmp_path, monkeypatch):
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_commands_run_and_what_they_write_passes_its_target(in_copy, run_prep):
    outputs = {}
    for command in block("sh").splitlines():
        args = shlex.split(command, comments=True)
        code, stdout, stderr = run_prep(*args[1:])
        bad = "_bad.jsonl" in command
        assert code == (1 if bad else 0), f"{command}\n{stdout}{stderr}"
        outputs[command] = stdout
    for name, target in (("gemini", "vertex"), ("nova", "nova"), ("trl", "trl"), ("gemini_dpo", "vertex")):
        assert run_prep("check", in_copy / f"{name}.jsonl", "--target", target)[0] == 0


def test_the_output_shown_is_what_prep_prints(in_copy, run_prep):
    code, stdout, _ = run_prep("convert", "sample_data/chat_good.jsonl", "-o", "gemini.jsonl", "--to", "vertex")
    assert code == 0
    for line in block("text").splitlines():
        assert line in stdout.splitlines()


def test_the_table_names_a_command_per_target_and_the_codes_exist():
    for target in ("azure", "together", "fireworks", "bedrock", "vertex", "nova", "trl"):
        assert f"(`{target}`)" in SECTION
    assert set(re.findall(r"\bP\d{3}\b", SECTION)) <= set(CODES)
