"""A 100,000-line file with 1% of its lines corrupted in mixed ways: every corrupted
line is reported on its own line number, and no good line is."""

from __future__ import annotations

import json
import random

import prep

KINDS = {
    "invalid json": lambda ex: json.dumps(ex)[:-1].encode(),
    "invalid utf-8": lambda ex: json.dumps(ex).encode().replace(b"Question", b"Qu\xff\xfeestion"),
    "blank": lambda ex: b"",
    "not an object": lambda ex: json.dumps(ex["messages"]).encode(),
    "stray bom": lambda ex: b"\xef\xbb\xbf" + json.dumps(ex).encode(),
    "over long": lambda ex: json.dumps(
        {**ex, "messages": ex["messages"] + [{"role": "user", "content": "x" * 5000}]}
    ).encode(),
    "crlf": lambda ex: json.dumps(ex).encode() + b"\r",
    "wrong role": lambda ex: json.dumps(ex).replace('"user"', '"human"').encode(),
    "missing content": lambda ex: json.dumps({"messages": [{"role": "user"}, ex["messages"][1]]}).encode(),
    "weight 2": lambda ex: json.dumps({"messages": [ex["messages"][0], {**ex["messages"][1], "weight": 2}]}).encode(),
    "special token": lambda ex: json.dumps(ex).replace("Question", "<|endoftext|>").encode(),
    "extra key": lambda ex: json.dumps({**ex, "id": 7}).encode(),
    "unanswered tool": lambda ex: json.dumps(
        {"messages": [*ex["messages"], {"role": "tool", "tool_call_id": "c9", "content": "x"}, ex["messages"][1]]}
    ).encode(),
}


def example(i: int) -> dict:
    return {
        "messages": [
            {"role": "user", "content": f"Question {i}: how do I waterproof boots?"},
            {"role": "assistant", "content": f"Answer {i}: clean them, dry them, then wax the seams."},
        ]
    }


def test_every_corrupted_line_and_no_good_line_is_reported(tmp_path):
    rng = random.Random(2026)
    n = 100_000
    bad = sorted(rng.sample(range(1, n + 1), n // 100))
    kinds = list(KINDS)
    kind_of = {line: kinds[i % len(kinds)] for i, line in enumerate(bad)}
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fp:
        for line in range(1, n + 1):
            ex = example(line)
            fp.write((KINDS[kind_of[line]](ex) if line in kind_of else json.dumps(ex).encode()) + b"\n")

    (f,) = prep.check(path, tokens=False, max_line_bytes=2000).files

    crlf = [line for line in bad if kind_of[line] == "crlf"]  # a fact of many lines: one issue on the file
    (on_crlf,) = [i.message for i in f.issues if i.code == "P104"]
    first = ", ".join(str(n) for n in crlf[:5])
    assert on_crlf.startswith(f"{len(crlf)} of {n:,} lines end with CRLF (Windows line endings), first: {first}, …;")
    lines_with_issues = {i.line for i in f.issues if i.line is not None} | set(crlf)
    assert lines_with_issues == set(bad), {
        "missed": sorted(set(bad) - lines_with_issues)[:10],
        "false": sorted(lines_with_issues - set(bad))[:10],
    }
    assert f.omitted == 0
    assert f.examples == n - sum(
        k in ("invalid json", "invalid utf-8", "blank", "not an object", "stray bom", "over long")
        for k in kind_of.values()
    )
