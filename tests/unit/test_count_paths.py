"""Every way of checking a file gives the issues and counts of the plain path: tiktoken, one process, statistics.

The fast paths (bpe-openai's encoder, several processes, the limit-only mode of the hook) must change the speed
and nothing else. The data are both benchmark shapes (benchmarks/generate.py with faults and long examples, and
benchmarks/shortchat.py: short, little-repeated examples with tool calls) and the sample files.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

import prep
import prep.validation.parallel
from prep.reading.detect import vote
from prep.targets.loader import available_targets, load_target
from prep.targets.profile import DataFormat
from prep.validation.encoders import _bindings_path, load_encoder
from prep.validation.rules import CheckContext
from prep.validation.rules.fastpath import is_clean
from prep.validation.shapes import media_of, plain_roles, shape_of
from prep.validation.tokens import TokenCounter
from tests.helpers import REPO, generated
from tests.unit.test_fastpath import build_corpus, mutate

needs_bpe = pytest.mark.skipif(_bindings_path() is None, reason="bpe-openai has no wheel for this platform")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paths")
    flags = ("--long-fraction", "0.02", "--corrupt-fraction", "0.05", "--unique-system-prompts")
    chat = generated(folder / "chat.jsonl", "2MB", 7, *flags)
    short = folder / "short.jsonl"
    script = REPO / "benchmarks" / "shortchat.py"
    subprocess.run([sys.executable, str(script), "--size", "2MB", "--seed", "3", "-o", str(short)], check=True)
    return [chat, short, *sorted((REPO / "sample_data").glob("chat*.jsonl"))]


def check(path, backend, monkeypatch, **options):
    monkeypatch.setenv("PREP_TOKENIZER", backend)
    return prep.check(path, isolated=True, **options)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """test_fastpath's corpus: the repository's examples and rule cases, and generated chat data."""
    return build_corpus(tmp_path_factory)


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)


@needs_bpe
@pytest.mark.parametrize("model", [None, "gpt-3.5-turbo-0613"])  # o200k_base, cl100k_base
def test_bpe_gives_the_report_of_tiktoken(files, monkeypatch, parallel, model):
    for path in files:
        plain = check(path, "tiktoken", monkeypatch, jobs=1, model=model)
        assert plain.files[0].stats_summary()["tokens"]["total"] > 0
        assert check(path, "bpe", monkeypatch, jobs=1, model=model) == plain, path.name
        assert check(path, "bpe", monkeypatch, jobs=2, model=model) == plain, path.name


@pytest.mark.parametrize("backend", [pytest.param("bpe", marks=needs_bpe), "tiktoken"])
def test_the_limit_only_mode_finds_the_issues_of_the_full_check(files, monkeypatch, parallel, backend):
    codes = set()
    for path in files:
        plain = check(path, "tiktoken", monkeypatch, jobs=1)
        codes.update(i.code for i in plain.issues)
        for jobs in (1, 2):
            fast = check(path, backend, monkeypatch, jobs=jobs, stats=False)
            assert fast.issues == plain.issues, (path.name, jobs)
    assert {"P301", "P106", "P403"} <= codes  # over the limit, invalid JSON, duplicates: among what is compared


# --- the one walk of a plain chat example -------------------------------------------------------------------------


def test_the_plain_walk_gives_what_the_general_path_gives(corpus):
    """Each corpus example and 8 mutations of it: where `plain_roles` takes an example, its vote, media, shape,
    tokens and clean verdict (every target) are those of the general path (`vote`, `media_of`, `shape_of`,
    `TokenCounter.example`, `is_clean` without roles)."""
    contexts = [
        CheckContext(load_target(name), fmt)
        for name in available_targets()
        for fmt in (DataFormat.CHAT, DataFormat.REINFORCEMENT)
        if fmt in load_target(name).formats
    ]
    counter, rng, taken = TokenCounter(load_encoder("o200k_base")), random.Random(15), 0
    for example in corpus:
        for candidate in (example, *(mutate(example, rng) for _ in range(8))):
            roles = plain_roles(candidate)
            if roles is None:
                continue
            taken += 1
            assert vote(candidate) is (DataFormat.REINFORCEMENT if "developer" in roles else DataFormat.CHAT)
            assert all(media_of(candidate, fmt) == [] for fmt in DataFormat)
            assert tuple(shape_of(candidate, DataFormat.CHAT).roles) == roles
            assert counter.plain_chat(candidate["messages"]) == counter.example(candidate, DataFormat.CHAT)
            for ctx in contexts:  # twice: the second verdict is the remembered one
                assert is_clean(candidate, ctx, roles) == is_clean(candidate, ctx) == is_clean(candidate, ctx, roles)
    assert taken > 200, taken  # plain examples among them (292 when written)
