"""benchmarks/shortchat.py: the second data shape is deterministic, valid chat data, short and little repeated."""

from __future__ import annotations

import json
import statistics

import shortchat

import prep


def test_the_same_seed_writes_the_same_bytes_and_another_seed_others(tmp_path):
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for path, seed in ((a, 1), (b, 1), (c, 2)):
        shortchat.generate(path, size=300_000, seed=seed)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert a.stat().st_size >= 300_000


def test_the_shape_is_valid_short_and_little_repeated(tmp_path):
    path = tmp_path / "short.jsonl"
    shortchat.generate(path, size=1_000_000, seed=0)
    examples = [json.loads(line) for line in path.read_text().splitlines()]
    report = prep.check(path, isolated=True, jobs=1)
    assert report.count(prep.Severity.ERROR) == 0, report.issues[:3]
    assert 1_500 < path.stat().st_size / len(examples) < 3_000  # bytes per example (the held-out file: 2,300)
    sizes = sorted(len(json.dumps(e, ensure_ascii=False)) for e in examples)
    assert sizes[-1] > 6 * statistics.median(sizes)  # a long tail
    assert 0.05 < sum("tools" in e for e in examples) / len(examples) < 0.25
    texts = [m["content"] for e in examples for m in e["messages"] if isinstance(m.get("content"), str)]
    chars = sum(map(len, texts))
    assert sum(map(len, set(texts))) > 0.97 * chars  # almost no string repeats
