"""Scanning a file on every core: line-aligned byte ranges, merged in file order.

The report is the same for every number of jobs: each range is scanned with
line numbers counted from 1, and the parent shifts them while merging ranges
in order. Small files, compressed files and URLs are scanned in the calling
process (`prep.validation.distributed` spreads those over a cluster).
`scan_part` is the unit of work of both: the lines that start in a byte range.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from pathlib import Path
from typing import IO, Any

from ..errors import TokenizerUnavailableError
from ..reading.jsonl import Line, iter_lines
from ..reading.sources import Source, is_url, open_source
from .counters import Tokenizers
from .encoders import load_encoder
from .group import ScanGroup
from .options import CheckOptions
from .progress import EVERY_BYTES, EVERY_LINES, INTERVAL, FileProgress
from .scan import Plan

__all__ = ["MIN_PARALLEL_BYTES", "default_jobs", "line_ranges", "scan_file", "scan_part", "worker_tokenizers"]

#: Files smaller than this are scanned in one process: starting workers costs more.
MIN_PARALLEL_BYTES = 8 * 2**20
#: Seconds between a worker's looks at whether its parent is still there.
PARENT_CHECK = 1.0
#: Ranges per worker, so that a range of long examples does not keep one core busy alone.
RANGES_PER_JOB = 16


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


def scan_file(plans: list[Plan], source: Source, tokenizers: Tokenizers) -> tuple[ScanGroup, int]:
    """Scan the whole source for each plan's target, on ``options.jobs`` cores when it is a large local file.

    Returns the scan and the bytes of data read (decompressed). Progress goes to the ``prep.progress``
    logger (`.progress`) as the lines are read, in this process or in the workers.
    """
    jobs = plans[0].options.jobs or default_jobs()
    scan = ScanGroup(plans, tokenizers)
    size = source.size or 0
    progress = FileProgress(source.name, size if source.splittable else 0)
    local = source.splittable and not is_url(source.location)
    large = local and jobs > 1 and size >= MIN_PARALLEL_BYTES
    ranges = line_ranges(Path(source.location), jobs * RANGES_PER_JOB) if large else []
    if len(ranges) < 2:
        scanned = scan_lines(scan, source, progress=progress)
        progress.flush()
        return scanned
    context = _context()
    if context.get_start_method() == "fork":
        _load_before_fork(plans)
    done = context.Array("q", 2) if progress.enabled else None  # [bytes, examples] read by every worker
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_share, initargs=(done,)) as pool:
        futures = [pool.submit(scan_range, plans, source.location, r) for r in ranges]
        for future in futures:
            while done is not None and not wait([future], timeout=INTERVAL).done:
                progress.update(done[0], done[1])  # what the workers have read so far
            scan.merge(future.result(), line_offset=scan.lines)
            if done is not None:
                progress.update(done[0], done[1])
    progress.flush()
    return scan, size


def _load_before_fork(plans: list[Plan]) -> None:
    """Load the encoders that count every example (statistics on) before the workers fork: they find them
    loaded (`load_encoder` keeps one per process), and share one copy of their tables in memory and in the
    processor's cache. One that cannot be loaded is left to the workers, whose reports say why."""
    for plan in plans:
        budget = plan.budget
        if budget is not None and budget.source is None and plan.options.stats:
            with contextlib.suppress(TokenizerUnavailableError):
                load_encoder(budget.encoding, plan.options.tiktoken_dir)


#: In a worker: the counters [bytes, examples] it adds to while progress is shown (see `scan_file`).
_done: Any = None


def _share(done: Any) -> None:
    global _done
    _done = done
    _end_with(os.getppid())


def _end_with(parent: int) -> None:
    """End this worker once ``parent`` is gone: a parent killed outright (SIGTERM, SIGKILL, the OOM killer)
    never shuts its pool down, and its workers would wait for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(1)

    threading.Thread(target=watch, name="prep-parent-watch", daemon=True).start()


#: A worker's token counters, kept across the ranges it scans so that strings repeated
#: through the file (system prompts, tool definitions) are encoded once per worker.
_tokenizers: dict[tuple[str | None, str | None], Tokenizers] = {}


def scan_range(plans: list[Plan], path: str, byte_range: tuple[int, int]) -> ScanGroup:
    """Scan the lines that start in ``byte_range``, numbering them from 1 (runs in a worker)."""
    return scan_part(plans, path, *byte_range)[0]


def scan_part(plans: list[Plan], source: Source | str, start: int = 0, end: int | None = None) -> tuple[ScanGroup, int]:
    """Scan the lines that start in [``start``, ``end``), numbered from 1, with this process's tokenizers.

    ``start`` need not be a line start: the lines begin at the first line start at or after it,
    so ranges cut anywhere cover every line once. Returns the scan and the bytes of its lines.
    """
    return scan_lines(ScanGroup(plans, worker_tokenizers(plans[0].options)), source, start, end)


def worker_tokenizers(options: CheckOptions) -> Tokenizers:
    """This process's token counters for ``options``, kept across the parts it scans."""
    key = (options.tiktoken_dir, options.chat_template)
    return _tokenizers.setdefault(key, Tokenizers(*key))


def scan_lines(
    scan: ScanGroup,
    source: Source | str,
    start: int = 0,
    end: int | None = None,
    *,
    progress: FileProgress | None = None,
) -> tuple[ScanGroup, int]:
    """Feed ``scan`` the lines of ``source`` that start in [``start``, ``end``); return it and their bytes.

    Every `EVERY_LINES` lines or `EVERY_BYTES` bytes (never on each line) the position goes to
    ``progress``, or, in a worker while progress is shown, to the shared counters.
    """
    max_line_bytes = scan.scans[0].plan.options.max_line_bytes
    with open_source(source) as fp:
        first = _next_line_start(fp, start)
        lines = iter_lines(fp, max_line_bytes=max_line_bytes, start=first, end=end)
        if progress is not None and progress.enabled:
            _feed(scan, lines, lambda: progress.update(fp.tell(), scan.scans[0].examples))
        else:
            _feed(scan, lines, _Counting(fp, scan, first) if _done is not None else None)
        return scan, fp.tell() - first


def _feed(scan: ScanGroup, lines: Iterator[Line], tick: Callable[[], None] | None) -> None:
    """Feed every line to ``scan``; call ``tick`` every `EVERY_LINES` lines or `EVERY_BYTES` bytes, and at the end."""
    if tick is None:
        for line in lines:
            scan.feed(line)
        return
    n = size = 0
    for line in lines:
        scan.feed(line)
        n, size = n + 1, size + len(line.data) + line.length
        if n >= EVERY_LINES or size >= EVERY_BYTES:
            tick()
            n = size = 0
    tick()


class _Counting:
    """Adds what a worker has read since its last call to the shared counters."""

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
