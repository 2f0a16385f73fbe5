"""One configuration: `prep convert`, `prep split`, `prep publish` and `prep.check()` read the project's prep.toml
and baseline the way `prep check` does (README "Configuration": each command is the library verb).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import prep
from prep.errors import MappingError
from prep.validation.options import CheckOptions
from tests.helpers import REPO, chat

NO_ANSWER = {"messages": [{"role": "user", "content": "no answer"}]}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A dataset repository as the current folder: the bundled workbook, its map in prep.toml, and a JSONL file."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / "sample_data" / "support_tickets.xlsx", "support_tickets.xlsx")
    shutil.copy(REPO / "sample_data" / "prep.toml", "prep.toml")
    data = Path("data")
    data.mkdir()
    rows = [chat(f"Question {i}?", f"Answer {i}.") for i in range(12)] + [NO_ANSWER]
    (data / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


def test_prep_check_takes_folders_and_reads_the_configuration(repo):
    Path("prep.toml").write_text('token-limit = 4096\nignore = ["P402"]\n' + Path("prep.toml").read_text())
    report = prep.check(".")
    assert [f.path for f in report.files] == ["data/train.jsonl", "support_tickets.xlsx"]
    train, tickets = report.files
    assert tickets.examples == 12 and tickets.ok  # mapped by prep.toml's override
    assert train.budget is not None and train.budget.token_limit == 4_096  # the configuration's limit
    assert "P402" not in train.codes and train.codes["P204"] == 1
    alone = prep.check("data/train.jsonl", isolated=True)
    assert alone.files[0].budget.token_limit == 65_536 and alone.files[0].codes["P402"] == 1
    given = prep.check("data", check_options=CheckOptions(token_limit=8_192))  # given options win
    assert given.files[0].budget.token_limit == 8_192


def test_prep_check_hides_the_baseline_as_the_command_does(repo, run_prep):
    assert run_prep("check", "--no-tokens", "--write-baseline", "data")[0] == 0
    assert prep.check("data", tokens=False).ok
    assert not prep.check("data", tokens=False, use_baseline=False).ok


def test_convert_reads_the_map_of_the_configuration(repo, run_prep):
    code, _, err = run_prep("convert", "support_tickets.xlsx", "-o", "tickets.jsonl", "--no-tokens")
    assert code == 0, err
    first = json.loads(Path("tickets.jsonl").read_text().splitlines()[0])
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    code, _, err = run_prep("convert", "support_tickets.xlsx", "-o", "t2.jsonl", "--isolated")
    assert code == 2 and "--map COLUMN=FIELD" in err and not Path("t2.jsonl").exists()
    with pytest.raises(MappingError, match="no assistant column"):  # --map adds to the configuration's map
        prep.convert("support_tickets.xlsx", None, tokens=False, mapping={"Agent reply": "ignore"})


def test_split_and_publish_read_the_configuration(repo, run_prep):
    code, _, err = run_prep("split", "support_tickets.xlsx", "--valid-count", "2")
    assert (code, err) == (0, "") and len(Path("support_tickets.train.jsonl").read_text().splitlines()) == 10

    assert run_prep("check", "--no-tokens", "--write-baseline", "data")[0] == 0  # the P204 line is known now
    args = (
        "publish",
        "data/train.jsonl",
        "--model",
        "gpt-4o-mini-2024-07-18",
        "--dry-run",
        "--no-wandb",
        "--no-tokens",
    )
    code, out, err = run_prep(*args)
    assert code == 0, out + err
    code, out, err = run_prep(*args, "--no-baseline")
    assert code == 1 and "1 error(s) in the data" in err and "P204" in out
