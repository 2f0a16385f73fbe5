"""Scanning a file on every core: line-aligned byte ranges, merged in file order.

The report is the same for every number of jobs: each range is scanned with
line numbers counted from 1, and the parent shifts them while merging ranges
in order. Small files are scanned in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from ..reading.jsonl import Line, iter_lines
from .progress import EVERY_LINES, INTERVAL, FileProgress
from .scan import Plan, ScanGroup, Tokenizers

__all__ = ["MIN_PARALLEL_BYTES", "default_jobs", "line_ranges", "scan_file"]

#: Files smaller than this are scanned in one process: starting workers costs more.
MIN_PARALLEL_BYTES = 8 * 2**20
#: Ranges per worker, so that a range of long examples does not keep one core busy alone.
RANGES_PER_JOB = 16
#: The largest range: a range done is a step of the progress shown, about half a second of one core's work.
MAX_RANGE_BYTES = 16 * 2**20


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def line_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """Cut a file into at most ``parts`` byte ranges that each start at a line start."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as fp:
        for i in range(1, parts):
            start = _next_line_start(fp, max(size * i // parts, cuts[-1]))
            if start >= size:
                break
            if start > cuts[-1]:
                cuts.append(start)
    return list(zip(cuts, [*cuts[1:], size], strict=True))


def _next_line_start(fp: IO[bytes], pos: int) -> int:
    if pos == 0:
        return 0
    fp.seek(pos - 1)  # a line starts at pos if the byte before it ends a line
    while True:
        piece = fp.readline(1 << 20)
        if not piece or piece.endswith(b"\n"):
            return fp.tell()


def scan_file(plans: list[Plan], path: Path, tokenizers: Tokenizers) -> ScanGroup:
    """Scan the whole file for each plan's target, on ``options.jobs`` cores when it is large enough.

    Progress goes to the ``prep.progress`` logger (`.progress`) as the lines are read, in this
    process or in the workers.
    """
    options = plans[0].options
    jobs = options.jobs or default_jobs()
    size = path.stat().st_size
    scan, progress = ScanGroup(plans, tokenizers), FileProgress(str(path), size)
    parts = max(jobs * RANGES_PER_JOB, size // MAX_RANGE_BYTES)
    ranges = line_ranges(path, parts) if jobs > 1 and size >= MIN_PARALLEL_BYTES else []
    if len(ranges) < 2:
        with path.open("rb") as fp:
            tick = (lambda: progress.update(fp.tell(), scan.scans[0].examples)) if progress.enabled else None
            _feed(scan, iter_lines(fp, max_line_bytes=options.max_line_bytes), tick)
    else:
        _scan_ranges(scan, plans, path, ranges, jobs, progress)
    return scan


def _feed(scan: ScanGroup, lines: Iterator[Line], tick: Callable[[], None] | None) -> None:
    """Feed every line to ``scan``; call ``tick`` every `EVERY_LINES` lines (never on each one) and at the end."""
    if tick is None:
        for line in lines:
            scan.feed(line)
        return
    for n, line in enumerate(lines, 1):
        scan.feed(line)
        if not n % EVERY_LINES:
            tick()
    tick()


def _scan_ranges(
    scan: ScanGroup, plans: list[Plan], path: Path, ranges: list[tuple[int, int]], jobs: int, progress: FileProgress
) -> None:
    """Scan the ranges on ``jobs`` workers and merge them in file order. With progress on, the workers add
    the bytes and examples they have read to one shared pair of counters, which this process reports."""
    context = _context()
    done = context.Array("q", 2) if progress.enabled else None  # [bytes, examples] over every worker
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_share, initargs=(done,)) as pool:
        futures = [pool.submit(scan_range, plans, str(path), r) for r in ranges]
        for future in futures:
            while done is not None and not wait([future], timeout=INTERVAL).done:
                progress.update(done[0], done[1])
            scan.merge(future.result(), line_offset=scan.lines)
            if done is not None:
                progress.update(done[0], done[1])


#: In a worker: the counters its ranges add to while progress is shown (see `_scan_ranges`).
_done: Any = None


def _share(done: Any) -> None:
    global _done
    _done = done


#: A worker's token counters, kept across the ranges it scans so that strings repeated
#: through the file (system prompts, tool definitions) are encoded once per worker.
_tokenizers: dict[str | None, Tokenizers] = {}


def scan_range(plans: list[Plan], path: str, byte_range: tuple[int, int]) -> ScanGroup:
    """Scan the lines that start in ``byte_range``, numbering them from 1 (runs in a worker)."""
    options = plans[0].options
    tokenizers = _tokenizers.setdefault(options.tiktoken_dir, Tokenizers(options.tiktoken_dir))
    scan = ScanGroup(plans, tokenizers)
    start, end = byte_range
    with open(path, "rb") as fp:
        lines = iter_lines(fp, max_line_bytes=options.max_line_bytes, start=start, end=end)
        _feed(scan, lines, _Counting(fp, scan, start) if _done is not None else None)
    return scan


class _Counting:
    """Adds what a worker read since its last call to the shared counters."""

    def __init__(self, fp: IO[bytes], scan: ScanGroup, start: int) -> None:
        self.fp, self.scan, self.pos, self.examples = fp, scan, start, 0

    def __call__(self) -> None:
        pos, examples = self.fp.tell(), self.scan.scans[0].examples
        with _done.get_lock():
            _done[0] += pos - self.pos
            _done[1] += examples - self.examples
        self.pos, self.examples = pos, examples


def _context() -> multiprocessing.context.BaseContext:
    """fork where it is safe (Linux, no other threads), spawn elsewhere."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")
