"""Progress on a terminal: the ``prep.progress`` records drawn as one line on stderr, rewritten in place.

Shown only when stderr is a terminal and ``-q`` was not given, and only once a run has lasted
`DELAY` seconds (a quick check prints nothing); the line is erased before the report is written.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from ..validation.progress import ProgressEvent, progress_log

__all__ = ["DELAY", "RATE_AFTER", "ProgressLine", "show_progress"]

#: Seconds a run lasts before its progress is shown (counted once the command has started: Python's start
#: and the imports come before it, so that the line is up within two seconds of a large file's check).
DELAY = 0.5
#: Seconds of reading before the rate and the time left are shown (the first moments say little of the rest).
RATE_AFTER = 1.0
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class ProgressLine(logging.Handler):
    """Keeps the run's totals from the events and draws them: files, bytes, examples, rate, time left."""

    def __init__(self, stream: TextIO, *, delay: float = DELAY, columns: int | None = None) -> None:
        super().__init__(logging.INFO)
        self.stream, self.delay, self.columns, self.started = stream, delay, columns, time.monotonic()
        self.run_files = self.run_bytes = 0  # 0: no run announced, the current file is the whole run
        self.files_done = self.bytes_before = self.examples_before = 0
        self.current: ProgressEvent | None = None
        self.shown = False
        self.origin: tuple[float, int] | None = None  # when the first bytes were done, and how many

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "progress", None)
        if not isinstance(event, ProgressEvent):  # a message of its own (a cluster's ranges done)
            if time.monotonic() - self.started >= self.delay:
                self._draw("prep: " + _UNPRINTABLE.sub("?", record.getMessage()))
            return
        if event.kind == "run":
            self.run_files, self.run_bytes = event.files, event.total_bytes
        elif event.kind == "done":
            self.files_done += 1
            self.bytes_before += event.total_bytes
            self.examples_before += event.examples
            self.current = None
        else:
            self.current = event
        if time.monotonic() - self.started >= self.delay:
            self._draw(self.line())

    def line(self) -> str:
        """What the progress says now, e.g. "prep: 38% · 340.0 of 886.0 MB · 1,234 examples · 57.2 MB/s ·
        10 s left · big.jsonl" (the file last: a narrow terminal cuts it first)."""
        current = self.current
        done = self.bytes_before + (current.bytes_done if current else 0)
        examples = self.examples_before + (current.examples if current else 0)
        total = self.run_bytes or (current.total_bytes if current else 0) or done
        parts = [f"{100 * done / max(total, 1):.0f}%", f"{done / 1e6:,.1f} of {total / 1e6:,.1f} MB"]
        parts += [f"{examples:,} examples", *self._pace(done, total)]
        if self.run_files > 1:
            parts.append(f"file {min(self.files_done + 1, self.run_files):,} of {self.run_files:,}")
        if current:
            parts.append(_UNPRINTABLE.sub("?", current.path or ""))
        return "prep: " + " · ".join(parts)

    def _pace(self, done: int, total: int) -> list[str]:
        """The rate since the first bytes were done, and the time left at that rate; nothing until it has
        been measured for `RATE_AFTER` seconds (before the first bytes, the tokenizer loads: no rate)."""
        now = time.monotonic()
        if self.origin is None:
            self.origin = (now, done) if done else None
            return []
        since, before = self.origin
        if now - since < RATE_AFTER:
            return []
        rate = (done - before) / (now - since)
        left = [f"{_duration((total - done) / rate)} left"] if rate > 0 and done < total else []
        return [f"{rate / 1e6:,.1f} MB/s", *left]

    def _draw(self, text: str) -> None:
        width = self.columns or shutil.get_terminal_size().columns
        if len(text) >= width:  # a wrapped line could not be rewritten in place
            text = text[: max(width - 2, 0)] + "…"
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


@contextlib.contextmanager
def show_progress(enabled: bool, stream: TextIO | None = None) -> Iterator[None]:
    """While the block runs, draw the ``prep.progress`` records on ``stream`` (stderr) when it is a terminal."""
    stream = stream or sys.stderr
    if not enabled or not stream.isatty():
        yield
        return
    handler = ProgressLine(stream, delay=DELAY)
    level = progress_log.level
    progress_log.addHandler(handler)
    progress_log.setLevel(logging.INFO)
    try:
        yield
    finally:
        progress_log.removeHandler(handler)
        progress_log.setLevel(level)
        handler.clear()
