"""Checking sources on a Dask cluster: byte ranges (and row groups) as tasks, merged in file order.

`open_cluster` connects to a running ``distributed`` scheduler, or with
``local`` / ``local:N`` starts a `distributed.LocalCluster` of N worker
processes (one thread each; N defaults to the cores). A source's `Work` is
its list of tasks: for JSONL (`jsonl_work`), its plan is made on a worker
from its first lines (`plan_on_cluster`) and it is cut into byte ranges of
about `RANGE_BYTES` (a compressed source is one range: it cannot be entered
in the middle), each scanned by `parallel.scan_part`; Parquet row groups are
the tasks of `prep.conversion.row_groups`. `run` submits every task of every
source at once. A worker reads its part straight from storage and sends back
a `FileScan`: issues (capped per code), counts, statistics and 16 bytes per
example (its hash and line), never an example. The client merges each
source's parts in order as they arrive and hands back the whole scan, which
the caller finishes (`dataset.finish`: duplicates, counts) before its hashes
go: the report is the one a local run gives, issue for issue.

A worker that dies takes its running and held tasks with it; the scheduler
runs them again elsewhere (a task is a pure function of its part), so the
report stays the same. Progress (ranges done / total, MB/s) goes to the
``prep.progress`` logger; the command line shows it on stderr.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..errors import UsageError, require
from ..reading.sources import Source, redact
from ..reports.report import FileReport
from .checker import CheckRun, finish_pair, plan_file, sample, valid_run
from .counters import Tokenizers
from .group import ScanGroup
from .parallel import default_jobs, scan_part
from .scan import Plan

__all__ = [
    "RANGE_BYTES",
    "Work",
    "check_pair_on",
    "jsonl_work",
    "open_cluster",
    "parse_cluster",
    "plan_on_cluster",
    "run_on",
]

#: Bytes of a source per task: large enough that a task's fixed cost (~10 ms) is small beside
#: its scan (~1 s at 30-60 MB/s), small enough that a lost worker loses little.
RANGE_BYTES = 64 * 2**20
#: Seconds between progress messages.
PROGRESS_EVERY = 1.0

progress_log = logging.getLogger("prep.progress")


def parse_cluster(spec: str) -> int | None:
    """The worker processes of ``local[:N]`` (None: every core), or -1 for a scheduler address."""
    if spec != "local" and not spec.startswith("local:"):
        return -1
    count = spec.partition(":")[2]
    if not count:
        return None
    if not count.isdigit() or int(count) < 1:
        raise UsageError(f"--dask {spec}: N in local:N is a number of worker processes, 1 or more.")
    return int(count)


@contextmanager
def open_cluster(spec: str) -> Iterator[Any]:
    """A `distributed.Client` of the scheduler at ``spec``, or of a new local cluster (``local[:N]``)."""
    distributed = require("distributed", "dask")
    workers = parse_cluster(spec)
    if workers == -1:
        try:
            client = distributed.Client(spec, set_as_default=False)
        except OSError as exc:
            raise UsageError(f"--dask {redact(spec)}: cannot reach the scheduler ({redact(str(exc))}).") from exc
        with client:
            yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=workers or default_jobs(),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # its HTTP server (health, metrics) on any free port
        silence_logs=logging.ERROR,
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _plans(source: Source, run: CheckRun) -> list[Plan]:
    """A source's plan for each target, from its first lines (runs on a worker, next to the data)."""
    return plan_file(source.name, sample(source, run.options), run)


def ranges_of(source: Source) -> list[tuple[int, int | None]]:
    """Byte ranges of about `RANGE_BYTES`, cut anywhere (workers start at the next line); one for a stream."""
    if not source.splittable or not source.size:
        return [(0, None)]
    parts = max(1, math.ceil(source.size / RANGE_BYTES))
    cuts = [source.size * i // parts for i in range(parts + 1)]
    return list(pairwise(cuts))


@dataclass
class Work:
    """One source's tasks on the cluster, each ``(function, args)`` returning a part's scan and bytes read.

    The parts are merged in order into ``into`` (what was found about the whole source first), or into
    a new scan. ``numbered`` parts number their lines themselves (rows of a table); other parts number
    theirs from 1 and are shifted by the lines before them. ``sized``: the bytes read are the source's size.
    """

    tasks: list[tuple[Callable[..., tuple[ScanGroup, int]], tuple[Any, ...]]]
    into: ScanGroup | None = None
    numbered: bool = False
    sized: bool = True


@dataclass
class _Merging:
    """One source's part scans as they arrive, merged in order."""

    work: Work
    tokenizers: Tokenizers
    scan: ScanGroup | None = None
    size: int = 0
    waiting: dict[int, tuple[ScanGroup, int]] = field(default_factory=dict)
    merged: int = 0

    def __post_init__(self) -> None:
        self.scan = self.work.into

    @property
    def complete(self) -> bool:
        return self.merged == len(self.work.tasks)

    def add(self, index: int, part: tuple[ScanGroup, int]) -> None:
        """Keep a part's scan, and merge every part that is now next in order."""
        self.waiting[index] = part
        while self.merged in self.waiting:
            scan, size = self.waiting.pop(self.merged)
            if self.scan is None:
                self.scan = ScanGroup([s.plan for s in scan.scans], self.tokenizers)
            self.scan.merge(scan, line_offset=0 if self.work.numbered else self.scan.lines)
            self.size += size
            self.merged += 1


class _Progress:
    """Tasks done out of all, and the data rate, to the ``prep.progress`` logger at most once a second."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.bytes = total, 0, 0
        self.start = self.last = time.monotonic()

    def step(self, size: int) -> None:
        self.done += 1
        self.bytes += size
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY or self.done in (1, self.total):
            self.last = now
            rate = self.bytes / max(now - self.start, 1e-9) / 1e6
            progress_log.info("%d/%d ranges, %.1f MB, %.1f MB/s", self.done, self.total, self.bytes / 1e6, rate)


def run_on(client: Any, works: list[Work], tokenizers: Tokenizers) -> Iterator[tuple[ScanGroup, int | None]]:
    """Each source's whole scan and its size (None when not ``sized``), in order, from its tasks on the cluster."""
    distributed = require("distributed", "dask")
    where: dict[str, tuple[int, int]] = {}
    futures = []
    for i, work in enumerate(works):
        for j, (function, args) in enumerate(work.tasks):
            futures.append(client.submit(function, *args, pure=False))
            where[futures[-1].key] = (i, j)
    merging = [_Merging(work, tokenizers) for work in works]
    progress, next_out = _Progress(len(futures)), 0
    with client.as_current():
        arriving = distributed.as_completed(futures, with_results=True)
    futures.clear()  # a result is released on the cluster once it has arrived here
    for future, part in arriving:
        i, j = where.pop(future.key)
        progress.step(part[1])
        merging[i].add(j, part)
        while next_out < len(merging) and merging[next_out].complete:
            done, merging[next_out] = merging[next_out], _Merging(Work([]), tokenizers)  # let its hashes go
            assert done.scan is not None
            yield done.scan, done.size if done.work.sized else None
            next_out += 1


def jsonl_work(source: Source, plans: Any) -> Work:
    """The range tasks of a JSONL source; ``plans`` are its plans, or a future of them (resolved on the workers)."""
    return Work([(scan_part, (plans, source, start, end)) for start, end in ranges_of(source)])


def plan_on_cluster(client: Any, source: Source, run: CheckRun) -> Any:
    """A future of a JSONL source's plans, made on a worker from the source's first lines."""
    return client.submit(_plans, source, run, pure=False)


def check_pair_on(client: Any, train: Source, valid: Source, run: CheckRun) -> list[list[FileReport]]:
    """A training source and its validation source on the cluster, with leakage (P404), as `check_pair`."""
    t_plans = plan_on_cluster(client, train, run).result()
    v_plans = plan_on_cluster(client, valid, valid_run(run, t_plans))
    works = [jsonl_work(train, t_plans), jsonl_work(valid, v_plans)]
    (t, t_size), (v, v_size) = run_on(client, works, run.tokenizers)
    return finish_pair(t, t_size or 0, v, v_size or 0, run)
