"""Baselines: known issues stay hidden across unrelated edits; new ones, and new copies of old ones, show."""

from __future__ import annotations

import hashlib
import json

import orjson
import pytest

import prep
from prep.errors import ConfigError
from prep.reports.baseline import load_baseline, write_baseline
from tests.helpers import chat

NO_ROLE = {"messages": [{"content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
EMPTY = {"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "Hello!"}]}


def good(n, start=0):
    return [chat(f"Question {i}?") for i in range(start, start + n)]


def visible(path, baseline):
    """(line, code) of the issues left after the baseline, and how many it hid."""
    (file,) = prep.check(path, tokens=False, ignore={"P303"}).files
    left, hidden = load_baseline(baseline).filter(file)
    return [(i.line, i.code) for i in left.issues], hidden, left


def record(path, baseline):
    return write_baseline(baseline, prep.check(path, tokens=False, ignore={"P303"}).files)


def test_every_issue_has_a_content_fingerprint(write_jsonl):
    path = write_jsonl([*good(10), NO_ROLE, "{not json", chat("Question 1?")])
    issues = prep.check(path, tokens=False).files[0].issues
    by_code = {i.code: i for i in issues}
    assert by_code["P201"].fingerprint and len(by_code["P201"].fingerprint) == 16
    assert by_code["P106"].fingerprint  # a line that does not parse: the hash of its bytes
    canonical = orjson.dumps(chat("Question 1?"), option=orjson.OPT_SORT_KEYS)
    digest = int.from_bytes(hashlib.blake2b(canonical, digest_size=8).digest(), "little")
    assert by_code["P403"].fingerprint == f"{digest:016x}"  # the duplicate's example, whatever its line
    assert by_code["P402"].fingerprint is None  # about the whole file


def test_known_issues_stay_hidden_when_lines_move(write_jsonl, tmp_path):
    baseline = tmp_path / ".prep-baseline.json"
    path = write_jsonl([*good(10), NO_ROLE, EMPTY])
    assert record(path, baseline) == 3  # P201, P206, P402
    assert visible(path, baseline)[:2] == ([], 3)
    write_jsonl([*good(5, 100), *good(10), NO_ROLE, *good(3, 200), EMPTY])  # lines inserted above and between
    assert visible(path, baseline)[:2] == ([], 3)  # P402's "18 examples" still matches "12 examples"


def test_new_issues_and_new_copies_of_known_ones_show(write_jsonl, tmp_path):
    baseline = tmp_path / ".prep-baseline.json"
    path = write_jsonl([*good(10), NO_ROLE])
    record(path, baseline)
    write_jsonl([NO_ROLE, *good(10), NO_ROLE, EMPTY])
    shown, hidden, left = visible(path, baseline)
    # the second copy of the baselined line is new, and so is its duplicate warning; one P201 is known
    assert sorted(shown) == [(12, "P201"), (12, "P403"), (13, "P206")]
    assert hidden == 2
    assert (left.errors, left.warnings, left.ok) == (2, 1, False)


def test_editing_a_known_line_makes_its_issue_new(write_jsonl, tmp_path):
    baseline = tmp_path / ".prep-baseline.json"
    path = write_jsonl([*good(10), NO_ROLE])
    record(path, baseline)
    write_jsonl([*good(10), {"messages": [{"content": "Hi!"}, {"role": "assistant", "content": "Hello!"}]}])
    assert visible(path, baseline)[0] == [(11, "P201")]


def test_counts_and_report_stay_consistent(write_jsonl, tmp_path):
    baseline = tmp_path / ".prep-baseline.json"
    path = write_jsonl([*good(10), NO_ROLE])
    record(path, baseline)
    _, _, left = visible(path, baseline)
    assert (left.ok, left.errors, left.warnings, left.omitted, dict(left.codes)) == (True, 0, 0, 0, {})


def test_writing_keeps_other_files_entries_and_is_readable(write_jsonl, tmp_path):
    baseline = tmp_path / "known.json"
    a = write_jsonl([*good(10), NO_ROLE], "a.jsonl")
    b = write_jsonl([*good(10), EMPTY], "b.jsonl")
    record(a, baseline)
    record(b, baseline)
    data = json.loads(baseline.read_text())
    assert data["version"] == 1
    assert [(e["path"], e["line"], e["code"]) for e in data["issues"]] == [
        ("a.jsonl", None, "P402"),
        ("a.jsonl", 11, "P201"),
        ("b.jsonl", None, "P402"),
        ("b.jsonl", 11, "P206"),
    ]
    assert baseline.read_text().count("\n") == len(data["issues"]) + 6  # one issue a line: readable diffs
    write_jsonl(good(10), "a.jsonl")
    record(a, baseline)  # a is clean now: its entries go, b's stay
    assert [e["path"] for e in json.loads(baseline.read_text())["issues"]] == ["a.jsonl", "b.jsonl", "b.jsonl"]


def test_paths_are_relative_to_the_baseline_folder(write_jsonl, tmp_path, monkeypatch):
    path = write_jsonl([*good(10), NO_ROLE])
    (tmp_path / "ci").mkdir()
    baseline = tmp_path / "ci" / "baseline.json"
    record(path, baseline)
    assert json.loads(baseline.read_text())["issues"][0]["path"] == "../data.jsonl"
    monkeypatch.chdir(tmp_path)
    (file,) = prep.check("data.jsonl", tokens=False, ignore={"P303"}).files  # given relative: same key
    assert load_baseline(baseline).filter(file)[1] == 2


def test_missing_baseline_is_empty_and_a_broken_one_is_an_error(tmp_path):
    assert not load_baseline(tmp_path / "none.json").counts
    bad = tmp_path / "bad.json"
    for text in ("{", '{"version": 2, "issues": []}', "[]", '{"version": 1, "issues": [3]}'):
        bad.write_text(text)
        with pytest.raises(ConfigError, match=str(bad)):
            load_baseline(bad)
