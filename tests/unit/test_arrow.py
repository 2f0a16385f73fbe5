"""Parquet files and Hugging Face datasets: rows as records, row N reported as line N, as the same JSONL would be."""

from __future__ import annotations

import sys

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import prep
from prep.errors import MissingDependencyError
from tests.helpers import chat

TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
RECORDS = [
    chat(),
    {"messages": [{"role": "user", "content": "call f"}, {"role": "assistant", "tool_calls": [TOOL_CALL]}]},
    {"messages": [{"role": "user", "content": "no reply"}]},
    chat(),  # duplicate of row 1
    {"messages": [{"role": "robot", "content": "?"}, {"role": "assistant", "content": "!"}]},
    *[chat(f"q{i}") for i in range(20)],
]


def issues_of(report: prep.Report) -> list[tuple[int | None, str, str, str]]:
    return [(i.line, i.code, i.pointer, i.message) for i in report.issues]


@pytest.fixture
def expected(write_jsonl) -> list[tuple[int | None, str, str, str]]:
    return issues_of(prep.check(write_jsonl(RECORDS)))


def test_parquet_rows_report_as_the_jsonl_lines(tmp_path, expected):
    # Arrow gives every message every field: {"content": null, "tool_calls": null} where the JSON had none
    table = pa.Table.from_pylist(RECORDS)
    assert table.to_pylist()[0]["messages"][0]["tool_calls"] is None
    pq.write_table(table, tmp_path / "train.parquet", row_group_size=3)  # rows span row groups
    report = prep.check(tmp_path / "train.parquet")
    assert issues_of(report) == expected
    assert [i.line for i in report.issues if i.line] == [2, 3, 4, 5]
    assert report.files[0].examples == len(RECORDS)


def on_lines(issues: list[tuple[int | None, str, str, str]]) -> list[tuple[int | None, str, str, str]]:
    """The issues on a line (held in memory, the data's issues as a whole say "the data", not "file")."""
    return [i for i in issues if i[0] is not None]


def test_a_dataset_reports_row_n_as_line_n(expected):
    dataset = datasets.Dataset.from_list(RECORDS)
    report = prep.check(dataset)
    assert on_lines(issues_of(report)) == on_lines(expected)
    assert [i.code for i in report.issues] == [i[1] for i in expected]
    assert report.files[0].path == "<Dataset>"


def test_a_dataset_is_read_in_its_order_after_select(write_jsonl):
    order = [4, 0, 1, 2, *range(5, 25)]
    dataset = datasets.Dataset.from_list(RECORDS).select(order)
    report = prep.check(dataset)
    assert on_lines(issues_of(report)) == on_lines(issues_of(prep.check(write_jsonl([RECORDS[i] for i in order]))))
    assert [(i.line, i.code) for i in report.issues if i.line] == [(1, "P202"), (3, "P233"), (4, "P204")]


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch):
    pq.write_table(pa.Table.from_pylist(RECORDS), tmp_path / "train.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(
        MissingDependencyError,
        match=r"^Reading Parquet files needs pyarrow\.parquet, which is not installed: pip install",
    ):
        prep.check(tmp_path / "train.parquet")
