"""The prepare_data recommendations: each one alone, their fixes, and the tool's own recorded output."""

from __future__ import annotations

import json

import pytest

import prep
from prep.conversion.legacy import (
    CLASSIFICATION,
    CONDITIONAL,
    OPEN_ENDED,
    Pair,
    apply_fixes,
    common_prefix,
    common_suffix,
    recommend,
    task_type,
)
from tests.helpers import REPO
from tests.make_samples import legacy_products_csv

ORACLE = REPO / "tests" / "data" / "prepare_data"
SAMPLES = REPO / "sample_data"


WORDS = ["Apple", "Boat", "Cloud", "Door", "Egg", "Fox", "Gate", "Hat", "Ink", "Jar", "Kite", "Lamp"]


def pairs(*rows):
    return [Pair(p, c) for p, c in rows]


def good(n=12):
    """Conditional generation data the tool has nothing to say about."""
    return pairs(*((f"Item {i} ->", f" {WORDS[i]} is item {i}.\n") for i in range(n)))


def codes(findings):
    return [f.code for f in findings]


def test_xfixes_and_task_types():
    assert common_prefix(["abc", "abd"]) == "ab" and common_suffix(["xyz", "ayz"]) == "yz"
    assert common_prefix([]) == common_suffix([]) == ""
    assert task_type(pairs(("", "a"), ("", "b"))) == OPEN_ENDED
    assert task_type(pairs(*((f"q{i}", "yes" if i % 2 else "no") for i in range(7)))) == CLASSIFICATION
    assert task_type(good()) == CONDITIONAL


def test_clean_data_has_no_recommendation():
    assert recommend(good()) == []


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # no separator at the end of prompts; the suggestion skips " ->" when prompts have newlines
        ([(f"Item {i}", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P450"]),
        ([(f"Item\n{i}", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P450"]),
        # a very long common separator, and one that also occurs inside a prompt
        ([(f"Item {i} <<<<<<<<<<<<", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P451"]),
        ([(f"Item {i} -> {i} ->", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P451"]),
        # completions without a leading whitespace
        ([(f"Item {i} ->", f"{WORDS[i]} {i}.\n") for i in range(6)], ["P452"]),
        # no common stop sequence
        ([(f"Item {i} ->", f" {WORDS[i]} {i}" + ("!" if i % 2 else ".")) for i in range(6)], ["P453"]),
        ([(f"Item {i} ->", f" {WORDS[i]} %% {i}%%") for i in range(6)], ["P454"]),
        # identical prompts, identical completions
        ([("Same ->", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P455"]),
        # a long instruction prefix in every prompt; a prefix in every completion
        ([(f"Classify the following text: {i} ->", f" {WORDS[i]} {i}.\n") for i in range(6)], ["P456"]),
        ([(f"Item {i} ->", f" Answer: text {i}.\n") for i in range(6)], ["P457"]),
        # uppercase
        ([(f"ITEM NUMBER {i} ->", f" {WORDS[i]} {i} is fine.\n") for i in range(6)], ["P458"]),
        # classification: few distinct completions (and no stop sequence advice then)
        ([(f"Review {i} ->", " good" if i % 2 else " bad") for i in range(9)], ["P459"]),
        # duplicates and long examples, one finding per row
        ([(f"Item {i % 5} ->", f" {WORDS[i % 5]} {i % 5}.\n") for i in range(7)], ["P403"]),
        ([(f"Item {i} ->", f" {WORDS[i]} {i}" + ("x" * 10_000 if i == 2 else "") + ".\n") for i in range(6)], ["P350"]),
        # empty completions are removed before anything else is looked at
        ([(f"Item {i} ->", f" {WORDS[i]} {i}.\n" if i else "  ") for i in range(6)], ["P206"]),
    ],
)
def test_each_recommendation(rows, expected):
    assert codes(recommend(pairs(*rows))) == expected


def test_open_ended_generation_skips_prompt_and_stop_advice():
    assert codes(recommend(pairs(*(("", f" {WORDS[i]} {i}" + "!" * (i % 2)) for i in range(6))))) == []


def test_findings_about_rows_name_their_rows():
    findings = recommend(pairs(("a ->", " x\n"), ("b ->", ""), ("a ->", " x\n"), ("c ->", " y\n")))
    assert [(f.code, f.rows) for f in findings] == [("P206", (1,)), ("P403", (2,))]


def test_fixes_apply_in_order_and_keep_row_identity():
    rows = pairs(
        ("Please describe: tent", "Description: Tent for two"),
        ("Please describe: mug", ""),
        ("Please describe: tent", "Description: Tent for two"),
        ("Please describe: lamp", "Description: Lamp!"),
        ("Please describe: stove", "Description: Stove."),
    )
    findings = recommend(rows)
    assert codes(findings) == ["P206", "P403", "P450", "P456", "P457", "P453", "P452"]
    applied = apply_fixes(rows, findings)
    assert applied.rows == [
        (0, Pair("tent ->", " Tent for two\n")),
        (3, Pair("lamp ->", " Lamp!\n")),
        (4, Pair("stove ->", " Stove.\n")),
    ]
    assert [fix.action for _, fix in applied.fixes][:2] == [
        "removed 1 row(s) with an empty completion",
        "removed 1 duplicate row(s)",
    ]
    assert codes(recommend([p for _, p in applied.rows])) == []  # nothing left to fix


def products_clean() -> bytes:
    """sample_data/legacy_products.csv without its duplicate and its empty completion (the tool crashes on those)."""
    lines = legacy_products_csv().split(b"\r\n")
    del lines[13:15]
    return b"\r\n".join(lines)


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_apply_writes_what_prepare_data_wrote(tmp_path):
    source = tmp_path / "products_clean.csv"
    source.write_bytes(products_clean())
    out = tmp_path / "out.jsonl"
    prep.convert(source, out, apply=True, tokens=False, target="together")  # OpenAI trains no prompt/completion
    assert out.read_bytes() == (ORACLE / "products_clean_prepared.jsonl").read_bytes()


def test_apply_on_classification_writes_what_prepare_data_wrote(tmp_path):
    out = tmp_path / "out.jsonl"
    result = prep.convert(SAMPLES / "legacy_sentiment.csv", out, apply=True, tokens=False, target="together")
    oracle = jsonl(ORACLE / "legacy_sentiment_prepared_train.jsonl") + jsonl(
        ORACLE / "legacy_sentiment_prepared_valid.jsonl"
    )
    key = json.dumps
    assert sorted(jsonl(out), key=key) == sorted(oracle, key=key)  # the tool splits at random
    assert {i.code for i in result.report.issues} >= {"P459", "P460"}
