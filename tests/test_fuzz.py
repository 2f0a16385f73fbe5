"""A seeded, bounded fuzz of `prep.check` over every input kind and every reporter: no exception.

The same generator runs for long with ``python -m tests.support.fuzz --inputs 1000000``
(BENCHMARKS.md records the last long run). A failure names its case's seed; replay it
with ``python -m tests.support.fuzz --case SEED``.
"""

from __future__ import annotations

import tempfile
import traceback
from pathlib import Path

import pytest

from tests.support.fuzz import MAKERS, make_case, run_case

CASES = 30  # per input kind: 180 calls, a few seconds in all


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_no_input_makes_prep_raise(kind: str) -> None:
    failures = []
    for i in range(CASES):
        seed = 20_261_130 + i
        with tempfile.TemporaryDirectory(prefix="prep-fuzz-") as folder:
            case = make_case(seed, Path(folder), kind=kind)
            try:
                run_case(case)
            except BaseException as exc:  # a panic is a BaseException: a failure too
                failures.append(f"case {seed} ({kind}): {''.join(traceback.format_exception(exc))}")
    assert not failures, "\n".join(failures)


#: Cases the long run found, replayed for good: a spreadsheet's messages cell nested 1,000+ levels deep.
FOUND = [210_010_001_300]


@pytest.mark.parametrize("seed", FOUND)
def test_a_case_the_long_run_found_is_checked(seed: int, tmp_path: Path, default_recursion_limit: None) -> None:
    run_case(make_case(seed, tmp_path, per_case=200))
