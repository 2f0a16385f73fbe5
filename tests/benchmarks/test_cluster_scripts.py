"""The cluster benchmarks run: shards.py explains itself, client_merge.py measures a small merge."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.benchmarks.conftest import BENCHMARKS


def test_shards_script_has_help():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "shards.py"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--dask local:2" in out and "--shard-size" in out


def test_client_merge_measures_merge_and_duplicates():
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "client_merge.py"), "--examples", "6400", "--ranges", "8"],
        capture_output=True,
        text=True,
        check=True,
        cwd=BENCHMARKS,
    ).stdout
    assert out.startswith("6,400 examples in 8 ranges\n")
    assert re.search(r"^merge in file order: [\d,]+ examples/s$", out, re.M)
    assert re.search(r"^finish \(duplicates by sorting the hashes\): [\d,]+ examples/s$", out, re.M)
