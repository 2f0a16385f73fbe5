"""How far a check has got, as it goes: bytes and examples done, sent to the ``prep.progress`` logger.

Nothing here prints. A run of files says how many bytes it holds (`announce_run`),
and each file, once checked, says so (`file_done`);
the scan of a file reports its position (`FileProgress.update`: from the
single-process loop every `EVERY_LINES` lines or `EVERY_BYTES` bytes, whichever
comes first, never on each line, or from the counters the workers of a parallel
scan add to as often); at most every
`INTERVAL` seconds a record goes to the logger, carrying a `ProgressEvent` as
its ``progress`` attribute. The command line draws them on a terminal
(`prep.cli.progress`); a program may attach its own handler. While no handler
takes INFO records from that logger, nothing is measured.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

__all__ = [
    "EVERY_BYTES",
    "EVERY_LINES",
    "INTERVAL",
    "FileProgress",
    "ProgressEvent",
    "announce_run",
    "file_done",
    "progress_log",
]

progress_log = logging.getLogger("prep.progress")
#: Seconds between two records about one file.
INTERVAL = 0.2
#: Lines between two looks at the clock in a scan (a worker's: between two additions to the shared counters)...
EVERY_LINES = 256
#: ...or fewer lines when they are long: bytes between two looks (a 10 kB line would make 256 of them 2.5 MB).
EVERY_BYTES = 64 * 1024


@dataclass(frozen=True)
class ProgressEvent:
    """``kind`` "run": a run of ``files`` files holding ``total_bytes`` begins; "file": ``bytes_done`` of
    the ``total_bytes`` of ``path`` are scanned, holding ``examples`` examples; "done": the file is finished."""

    kind: str
    path: str | None
    total_bytes: int
    bytes_done: int = 0
    examples: int = 0
    files: int = 1


def _send(event: ProgressEvent) -> None:
    extra = {"progress": event}
    if event.kind == "run":
        progress_log.info("%s file(s), %.1f MB to check", event.files, event.total_bytes / 1e6, extra=extra)
    else:
        mb = f"{event.bytes_done / 1e6:,.1f} of {event.total_bytes / 1e6:,.1f} MB"
        progress_log.info("%s: %s, %s examples", event.path, mb, f"{event.examples:,}", extra=extra)


def file_done(path: str, examples: int) -> None:
    """Say that ``path`` is checked, whatever its type (its size counts as done)."""
    if progress_log.isEnabledFor(logging.INFO):
        size = _size(path)
        _send(ProgressEvent("done", path, size, size, examples))


def announce_run(paths: list[str]) -> None:
    """Say that a run of these files begins (for the time left over the whole run)."""
    if progress_log.isEnabledFor(logging.INFO):
        _send(ProgressEvent("run", None, sum(_size(p) for p in paths), files=len(paths)))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class FileProgress:
    """The progress through one file; ``enabled`` is False when nobody listens (then every call is a no-op)."""

    def __init__(self, path: str, total_bytes: int) -> None:
        self.path, self.total_bytes = path, total_bytes
        self.enabled = progress_log.isEnabledFor(logging.INFO)
        self.bytes_done = self.examples = 0
        self._last = 0.0
        self._sent = (-1, -1)

    def update(self, bytes_done: int, examples: int) -> None:
        """The scan is at byte ``bytes_done`` and has seen ``examples`` examples."""
        self.bytes_done, self.examples = bytes_done, examples
        self._maybe_send()

    def flush(self) -> None:
        """Send where the scan ended, if the last record said less."""
        if self.enabled and self._sent != (self.bytes_done, self.examples):
            self._last = 0.0
            self._maybe_send()

    def _maybe_send(self) -> None:
        now = time.monotonic()
        if self.enabled and now - self._last >= INTERVAL:
            self._last, self._sent = now, (self.bytes_done, self.examples)
            _send(ProgressEvent("file", self.path, self.total_bytes, self.bytes_done, self.examples))
