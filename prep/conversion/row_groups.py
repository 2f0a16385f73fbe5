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

from ..reading.arrow import iter_row_group, row_groups
from ..reading.detect import SAMPLE_LINES
from ..reading.table import TableOptions
from ..validation.checker import CheckRun
from ..validation.distributed import Work
from ..validation.group import ScanGroup
from ..validation.parallel import worker_tokenizers
from ..validation.scan import Plan
from .examples import to_example
from .mapping import ColumnMap
from .tables import feed_examples, open_examples, start_scan

__all__ = ["parquet_work", "scan_row_group"]


def parquet_work(location: str, run: CheckRun) -> Work:
    """The row-group tasks of a Parquet file (a path or a URL), planned from its first rows."""
    table_options = run.options.table or TableOptions()
    with open_examples(location, table_options) as examples:
        sample = list(islice(examples.items, SAMPLE_LINES))
        group = start_scan(examples, sample, run)
    groups = row_groups(location)
    firsts = accumulate((rows for rows, _ in groups), initial=1)
    plans = [scan.plan for scan in group.scans]
    tasks = [
        (scan_row_group, (plans, examples.mapping, table_options.system, location, i, first, size))
        for i, (first, (_, size)) in enumerate(zip(firsts, groups, strict=False))
    ]
    return Work(tasks, into=group, numbered=True, sized=False)


def scan_row_group(
    plans: list[Plan], mapping: ColumnMap, system: str | None, location: str, index: int, first: int, size: int
) -> tuple[ScanGroup, int]:
    """Scan row group ``index`` of a Parquet file, its rows numbered from ``first`` (runs on a worker)."""
    group = ScanGroup(plans, worker_tokenizers(plans[0].options))
    rows = iter_row_group(location, index, first)
    feed_examples(group, (to_example(row, mapping, system=system) for row in rows))
    return group, size
