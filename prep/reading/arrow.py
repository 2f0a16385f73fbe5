"""Arrow data as rows: Parquet files (pyarrow) and Hugging Face `datasets.Dataset` objects.

Each row is a record of JSON values, numbered from 1 in the order of the data:
row N is reported as line N (``dataset[N - 1]``). Rows are read a batch at a
time, so memory stays flat whatever the number of rows. Arrow gives every
struct every field of its type, so a field that is null (``"tool_calls": null``
in a message that has no tool call) is left out of the record, as it would be
absent from the JSON the data came from; a null column of a row is left out
the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from typing import Any

from ..errors import require
from .sources import open_source, redact, stat_source
from .table import FileType, ReadOptions, Row, Table

__all__ = [
    "BATCH_ROWS",
    "dataset_table",
    "is_dataset",
    "iter_row_group",
    "iter_rows",
    "read_parquet",
    "row_groups",
]

#: Rows converted from Arrow to Python at a time.
BATCH_ROWS = 1024


def without_nulls(value: Any) -> Any:
    """``value`` with null fields left out of every object in it (lists keep their nulls)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def iter_rows(batches: Iterable[Any], first: int = 1) -> Iterator[Row]:
    """The rows of Arrow record batches (or tables), numbered from ``first``."""
    number = first
    for batch in batches:
        for record in batch.to_pylist():
            yield Row(number, without_nulls(record))
            number += 1


def read_parquet(location: str | os.PathLike[str], options: ReadOptions) -> Table:
    """A Parquet file (a path or a URL) as rows; the file stays open until the table is closed."""
    pq = require("pyarrow.parquet", "parquet")
    stack = ExitStack()
    fp = stack.enter_context(open_source(stat_source(os.fspath(location))))
    parquet = pq.ParquetFile(fp)
    rows = iter_rows(parquet.iter_batches(batch_size=BATCH_ROWS))
    name = redact(os.fspath(location))
    return Table(name, FileType.PARQUET, parquet.schema_arrow.names, rows, tabular=False, closer=stack.close)


def row_groups(location: str) -> list[tuple[int, int]]:
    """(rows, uncompressed bytes) of each row group of a Parquet file, read from its footer."""
    pq = require("pyarrow.parquet", "parquet")
    with open_source(stat_source(location)) as fp:
        meta = pq.ParquetFile(fp).metadata
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        return [(g.num_rows, g.total_byte_size) for g in groups]


def iter_row_group(location: str, index: int, first: int) -> Iterator[Row]:
    """The rows of one row group of a Parquet file, numbered from ``first``, a batch at a time."""
    pq = require("pyarrow.parquet", "parquet")
    with open_source(stat_source(location)) as fp:
        batches = pq.ParquetFile(fp).iter_batches(batch_size=BATCH_ROWS, row_groups=[index])
        yield from iter_rows(batches, first)


def is_dataset(source: Any) -> bool:
    """True for a Hugging Face `datasets.Dataset` (tested without importing datasets)."""
    return any(c.__module__.startswith("datasets") and c.__name__ == "Dataset" for c in type(source).__mro__)


def dataset_table(dataset: Any, name: str) -> Table:
    """A `datasets.Dataset` as rows, in its order (after any select or shuffle), a batch at a time."""
    batches = dataset.with_format("arrow").iter(batch_size=BATCH_ROWS)
    return Table(name, None, list(dataset.column_names), iter_rows(batches), tabular=False)
