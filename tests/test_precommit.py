"""The real pre-commit, in a throw-away dataset repository, with this repository as the hook source.

Slow: pre-commit pip-installs prep into its own environments (the core, and the core with the xlsx extra)
from the package index, so these are the tests that need it; without it they are skipped (deselect them with
``-m "not slow"``). The hook itself then runs with the network closed, as every other test does, and counts
tokens with the rank files shipped inside prep.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, chat

pytestmark = pytest.mark.slow

#: Git without the user's or the system's configuration (hooksPath, signing, templates).
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}
NO_ROLE = {"messages": [{"content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}


def run(*args, cwd, env=None, check=True):
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV, **(env or {})}
    )
    output = result.stdout + result.stderr
    if check and result.returncode:
        raise AssertionError(f"{args} exited {result.returncode}:\n{output}")
    return result.returncode, output


def pre_commit(*args, cwd, env=None, check=True):
    return run(sys.executable, "-m", "pre_commit", *args, cwd=cwd, env=env, check=check)


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> tuple[Path, str]:
    """This repository's working tree, committed in a temporary repository: (path, commit)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    code, listing = run("git", "ls-files", "-co", "--exclude-standard", "-z", cwd=REPO, check=False)
    if code:
        pytest.skip("the tests do not run from a git checkout")
    source = tmp_path_factory.mktemp("hook-source")
    for name in filter(None, listing.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    run("git", "init", "-q", "-b", "main", cwd=source)
    run("git", "add", "-A", cwd=source)
    run("git", "commit", "-q", "-m", "snapshot of the working tree", cwd=source)
    return source, run("git", "rev-parse", "HEAD", cwd=source)[1].strip()


#: Installing needs the package index: these lift the tests' closed proxy for the commands that install.
ONLINE = {"HTTP_PROXY": "", "HTTPS_PROXY": "", "http_proxy": "", "https_proxy": ""}


@pytest.fixture(scope="module")
def package_index(tmp_path_factory) -> None:
    """Skip when pip cannot reach the package index (the tests still pass on a machine without network)."""
    code, out = run(
        sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp_path_factory.mktemp("pip"), "click",
        cwd=REPO, env=ONLINE, check=False,
    )  # fmt: skip
    if code:
        pytest.skip(f"pip cannot reach the package index: {out.strip().splitlines()[-1:]}")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory, hook_source, package_index) -> dict[str, str]:
    """PRE_COMMIT_HOME shared by the module, with the hook environment installed once."""
    home = {"PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}
    repo = _new_repo(tmp_path_factory.mktemp("install"), hook_source)
    pre_commit("install-hooks", cwd=repo, env={**home, **ONLINE})
    return home


def _new_repo(path: Path, hook_source: tuple[Path, str], extra: str = "") -> Path:
    source, rev = hook_source
    run("git", "init", "-q", cwd=path)
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: prep-check\n{extra}"
    )
    return path


@pytest.fixture
def dataset_repo(tmp_path, hook_source, pre_commit_home):
    """A git repository using prep-check, with the hook installed: commit(files) -> (exit code, output)."""
    repo = _new_repo(tmp_path, hook_source)
    pre_commit("install", cwd=repo, env=pre_commit_home)

    def commit(files: dict[str, str]) -> tuple[int, str]:
        for name, text in files.items():
            (repo / name).write_text(text)
        run("git", "add", "-A", cwd=repo)
        return run("git", "commit", "-m", "data", cwd=repo, env=pre_commit_home, check=False)

    commit.repo = repo  # type: ignore[attr-defined]
    return commit


def jsonl(rows) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def good(n, start=0):
    return [chat(f"Question {i}?") for i in range(start, start + n)]


def commits(repo: Path) -> int:
    code, out = run("git", "rev-list", "--count", "HEAD", cwd=repo, check=False)
    return int(out) if code == 0 else 0


def test_bad_jsonl_is_blocked_with_line_numbers(dataset_repo):
    code, out = dataset_repo({"train.jsonl": jsonl([*good(2), NO_ROLE, *good(9, 2), {"about": "x"}])})
    assert code != 0, out
    assert "Check fine-tuning data" in out and "Failed" in out
    assert re.search(r"^train\.jsonl:3: P201 Message has no role", out, re.M), out
    assert re.search(r"^train\.jsonl:13: P108 ", out, re.M), out
    assert commits(dataset_repo.repo) == 0


def test_good_jsonl_passes(dataset_repo):
    code, out = dataset_repo({"train.jsonl": jsonl(good(12)), "notes.txt": "not data\n"})
    assert code == 0, out
    assert re.search(r"Check fine-tuning data\.+Passed", out), out
    assert commits(dataset_repo.repo) == 1


def test_repository_config_changes_the_model(dataset_repo):
    rows = good(12)
    rows[4] = chat("Summarize: " + "hello " * 6000)  # about 6,000 tokens: over 4,096, under 16,385
    strict = '[tool.prep]\nstrict = true\nignore = ["P402", "P302"]\n'
    code, out = dataset_repo({"pyproject.toml": strict, "train.jsonl": jsonl(rows)})
    assert code == 0, out  # the default limit (16,385) holds
    model = strict + 'model = "gpt-3.5-turbo-0613"\n'
    code, out = dataset_repo({"pyproject.toml": model, "train.jsonl": jsonl([*rows, *good(1, 50)])})
    assert code != 0, out
    assert re.search(
        r"^train\.jsonl:5: P301 Example has [\d,]+ tokens, over the 4,096-token limit of "
        r"gpt-3\.5-turbo-0613",
        out,
        re.M,
    ), out
    assert commits(dataset_repo.repo) == 1


# --- the hook's environment is the core; the README's forms work -------------------------------------------------

XLSX = REPO / "sample_data" / "support_tickets.xlsx"
MAPPING = '[tool.prep]\n[[tool.prep.overrides]]\nfiles = ["*.xlsx"]\nsheet = "Tickets"\nmap = {"Customer message" = "user", "Agent reply" = "assistant"}\n'


def test_the_hook_environment_holds_the_core_only(pre_commit_home):
    (python,) = Path(pre_commit_home["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/bin/python")
    probe = "import importlib.util as u; print([m for m in ('openpyxl', 'pandas', 'numpy', 'openai', 'wandb') if u.find_spec(m)])"
    assert run(python, "-c", probe, cwd=REPO)[1].strip() == "[]"


def test_an_xlsx_file_without_the_extra_is_one_sentence(dataset_repo):
    shutil.copy(XLSX, dataset_repo.repo / "tickets.xlsx")
    code, out = dataset_repo({"pyproject.toml": MAPPING})
    assert code != 0 and commits(dataset_repo.repo) == 0
    assert "prep: error: Reading .xlsx files needs openpyxl, which is not installed: " in out
    assert (
        "pip install 'finetune-prep[xlsx]' (in a pre-commit hook: additional_dependencies: ['finetune-prep[xlsx]'])"
        in out
    )


def test_the_xlsx_extra_as_the_readme_adds_it(tmp_path, hook_source, pre_commit_home):
    """``additional_dependencies: ['finetune-prep[xlsx]']``, as the README and the message say, checks workbooks."""
    repo = _new_repo(tmp_path, hook_source, "        additional_dependencies: ['finetune-prep[xlsx]']\n")
    pre_commit("install-hooks", cwd=repo, env={**pre_commit_home, **ONLINE})
    (repo / "pyproject.toml").write_text(MAPPING)
    shutil.copy(XLSX, repo / "tickets.xlsx")
    run("git", "add", "-A", cwd=repo)
    code, out = pre_commit("run", "--all-files", cwd=repo, env=pre_commit_home, check=False)
    assert code == 0, out
    assert re.search(r"Check fine-tuning data\.+Passed", out), out


def test_autoupdate_pins_the_readme_rev_to_a_commit(tmp_path, hook_source):
    """The README's ``rev: main``: ``pre-commit autoupdate`` replaces it with the newest commit (no tag yet)."""
    source, commit = hook_source
    config = tmp_path / ".pre-commit-config.yaml"
    run("git", "init", "-q", cwd=tmp_path)
    config.write_text(f"repos:\n  - repo: {source}\n    rev: main\n    hooks:\n      - id: prep-check\n")
    pre_commit("autoupdate", cwd=tmp_path, env={"PRE_COMMIT_HOME": str(tmp_path / "home")})
    assert f"rev: {commit}" in config.read_text()
