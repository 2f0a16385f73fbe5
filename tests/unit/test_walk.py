"""Which files a run checks: folders walked, .gitignore, exclude, configuration JSON, tool folders.

The rule (README "Which files are data"): a folder stands for the data files below it, and a
repository holds more than data; a file named is always read, unless the configuration excludes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prep.errors import InputError
from prep.project.config import Configs
from prep.project.walk import DataFile, select_files
from prep.reading.kinds import is_configuration
from tests.helpers import chat

EXAMPLE = json.dumps(chat()) + "\n"


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def found(root: Path, configs: Configs | None = None) -> list[str]:
    return [Path(f.path).relative_to(root).as_posix() for f in select_files([root], configs).files]


def test_a_folder_walk_leaves_out_tool_folders_hidden_files_and_text(tmp_path):
    tree(
        tmp_path,
        {
            "train.jsonl": EXAMPLE,
            "sheets/faq.csv": "question,answer\nq,a\n",
            "wandb/run-20240101_000000-abc/files/wandb-summary.json": '{"loss": 0.1}',
            "wandb/run-20240101_000000-abc/files/output.jsonl": EXAMPLE,
            ".prep/ledger.json": "{}",
            ".vscode/settings.json": "{}",
            ".prep-baseline.json": "[]",
            "node_modules/x/data.jsonl": EXAMPLE,
            "__pycache__/x.jsonl": EXAMPLE,
            "venv/pyvenv.cfg": "home = /usr\n",
            "venv/lib/data.jsonl": EXAMPLE,
            "notes.txt": EXAMPLE,
            "README.md": "# data\n",
        },
    )
    assert found(tmp_path) == ["sheets/faq.csv", "train.jsonl"]


@pytest.mark.parametrize(
    ("name", "text", "configuration"),
    [
        ("package.json", '{"name": "x", "files": ["dist"]}', True),
        ("package-lock.json", '{"packages": {"": {}}}', True),
        ("tsconfig.base.json", '{"compilerOptions": {}, // comments are allowed here\n}', True),
        ("trainer_state.json", '{"log_history": [{"epoch": 1, "loss": 0.5}]}', True),  # by name
        ("chat.schema.json", '{"type": "object"}', True),
        ("settings.json", '{"editor.tabSize": 2, "files.exclude": ["*.pyc"]}', True),  # no array of objects
        ("launch.jsonc.json", '{"version": "0.2.0" /* a comment */}', True),  # does not parse: no array starts
        ("faq.json", '[{"question": "q", "answer": "a"}]', False),
        ("export.json", '{"data": [{"question": "q", "answer": "a"}]}', False),
        ("one.json", json.dumps(chat()), False),  # one example
        ("lines.json", EXAMPLE * 2, False),  # JSON Lines saved as .json
        ("broken.json", '{"data": [{"question": "q", "answer": ', False),  # data, cut short: reported, not hidden
    ],
)
def test_configuration_json_is_told_from_data(tmp_path, name, text, configuration):
    path = tmp_path / name
    path.write_text(text)
    assert is_configuration(path) is configuration
    assert found(tree(tmp_path, {"train.jsonl": EXAMPLE})) == sorted(
        ["train.jsonl", *([] if configuration else [name])]
    )


def test_files_named_are_read_whatever_their_name(tmp_path):
    tree(tmp_path, {"package.json": "{}", "notes.txt": EXAMPLE, "wandb/x.jsonl": EXAMPLE})
    named = [tmp_path / "package.json", tmp_path / "notes.txt", tmp_path / "wandb" / "x.jsonl"]
    assert select_files(named).files == [DataFile(str(p)) for p in named]


def test_gitignore_from_the_repository_root_down_with_negation(tmp_path):
    tree(
        tmp_path,
        {
            ".git/info/exclude": "scratch.jsonl\n",
            ".gitignore": "*.csv\n!keep.csv\ncache/\n",
            "data/.gitignore": "/local.jsonl\n",
            "data/train.jsonl": EXAMPLE,
            "data/local.jsonl": EXAMPLE,
            "data/sub/local.jsonl": EXAMPLE,  # /local.jsonl is anchored to data/
            "data/results.csv": "epoch,loss\n1,0.5\n",
            "data/keep.csv": "question,answer\nq,a\n",
            "data/cache/x.jsonl": EXAMPLE,
            "data/scratch.jsonl": EXAMPLE,
        },
    )
    # walking data/ applies the .gitignore above it too, as git does
    assert found(tmp_path / "data") == ["keep.csv", "sub/local.jsonl", "train.jsonl"]


def test_exclude_in_the_configuration_leaves_out_found_and_named_files(tmp_path):
    tree(
        tmp_path,
        {
            "prep.toml": 'exclude = ["results/", "*.tmp.jsonl"]\n',
            "train.jsonl": EXAMPLE,
            "draft.tmp.jsonl": EXAMPLE,
            "results/metrics.csv": "epoch,loss\n1,0.5\n",
        },
    )
    configs = Configs()
    assert found(tmp_path, configs) == ["train.jsonl"]
    selection = select_files([tmp_path / "train.jsonl", tmp_path / "results" / "metrics.csv"], configs)
    assert selection.files == [DataFile(str(tmp_path / "train.jsonl"))]
    assert selection.excluded == [str(tmp_path / "results" / "metrics.csv")]
    assert len(select_files([tmp_path / "results" / "metrics.csv"], Configs(isolated=True)).files) == 1


def test_a_folder_holding_no_data_file_is_one_sentence(tmp_path):
    tree(tmp_path, {"package.json": "{}", "wandb/run/x.jsonl": EXAMPLE, "notes.txt": "hi"})
    with pytest.raises(InputError, match=rf"^No data file in {tmp_path}: a folder stands for the .csv, "):
        select_files([tmp_path])
    with pytest.raises(InputError, match="no such file"):
        select_files([tmp_path / "missing.jsonl"])


def test_files_found_twice_are_checked_once_but_names_repeat_as_given(tmp_path):
    tree(tmp_path, {"a.jsonl": EXAMPLE, "b.jsonl": EXAMPLE})
    a = str(tmp_path / "a.jsonl")
    files = select_files([a, tmp_path, a]).files
    assert [(Path(f.path).name, f.found) for f in files] == [("a.jsonl", False), ("b.jsonl", True), ("a.jsonl", False)]
