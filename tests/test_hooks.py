"""The pre-commit hook definition is a tested artefact: valid, selecting the right files, exiting right."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
SAMPLES = REPO / "sample_data"


def hook(hook_id):
    (found,) = [h for h in HOOKS if h["id"] == hook_id]
    return found


def entry_command(entry):
    """The hook's entry as a command: the console script installed beside this Python, else ``python -m``."""
    program, *args = shlex.split(entry)
    script = Path(sys.executable).parent / program
    return [str(script), *args] if script.exists() else [sys.executable, "-m", program, *args]


@pytest.mark.parametrize("name", [".pre-commit-hooks.yaml", ".pre-commit-config.yaml"])
def test_pre_commit_accepts_our_files(name):
    command = "validate-manifest" if name == ".pre-commit-hooks.yaml" else "validate-config"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", command, str(REPO / name)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prep_check_hook_definition():
    h = hook("prep-check")
    assert (h["entry"], h["language"]) == ("prep check --no-stats", "python")
    assert "types" not in h  # identify has no jsonl or xlsx tag: files are chosen by name


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("train.jsonl", True),
        ("data/valid.JSONL", True),
        ("data/x.json", True),
        ("sheet.csv", True),
        ("sheet.tsv", True),
        ("book.xlsx", True),
        ("notes.txt", False),
        ("train.jsonl.bak", False),
        ("data.parquet", False),
        (".prep-baseline.json", False),
        ("data/.prep-baseline.json", False),
        ("data/train.ndjson", True),
        ("book.xlsm", True),
        ("package.json", False),
        ("web/tsconfig.app.json", False),
        ("wandb/run-1/files/wandb-summary.json", False),
    ],
)
def test_hook_selects_data_files_by_name(path, selected):
    assert hook_selects(path) is selected


def hook_selects(path):
    h = hook("prep-check")
    return re.search(h["files"], path) is not None and re.search(h["exclude"], path) is None


#: Paths a dataset repository holds; JSON files hold an array, so only their names can leave them out.
REPOSITORY = [
    "train.jsonl", "data/valid.JSONL", "data/x.json", "data/more.ndjson", "sheet.csv", "sheet.tsv", "sheet.tab",
    "book.xlsx", "book.xlsm", "notes.txt", "README.md", "run.py", ".prep-baseline.json", "data/.prep-baseline.json",
    ".prep/ledger.json", ".vscode/settings.json", ".github/data.json", "wandb/run-1/files/wandb-summary.json",
    "wandb/run-1/files/table.csv", "node_modules/pkg/data.json", "node_modules/pkg/package.json", "web/package.json",
    "package-lock.json", "tsconfig.json", "tsconfig.app.json", "jsconfig.json", "composer.json",
    "checkpoints/trainer_state.json", "schemas/chat.schema.json", "src/__pycache__/x.json", "data/.hidden.jsonl",
]  # fmt: skip


def test_the_hook_takes_what_a_folder_walk_takes(tmp_path):
    """prep check FOLDER and the hook's files/exclude patterns leave out the same paths (README, hook section)."""
    from prep.project.walk import select_files

    for name in REPOSITORY:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("[]\n")
    walked = {Path(f.path).relative_to(tmp_path).as_posix() for f in select_files([tmp_path]).files}
    assert walked == {name for name in REPOSITORY if hook_selects(name)}
    assert "data/x.json" in walked and "web/package.json" not in walked


@pytest.mark.parametrize(
    ("sample", "code"), [(p.name, 1 if "_bad" in p.name else 0) for p in sorted(SAMPLES.glob("*.jsonl"))]
)
def test_hook_entry_over_the_samples(sample, code):
    result = subprocess.run(
        [*entry_command(hook("prep-check")["entry"]), str(SAMPLES / sample)], capture_output=True, text=True
    )
    assert result.returncode == code, result.stdout + result.stderr
    if code:
        assert re.search(rf"{re.escape(sample)}:\d+: P\d{{3}} ", result.stdout)
