"""prep.split of records and DataFrames: the same sides as a file's split, rows back as they were given."""

from __future__ import annotations

import json

import pandas as pd

import prep
from tests.helpers import chat


def chats(n):
    return [chat(f"question {i}", f"answer {i}") for i in range(n)]


def test_records_are_split_in_memory_as_their_file_would_be(write_jsonl, tmp_path, monkeypatch):
    records = chats(40)
    from_file = prep.split(write_jsonl(records), valid_count=6, seed=3, isolated=True)
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    in_memory = prep.split(records, valid_count=6, seed=3)
    assert set(tmp_path.rglob("*")) == before  # nothing written
    assert (in_memory.train_path, in_memory.valid_path) == (None, None)
    assert in_memory.valid == [json.loads(line) for line in from_file.valid_path.read_text().splitlines()]
    assert in_memory.train == [json.loads(line) for line in from_file.train_path.read_text().splitlines()]
    assert all(any(r is given for given in records) for r in in_memory.train)  # the records given, not copies
    assert (in_memory.train_examples, in_memory.valid_examples, in_memory.exit_code) == (34, 6, 0)


def test_a_dataframe_is_split_into_its_own_rows_with_their_index():
    frame = pd.DataFrame(
        {"question": [f"q{i}" for i in range(30)], "answer": [f"a{i}" if i != 7 else " " for i in range(30)]},
        index=[f"row-{i}" for i in range(30)],
    )
    result = prep.split(frame, valid_fraction=0.2, seed=0)
    assert isinstance(result.train, pd.DataFrame) and list(result.train.columns) == ["question", "answer"]
    assert result.left_out == (8,)  # the blank answer, at position 8
    assert [i.index for i in result.report.issues if i.line] == ["row-7"]
    assert sorted([*result.train.index, *result.valid.index]) == sorted(set(frame.index) - {"row-7"})
    assert (len(result.train), len(result.valid)) == (23, 6)
    assert result.exit_code == 1
    assert frame.loc[result.valid.index].equals(result.valid)


def test_rows_become_records_as_prep_convert_makes_them(tmp_path):
    rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(20)]
    result = prep.split(rows, valid_count=4, out_dir=tmp_path, system="Be brief.")
    assert result.valid[0] in rows
    written = [json.loads(line) for line in (tmp_path / "valid.jsonl").read_text().splitlines()]
    assert [r["messages"][0]["content"] for r in written] == ["Be brief."] * 4
    assert [r["messages"][1]["content"] for r in written] == [r["question"] for r in result.valid]
    assert result.valid_path == tmp_path / "valid.jsonl" and result.train_path == tmp_path / "train.jsonl"


def test_a_small_training_side_is_said(tmp_path):
    result = prep.split(chats(8), valid_count=2)
    assert [(i.code, i.path) for i in result.issues] == [("P408", "<train>")]


def test_options_apply_to_records_too():
    result = prep.split([*chats(12), {"messages": [{"role": "user", "content": "Hi"}]}], valid_count=2)
    assert result.left_out == (13,)
    assert prep.split(chats(12), valid_count=2, data_format="chat").left_out == ()
