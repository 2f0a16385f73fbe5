"""Tests of the benchmark scripts: benchmarks/ is a folder of scripts, so put it on sys.path."""

from __future__ import annotations

import sys

import pytest

from tests.helpers import REPO

BENCHMARKS = REPO / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from tiktoken_offline import install_rank_files  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def tiktoken_cache(tmp_path_factory: pytest.TempPathFactory):
    """TIKTOKEN_CACHE_DIR -> a tmp dir holding the rank files shipped in prep under their SHA-1 cache names."""
    cache = install_rank_files(tmp_path_factory.mktemp("tiktoken-cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        yield cache
