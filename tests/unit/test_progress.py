"""Progress: bytes and examples done, to the prep.progress logger; drawn on a terminal only, never on a
pipe or with -q; the report is the same with progress on."""

from __future__ import annotations

import io
import logging
import os
import pty
import subprocess
import sys

import pytest

import prep
import prep.cli.progress
import prep.validation.parallel
from prep.cli.progress import ProgressLine
from prep.reading.jsonl import Line
from prep.validation.progress import ProgressEvent, progress_log
from tests.helpers import REPO, generated


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return generated(tmp_path_factory.mktemp("gen") / "gen.jsonl", "2MB", 5)


class Events(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.events = []

    def emit(self, record):
        self.events.append(record.progress)


@pytest.fixture
def events():
    handler = Events()
    level = progress_log.level
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    yield handler.events
    progress_log.removeHandler(handler)
    progress_log.setLevel(level)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_check_reports_bytes_and_examples_as_it_goes_and_the_same_report(data, jobs, events, monkeypatch):
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    report = prep.check(data, jobs=jobs)
    size, examples = data.stat().st_size, report.files[0].examples
    run, *scanning, done = events
    assert (run.kind, run.files, run.total_bytes) == ("run", 1, size)
    assert (done.kind, done.path, done.bytes_done, done.examples) == ("done", str(data), size, examples)
    assert scanning and all(e.kind == "file" and e.total_bytes == size for e in scanning)
    assert [e.bytes_done for e in scanning] == sorted(e.bytes_done for e in scanning)  # it only goes forward
    assert (scanning[-1].bytes_done, scanning[-1].examples) == (size, examples)  # and ends where the file does
    progress_log.setLevel(logging.WARNING)  # nobody listens: nothing is measured, and the report is the same
    assert prep.check(data, jobs=jobs) == report


def test_without_a_listener_nothing_is_sent(data, events):
    progress_log.setLevel(logging.WARNING)
    prep.check(data, jobs=1)
    assert events == []


class Clock:
    """`time` as prep.cli.progress sees it, moved by the test."""

    def __init__(self):
        self.now = 100.0

    def monotonic(self):
        return self.now


def test_the_line_says_percent_bytes_examples_rate_time_left_and_the_file(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(prep.cli.progress, "time", clock)
    out = io.StringIO()
    line = ProgressLine(out, delay=0, columns=200)

    def drawn():
        return out.getvalue().split("\r")[-1]

    line.handle(_record(ProgressEvent("run", None, 4_000_000, files=2)))
    clock.now += 3  # the tokenizer loads: no rate from that
    line.handle(_record(ProgressEvent("file", "a.jsonl", 1_000_000, 200_000, 500)))
    assert drawn() == "prep: 5% · 0.2 of 4.0 MB · 500 examples · file 1 of 2 · a.jsonl\x1b[K"  # no rate yet
    clock.now += 0.5
    line.handle(_record(ProgressEvent("file", "a.jsonl", 1_000_000, 300_000, 700)))
    assert " MB/s" not in drawn()  # measured for less than RATE_AFTER seconds
    clock.now += 0.5
    line.handle(_record(ProgressEvent("file", "a.jsonl", 1_000_000, 500_000, 1_200)))
    # 300,000 bytes in the second since the first bytes: 0.3 MB/s, 3.5 MB left
    assert drawn() == "prep: 12% · 0.5 of 4.0 MB · 1,200 examples · 0.3 MB/s · 12 s left · file 1 of 2 · a.jsonl\x1b[K"
    line.handle(_record(ProgressEvent("done", "a.jsonl", 1_000_000, 1_000_000, 2_000)))
    clock.now += 1
    line.handle(_record(ProgressEvent("file", "b\n.jsonl", 3_000_000, 3_000_000, 10)))
    assert drawn() == "prep: 100% · 4.0 of 4.0 MB · 2,010 examples · 1.9 MB/s · file 2 of 2 · b?.jsonl\x1b[K"
    line.clear()
    assert out.getvalue().endswith("\r\x1b[K")


def test_nothing_is_drawn_before_the_delay():
    out = io.StringIO()
    line = ProgressLine(out, delay=3600)
    line.handle(_record(ProgressEvent("file", "a.jsonl", 10, 5, 1)))
    line.clear()
    assert out.getvalue() == ""


def _record(event):
    record = logging.LogRecord("prep.progress", logging.INFO, __file__, 0, "", (), None)
    record.progress = event
    return record


# The command line, with DELAY at 0 so that a small file shows its progress (no timing in tests).
RUN = "import sys, prep.cli.progress as p; p.DELAY = 0; from prep.cli.main import main; sys.exit(main(sys.argv[1:]))"


def run_with_stderr_on(tty: bool, *args):
    """Run `prep check` with stderr on a pseudo-terminal (or a pipe); return (exit code, stdout, stderr)."""
    if not tty:
        done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, cwd=REPO, check=False)
        return done.returncode, done.stdout.decode(), done.stderr.decode()
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", RUN, *args], stdout=subprocess.PIPE, stderr=slave, cwd=REPO)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        err += chunk
    out = proc.communicate()[0]
    os.close(master)
    return proc.returncode, out.decode(), err.decode()


def test_progress_is_drawn_on_a_terminal_and_erased_before_the_report(data):
    code, out, err = run_with_stderr_on(True, "check", "--jobs", "1", str(data))
    assert code in (0, 1) and out.endswith(" warning(s)\n")
    drawn = [part for part in err.split("\r") if part.startswith("prep: ")]
    assert drawn and all(part.endswith("\x1b[K") for part in drawn)
    assert any(" examples · " in part and part.startswith("prep: 100% ") for part in drawn)
    assert err.endswith("\r\x1b[K")  # erased at the end


def test_no_progress_on_a_pipe_or_with_quiet(data):
    assert run_with_stderr_on(False, "check", "--jobs", "1", str(data))[2] == ""
    assert run_with_stderr_on(True, "check", "-q", "--jobs", "1", str(data))[2] == ""


def test_a_message_without_an_event_is_drawn_as_it_is():
    out = io.StringIO()
    ProgressLine(out, delay=0, columns=200).handle(
        logging.LogRecord("prep.progress", logging.INFO, __file__, 0, "%d/%d ranges", (3, 9), None)
    )
    assert out.getvalue() == "\rprep: 3/9 ranges\x1b[K"


def test_a_narrow_terminal_cuts_the_line_instead_of_wrapping_it():
    out = io.StringIO()
    ProgressLine(out, delay=0, columns=30).handle(_record(ProgressEvent("file", "a.jsonl", 1_000_000, 500_000, 1)))
    drawn = out.getvalue().removeprefix("\r").removesuffix("\x1b[K")
    assert len(drawn) == 29 and drawn.startswith("prep: 50% · 0.5 of 1.0 MB") and drawn.endswith("…")


class Lines:
    """What `_feed` gives each line to: counts them."""

    def __init__(self):
        self.fed = 0

    def feed(self, line):
        self.fed += 1


@pytest.mark.parametrize(
    ("count", "size", "ticks"),
    [
        (600, 100, 600 // 256 + 1),  # short lines: every 256 lines, and at the end
        (10, 70_000, 10 + 1),  # lines over 64 kB: after each, and at the end
        (40, 10_000, 40 // 7 + 1),  # 10 kB lines (a 1 GB file of long conversations): every 7th, not every 256th
    ],
)
def test_the_scan_looks_at_its_position_every_256_lines_or_64_kb(count, size, ticks):
    seen, scan = [], Lines()
    lines = iter([Line(n, b"x" * size) for n in range(1, count + 1)])
    prep.validation.parallel._feed(scan, lines, lambda: seen.append(scan.fed))
    assert scan.fed == count and len(seen) == ticks and seen[-1] == count
