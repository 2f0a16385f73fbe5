"""Parquet files on a Dask cluster: one task per row group, rows numbered as in the whole file.

`parquet_work` reads a file's first rows here (they decide the data format and
the column mapping, as for a local check) and its footer (the rows of each row
group); each task (`scan_row_group`) then reads one row group straight from
storage on a worker, turns its rows into examples and scans them with the same
`tables.feed_examples` as a local check, and sends back the scan: the merged
report equals the local one.
"""

from __future__ import annotations

from itertools import accumulate, islice
from typing import TYPE_CHECKING

from ..reading.arrow import iter_row_group, row_groups
from ..reading.detect import SAMPLE_LINES
from ..reading.table import TableOptions
from ..validation.distributed import Work
from ..validation.parallel import worker_counter
from ..validation.scan import FileScan, LazyCounter, Plan
from .examples import to_example
from .mapping import ColumnMap
from .tables import feed_examples, open_examples, start_scan

if TYPE_CHECKING:
    from ..targets.budget import Budget
    from ..targets.profile import Target
    from ..validation.options import CheckOptions

__all__ = ["parquet_work", "scan_row_group"]


def parquet_work(
    location: str, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> Work:
    """The row-group tasks of a Parquet file (a path or a URL), planned from its first rows."""
    table_options = options.table or TableOptions()
    with open_examples(location, table_options) as examples:
        sample = list(islice(examples.items, SAMPLE_LINES))
        scan = start_scan(examples, sample, options, target, budget, counter)
    groups = row_groups(location)
    firsts = accumulate((rows for rows, _ in groups), initial=1)
    tasks = [
        (scan_row_group, (scan.plan, examples.mapping, table_options.system, location, i, first, size))
        for i, (first, (_, size)) in enumerate(zip(firsts, groups, strict=False))
    ]
    return Work(tasks, into=scan, numbered=True, sized=False)


def scan_row_group(
    plan: Plan, mapping: ColumnMap, system: str | None, location: str, index: int, first: int, size: int
) -> tuple[FileScan, int]:
    """Scan row group ``index`` of a Parquet file, its rows numbered from ``first`` (runs on a worker)."""
    scan = FileScan(plan, worker_counter(plan))
    rows = iter_row_group(location, index, first)
    feed_examples(scan, (to_example(row, mapping, system=system) for row in rows))
    return scan, size
