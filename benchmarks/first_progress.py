"""How soon a check shows its progress on a terminal: `prep check FILE` with stdin, stdout and stderr on a pty.

    python benchmarks/first_progress.py FILE [--stop 15] [-- PREP-CHECK-OPTIONS...]

Times, from the start of the process, the first progress line drawn (``\\rprep: ...``), and the first
one that says some bytes are done; stops the check (and its workers) after ``--stop`` seconds (0: let it
finish). A user at a terminal sees what this reads, so the figures include Python's start and the imports.
Make a 1 GB file with ``python benchmarks/generate.py --size 1GB -o /tmp/big.jsonl``.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

DRAWN = re.compile(rb"\rprep: ([^\r\x1b]*)")


def prep_command() -> str:
    """The prep console script beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "prep"
    found = str(beside) if beside.exists() else shutil.which("prep")
    if not found:
        raise SystemExit("prep is not installed (pip install -e .)")
    return found


def watch(args: list[str], stop: float) -> tuple[int, list[tuple[float, str]], float]:
    """Run ``prep check ARGS`` on a pty; (exit code, every line drawn with its time, seconds the run lasted)."""
    master, slave = pty.openpty()
    started = time.monotonic()
    command = [prep_command(), "check", *args]
    proc = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    drawn: list[tuple[float, str]] = []
    while True:
        if select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the check ended
                break
            now = time.monotonic() - started
            drawn += [(now, m.group(1).decode(errors="replace")) for m in DRAWN.finditer(chunk)]
        elif proc.poll() is not None:
            break
        if stop and time.monotonic() - started > stop and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # its workers too
    code = proc.wait()
    os.close(master)
    return code, drawn, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--stop", type=float, default=15.0, help="seconds before the check is stopped (0: never)")
    argv = sys.argv[1:]
    ours, options = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    ns = parser.parse_args(ours)
    code, drawn, lasted = watch([ns.file, *options], ns.stop)
    moving = [(t, text) for t, text in drawn if not re.match(r"0% · 0\.0 of", text)]
    print(f"prep check {' '.join([ns.file, *options])}: exit {code}, {lasted:.1f} s, {len(drawn)} lines drawn")
    print(f"first line drawn: {drawn[0][0]:.2f} s  {drawn[0][1]}" if drawn else "first line drawn: never")
    print(f"first bytes done: {moving[0][0]:.2f} s  {moving[0][1]}" if moving else "first bytes done: never")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
