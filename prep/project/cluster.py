"""`prep.check(..., dask=...)`: the JSONL files of a check scanned on a Dask cluster.

The cluster is opened for one check (`validation.distributed.open_cluster`);
the byte ranges of every JSONL file and the row groups of every Parquet file
go to it at once, while files of other types (CSV, XLSX, JSON) are checked
here as usual. The reports come back in the
order the files were given, the same as a check without a cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MappingError, UnreadableFileError
from ..reading.files import detect_file_type
from ..reading.sources import stat_source
from ..reading.table import FileType
from ..reports.report import FileReport, Report
from ..targets.budget import Budget
from ..targets.profile import Target
from ..validation.checker import prepare, report_of
from ..validation.dataset import finish
from ..validation.options import CheckOptions
from ..validation.scan import LazyCounter
from .walk import DataFile

if TYPE_CHECKING:
    from ..validation.distributed import Work

__all__ = ["check_files_on_cluster", "check_training_on_cluster"]


def check_files_on_cluster(
    files: Sequence[DataFile],
    options: CheckOptions,
    target: Target,
    budget: Budget | None,
    counter: LazyCounter,
    here: Callable[[DataFile], FileReport | None],
) -> list[FileReport | None]:
    """Each file's report: JSONL and Parquet files (paths or URLs) on the cluster ``options.dask``, the
    others (and a Parquet file whose columns fill no record) checked ``here``."""
    from ..validation.distributed import open_cluster, run

    assert options.dask is not None
    found: dict[int, FileReport | None] = {}
    with open_cluster(options.dask) as client:
        works = {i: w for i, f in enumerate(files) if (w := _work(client, f.path, options, target, budget, counter))}
        for i, (scan, size) in zip(works, run(client, list(works.values()), counter), strict=True):
            found[i] = finish(scan, size=size)
    for i, file in enumerate(files):
        if i not in found:
            found[i] = here(file)
    return [found[i] for i in range(len(files))]


def _work(
    client: Any, location: str, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> Work | None:
    """A file's tasks on the cluster: byte ranges of JSONL, row groups of Parquet; None for other types."""
    from ..conversion.row_groups import parquet_work
    from ..validation.distributed import jsonl_work, plan_on_cluster

    file_type = detect_file_type(location, options.table.file_type if options.table else None)
    if file_type is FileType.JSONL:
        source = stat_source(location)
        return jsonl_work(source, plan_on_cluster(client, source, target, options, budget))
    if file_type is FileType.PARQUET:
        try:
            return parquet_work(location, options, target, budget, counter)
        except (MappingError, UnreadableFileError):
            return None  # checked here, where it becomes one issue about the file
    return None


def check_training_on_cluster(
    train: str | os.PathLike[str], valid: str | os.PathLike[str], options: CheckOptions
) -> Report:
    """A training file and its validation file checked on the cluster ``options.dask`` (as `check_training`)."""
    from ..validation.distributed import check_pair_on, open_cluster

    assert options.dask is not None
    target, budget, counter = prepare(options)
    sources = stat_source(os.fspath(train)), stat_source(os.fspath(valid))
    with open_cluster(options.dask) as client:
        files = check_pair_on(client, *sources, options, target, budget, counter)
    return report_of(files, target, budget, counter)
