"""The limit-only path (no statistics) tokenizes as little as it can and finds exactly what the full count finds."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import orjson
import pytest

import prep
from prep.reading.detect import vote
from prep.targets.profile import DataFormat
from prep.validation.encoders import load_encoder
from prep.validation.tokens import BYTES_BOUND_SLACK, TokenCounter
from tests.helpers import COOKBOOK_TOY, REPO, generated
from tests.unit import test_checks


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Sample data, the check cases, the Cookbook file and 2 MB of generated multilingual data with tools."""
    out = generated(tmp_path_factory.mktemp("gen") / "gen.jsonl", "2MB", 3, "--long-fraction", "0.02")
    examples = []
    for path in [
        *sorted((REPO / "sample_data").glob("*_good.jsonl")),
        COOKBOOK_TOY,
        out,
    ]:
        examples += [json.loads(line) for line in path.read_text("utf-8-sig").splitlines()]
    examples += [
        ex for _, ex, _ in test_checks.CASES + test_checks.PREF_CASES + test_checks.RFT_CASES + test_checks.COMP_CASES
    ]
    return [(ex, vote(ex) or DataFormat.CHAT) for ex in examples if isinstance(ex, dict)]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_tokens_never_exceed_the_bytes_of_the_line(corpus, encoding):
    counter = TokenCounter(load_encoder(encoding))
    checked = 0
    for ex, fmt in corpus:
        raw = orjson.dumps(ex)  # the most compact line holding this example
        if b"image_url" in raw:
            continue
        assert counter.example(ex, fmt).total <= len(raw) + BYTES_BOUND_SLACK
        checked += 1
    assert checked > 300


def test_over_limit_agrees_with_the_exact_count_at_every_limit(corpus):
    rng = random.Random(5)
    for ex, fmt in corpus:
        total = TokenCounter(load_encoder("o200k_base")).example(ex, fmt).total
        for limit in {1, total - 1, total, total + 1, rng.randint(1, 2 * total + 2)} - {0, -1}:
            fresh = TokenCounter(load_encoder("o200k_base"))  # an empty cache: the hardest case
            assert fresh.over_limit(ex, fmt, limit) == (total if total > limit else None), (limit, total)


def test_limit_only_check_reports_what_the_full_check_reports(tmp_path):
    out = generated(tmp_path / "gen.jsonl", "3MB", 9, "--long-fraction", "0.05", "--corrupt-fraction", "0.02")
    paths = [out, *sorted((REPO / "sample_data").glob("*.jsonl"))]
    for options in ({}, {"model": "gpt-4.1-mini", "isolated": True}, {"token_limit": 900}):
        full = prep.check(paths, **options)
        fast = prep.check(paths, stats=False, **options)
        assert [f.issues for f in fast.files] == [f.issues for f in full.files]
        assert [f.stats for f in fast.files] == [None] * len(paths)
        assert any(i.code == "P301" for i in full.issues)


def test_a_small_clean_file_never_loads_the_tokenizer(tmp_path):
    path = REPO / "sample_data" / "chat_good.jsonl"
    code = (
        "import sys, prep.cli; rc = prep.cli.main(['check', '--no-stats', sys.argv[1]]); "
        "print('LOADED', 'tiktoken' in sys.modules); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "LOADED False" in result.stdout


def test_counting_each_distinct_string_once_changes_no_count(corpus):
    cached = TokenCounter(load_encoder("o200k_base"))
    for ex, fmt in corpus * 2:  # the second pass is served from the cache
        uncached = TokenCounter(load_encoder("o200k_base"), cache_chars=0)
        assert cached.example(ex, fmt) == uncached.example(ex, fmt)
    assert len(cached._cache) > 100
