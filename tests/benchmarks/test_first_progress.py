"""first_progress.py runs `prep check` on a pseudo-terminal and says when the progress line came."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.benchmarks.conftest import BENCHMARKS
from tests.helpers import REPO


def test_it_runs_a_check_on_a_terminal_and_reports_its_times():
    bad = REPO / "sample_data" / "chat_bad.jsonl"
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / "first_progress.py"), str(bad), "--stop", "0", "--", "--isolated"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    first, line, moved, load = out.splitlines()
    assert re.fullmatch(rf"prep check {re.escape(str(bad))} --isolated: exit 1, [\d.]+ s, \d+ lines drawn", first)
    assert re.fullmatch(r"first line drawn: (never|[\d.]+ s  .*)", line)
    assert re.fullmatch(r"first bytes done: (never|[\d.]+ s  .*)", moved)
    assert load.startswith("load average: ")
