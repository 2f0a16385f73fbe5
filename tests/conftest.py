from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))  # benchmarks/ is a folder of scripts, not a package

from tiktoken_offline import install_rank_files  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def tiktoken_cache(tmp_path_factory: pytest.TempPathFactory):
    """TIKTOKEN_CACHE_DIR -> a tmp dir holding ../shared/tiktoken's files under their SHA-1 cache names."""
    cache = install_rank_files(tmp_path_factory.mktemp("tiktoken-cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        yield cache
