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
from ..validation.checker import CheckRun, prepare, report_of
from ..validation.dataset import finish
from ..validation.options import CheckOptions
from .walk import DataFile

if TYPE_CHECKING:
    from ..validation.distributed import Work

__all__ = ["check_files_on_cluster", "check_training_on_cluster"]

#: A file's reports, one per target (None when it is left out of the report).
Reports = list[FileReport] | None


def check_files_on_cluster(
    files: Sequence[DataFile], run: CheckRun, here: Callable[[DataFile], Reports]
) -> list[Reports]:
    """Each file's reports: JSONL and Parquet files (paths or URLs) on the cluster ``run.options.dask``, the
    others (and a Parquet file whose columns fill no record) checked ``here``."""
    from ..validation.distributed import open_cluster, run_on

    assert run.options.dask is not None
    found: dict[int, Reports] = {}
    with open_cluster(run.options.dask) as client:
        works = {i: w for i, f in enumerate(files) if (w := _work(client, f.path, run))}
        for i, (group, size) in zip(works, run_on(client, list(works.values()), run.tokenizers), strict=True):
            found[i] = [finish(scan, size=size, today=run.today) for scan in group.scans]
    for i, file in enumerate(files):
        if i not in found:
            found[i] = here(file)
    return [found[i] for i in range(len(files))]


def _work(client: Any, location: str, run: CheckRun) -> Work | None:
    """A file's tasks on the cluster: byte ranges of JSONL, row groups of Parquet; None for other types."""
    from ..conversion.row_groups import parquet_work
    from ..validation.distributed import jsonl_work, plan_on_cluster

    table = run.options.table
    file_type = detect_file_type(location, table.file_type if table else None)
    if file_type is FileType.JSONL:
        source = stat_source(location)
        return jsonl_work(source, plan_on_cluster(client, source, run))
    if file_type is FileType.PARQUET:
        try:
            return parquet_work(location, run)
        except (MappingError, UnreadableFileError):
            return None  # checked here, where it becomes one issue about the file
    return None


def check_training_on_cluster(
    train: str | os.PathLike[str], valid: str | os.PathLike[str], options: CheckOptions
) -> Report:
    """A training file and its validation file checked on the cluster ``options.dask`` (as `check_training`)."""
    from ..validation.distributed import check_pair_on, open_cluster

    assert options.dask is not None
    run = prepare(options)
    sources = stat_source(os.fspath(train)), stat_source(os.fspath(valid))
    with open_cluster(options.dask) as client:
        return report_of(check_pair_on(client, *sources, run), run)
