"""The Report as a notebook user reads it: a list of issues, a short repr, a dict, JSON and a DataFrame."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd
import pytest

import prep
from prep.reports.reporters import REPORTERS
from tests.helpers import REPO, chat

BAD = REPO / "sample_data" / "chat_bad.jsonl"


@pytest.fixture(scope="module")
def report():
    return prep.check(BAD, isolated=True, tokens=False)


def test_issues_is_a_list_that_can_be_read_twice(report):
    issues = report.issues
    assert isinstance(issues, list)
    assert len(issues) == sum(len(f.issues) for f in report.files) > 1
    assert issues[0].code == "P402" and issues[-1] is report.files[-1].issues[-1]
    assert list(report.issues) == list(report.issues)


def test_reprs_are_short_and_say_what_matters(report):
    assert repr(report) == "Report(ok=False, files=1, examples=20, errors=19, warnings=5, target='openai')"
    assert repr(report.files[0]) == (
        "FileReport(path='" + str(BAD) + "', format='chat', examples=20, errors=19, warnings=5)"
    )


def test_to_json_is_what_the_json_reporter_prints(report):
    stream = io.StringIO()
    REPORTERS["json"](report, stream, max_issues=4)
    assert stream.getvalue() == report.to_json(max_issues=4) + "\n"
    assert json.loads(report.to_json()) == report.to_dict()


def test_to_dict_lists_at_most_max_issues_and_counts_the_others(report):
    data = report.to_dict(max_issues=3)
    (file,) = data["files"]
    assert len(file["issues"]) == 3
    assert file["omitted"] == file["errors"] + file["warnings"] + file["infos"] - 3
    assert data["summary"] == {"files": 1, "examples": 20, "errors": 19, "warnings": 5, "infos": 1}
    assert report.files[0].to_dict() == report.to_dict()["files"][0]


def test_to_pandas_is_one_row_per_issue(report):
    frame = report.to_pandas()
    assert list(frame.columns) == [
        "path",
        "line",
        "index",
        "code",
        "severity",
        "message",
        "pointer",
        "column",
        "sheet",
        "targets",
    ]
    assert len(frame) == len(report.issues)
    assert str(frame["line"].dtype) == "Int64"
    whole_file = frame[frame["line"].isna()]
    assert set(whole_file["code"]) == {"P402", "P303"}
    first = frame[frame["line"].notna()].iloc[0]
    assert (first["line"], first["code"], first["severity"], first["pointer"]) == (2, "P110", "error", "/weight")
    assert frame.equals(report.files[0].to_pandas())


def test_to_pandas_without_pandas_is_one_sentence(report, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(prep.MissingDependencyError) as raised:
        report.to_pandas()
    assert str(raised.value) == (
        "Report.to_pandas() needs pandas, which is not installed: pip install 'finetune-prep[pandas]' "
        "(in a pre-commit hook: additional_dependencies: ['finetune-prep[pandas]'])."
    )


# -- issues of a DataFrame carry its index labels --------------------------------------------------------------------


def frame_issues(frame):
    return [(i.line, i.index, i.code, i.column) for i in prep.check(frame, tokens=False).issues if i.line]


def test_an_issue_of_a_dataframe_row_names_its_label_and_its_position():
    frame = pd.DataFrame({"question": ["Hi", "Hello", None], "answer": ["Hey", "  ", "Yes"]}, index=["q1", "q2", "q3"])
    assert frame_issues(frame) == [(2, "q2", "P206", "answer"), (3, "q3", "P205", "question")]


def test_labels_of_a_filtered_frame_are_its_own_not_positions():
    frame = pd.DataFrame({"question": ["a", "b", "c", "d"], "answer": ["x", "y", "  ", "z"]})
    assert frame_issues(frame[frame.index >= 1]) == [(2, 2, "P206", "answer")]


def test_labels_become_json_values():
    days = pd.DataFrame({"question": ["a"], "answer": ["  "]}, index=pd.to_datetime(["2026-01-02"]))
    ((_, label, _, _),) = frame_issues(days)
    assert label == "2026-01-02T00:00:00"
    pairs = pd.DataFrame(
        {"question": ["a"], "answer": ["  "]}, index=pd.MultiIndex.from_tuples([("batch-1", 7)], names=["batch", "n"])
    )
    report = prep.check(pairs, tokens=False)
    (issue,) = (i for i in report.issues if i.code == "P206")
    assert issue.index == ("batch-1", 7)
    assert report.to_dict()["files"][0]["issues"][-1]["index"] == ("batch-1", 7)
    assert json.loads(report.to_json())["files"][0]["issues"][-1]["index"] == ["batch-1", 7]


def test_the_text_report_shows_the_label():
    frame = pd.DataFrame({"question": ["Hi"], "answer": ["  "]}, index=["q1"])
    stream = io.StringIO()
    REPORTERS["text"](prep.check(frame, tokens=False), stream)
    assert "<DataFrame>:1: P206 " in stream.getvalue()
    assert "(index 'q1', column answer, /messages/1/content)\n" in stream.getvalue()


def test_records_held_in_memory_are_records_not_a_file(write_jsonl):
    in_memory = prep.check([chat()] * 3, tokens=False)
    messages = {i.code: i.message for i in in_memory.issues}
    assert messages["P401"] == "The data has 3 record(s), but OpenAI needs at least 10."
    from_frame = prep.check(pd.DataFrame({"question": ["a"] * 12, "answer": ["b"] * 12}), tokens=False)
    assert {i.code: i.message for i in from_frame.issues}["P402"] == (
        "The data has 12 records; 50 or more are recommended."
    )
    from_file = prep.check(write_jsonl([chat()] * 3), isolated=True, tokens=False)
    assert {i.code: i.message for i in from_file.issues}[
        "P401"
    ] == "File has 3 example(s), but OpenAI needs at least 10."
