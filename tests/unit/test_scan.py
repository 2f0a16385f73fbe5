"""Line-level issues through the whole pipeline: reader problems, escapes, positions."""

from __future__ import annotations

import dataclasses
import json

import pytest

import prep
import prep.validation.parallel
from tests.helpers import chat


def issues(path, **options):
    (f,) = prep.check(path, tokens=False, **options).files
    return [(i.line, i.code) for i in f.issues if i.line is not None]


def test_special_tokens_hidden_behind_json_escapes_are_found(write_jsonl):
    rows = [chat(f"q{i}") for i in range(10)]
    rows[2] = (
        '{"messages": [{"role": "user", "content": "\\u003c|endoftext|\\u003e"}, {"role": "assistant", "content": "x"}]}'
    )
    rows[4] = (
        '{"messages": [{"role": "user", "content": "<\\u007cfim_suffix\\u007C>"}, {"role": "assistant", "content": "x"}]}'
    )
    assert issues(write_jsonl(rows)) == [(3, "P221"), (5, "P221")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_special_tokens_without_a_bar_are_found_escaped_or_not(write_jsonl, tmp_path, jobs, monkeypatch):
    """A profile's own tokens need not hold "|": the scan is skipped only on examples without their shared mark."""
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    custom = tmp_path / "gemma-like.toml"
    custom.write_text('extends = "openai"\nname = "gemma-like"\nspecial_tokens = ["<start_of_turn>", "<eos>"]\n')
    rows = [chat(f"q{i}") for i in range(40)]
    rows[3] = chat("say <start_of_turn> now")
    rows[20] = '{"messages": [{"role": "user", "content": "\\u003ceos>"}, {"role": "assistant", "content": "x"}]}'
    rows[30] = chat("a | bar and <|endoftext|>, which this target does not mind")
    assert issues(write_jsonl(rows), target=str(custom), jobs=jobs) == [(4, "P221"), (21, "P221")]


def test_the_special_token_mark_is_one_character_every_token_holds():
    from prep.targets.loader import load_target
    from prep.targets.profile import DataFormat
    from prep.validation.rules import CheckContext

    def mark(tokens):
        target = load_target("openai")
        return CheckContext(dataclasses.replace(target, special_tokens=tokens), DataFormat.CHAT).special_marker

    assert mark(("<|endoftext|>", "<|im_start|>")) == b"|"
    assert mark(("<start_of_turn>", "<eos>")) == b"<"  # the first of the characters they share
    assert mark(("[INST]", "<s>")) is None  # nothing shared: every example is scanned
    assert mark(('"a"', '"b"')) is None  # JSON escapes a quote, so it cannot mark
    assert mark(()) is None


def test_an_image_written_with_json_escapes_is_counted_in_the_limit_only_check(write_jsonl):
    """The size bound (a token is at least a byte) does not hold for images (85 tokens for a short URL): it looks
    for them in the example's canonical JSON, which writes "image_url" as itself whatever escapes the line used."""
    images = [{"type": "image_url", "image_url": {"url": f"http://x/{i}.png"}} for i in range(11)]
    example = {"messages": [{"role": "user", "content": images}, {"role": "assistant", "content": "x"}]}
    line = json.dumps(example, separators=(",", ":"))
    escaped = line.replace('"image_url"', '"\\u0069mage_url"')
    assert b"image_url" not in escaped.encode() and len(escaped) + 16 < 900 < 11 * 85
    for row in (line, escaped):
        (f,) = prep.check(write_jsonl([row]), token_limit=900, stats=False).files
        assert [i.code for i in f.issues if i.code == "P301"] == ["P301"], row


def test_bom_and_long_lines_are_issues_on_their_lines_crlf_one_on_the_file(tmp_path):
    good = [json.dumps(chat(f"q{i}")).encode() for i in range(12)]
    data = b"\xef\xbb\xbf" + good[0] + b"\n" + good[1] + b"\r\n" + good[2] + b"\n" + b'{"x": "' + b"y" * 600 + b'"}\n'
    data += b"\n".join(good[3:]) + b"\n"
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    assert issues(path, max_line_bytes=500) == [(1, "P102"), (4, "P105")]
    (f,) = prep.check(path, tokens=False, max_line_bytes=500).files
    (crlf,) = [i for i in f.issues if i.code == "P104"]
    assert (crlf.line, crlf.message) == (
        None,
        "Line 2 ends with CRLF (Windows line endings); save the file with LF line endings.",
    )


@pytest.mark.parametrize("jobs", [1, 3])
def test_crlf_on_many_lines_is_one_issue_with_the_count_and_the_first_lines(write_jsonl, jobs, monkeypatch):
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    rows = [json.dumps(chat(f"q{i}")).encode() for i in range(3400)]
    path = write_jsonl([])
    path.write_bytes(b"".join(row + (b"\n" if i in (0, 3, 3000) else b"\r\n") for i, row in enumerate(rows)))
    (f,) = prep.check(path, tokens=False, jobs=jobs).files
    assert [(i.line, i.message) for i in f.issues if i.code == "P104"] == [
        (
            None,
            "3,397 of 3,400 lines end with CRLF (Windows line endings), first: 2, 3, 5, 6, 7, …; "
            "save the file with LF line endings.",
        )
    ]
    assert f.codes["P104"] == 1 and f.warnings == 1
    path.write_bytes(b"".join(row + b"\r\n" for row in rows))
    (f,) = prep.check(path, tokens=False, jobs=jobs, ignore=["P104"]).files
    assert f.codes["P104"] == 0
    (f,) = prep.check(path, tokens=False, jobs=jobs).files
    assert [i.message for i in f.issues if i.code == "P104"] == [
        "All 3,400 lines end with CRLF (Windows line endings); save the file with LF line endings."
    ]


def test_a_target_that_requires_a_bom_reports_its_absence(write_jsonl, tmp_path):
    custom = tmp_path / "azure-like.toml"
    custom.write_text('extends = "openai"\nname = "custom"\nbom = "require"\n')
    (f,) = prep.check(write_jsonl([chat(f"q{i}") for i in range(12)]), target=str(custom), tokens=False).files
    assert [(i.line, i.code) for i in f.issues if i.code == "P114"] == [(None, "P114")]


def test_per_code_cap_keeps_memory_flat_and_counts_exact(write_jsonl):
    rows = ["{not json"] * 300
    (f,) = prep.check(write_jsonl(rows), tokens=False, max_issues_per_code=50).files
    assert f.codes["P106"] == 300 and sum(i.code == "P106" for i in f.issues) == 50 and f.omitted == 250


def test_sorted_and_dict_duplicate_finders_agree(monkeypatch):
    import random
    from array import array

    from prep.validation import dataset as checker

    rng = random.Random(3)
    for n in (1, 2, 50, 3000):
        hashes = array("Q", (rng.choice([rng.getrandbits(64), 7, 2**63 + 5, 2**64 - 1]) for _ in range(n)))
        lines = array("Q", sorted(rng.sample(range(1, 10 * n + 1), n)))
        monkeypatch.setattr(checker, "SORT_DUPLICATES_ABOVE", 10**9)
        by_dict = list(checker.duplicates(hashes, lines))
        monkeypatch.setattr(checker, "SORT_DUPLICATES_ABOVE", 0)
        by_sort = list(checker.duplicates(hashes, lines))
        assert by_sort == by_dict
        assert n < 50 or len(by_dict) > n // 4
