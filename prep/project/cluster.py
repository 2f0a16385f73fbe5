"""`prep.check(..., dask=...)`: the JSONL files of a check scanned on a Dask cluster.

The cluster is opened for one check (`validation.distributed.open_cluster`);
every JSONL file's byte ranges go to it at once, while files of other types
(CSV, XLSX, JSON) are checked here as usual. The reports come back in the
order the files were given, the same as a check without a cluster.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..conversion.tables import check_file
from ..reading.files import detect_file_type
from ..reading.sources import stat_source
from ..reading.table import FileType
from ..reports.report import FileReport, Report
from ..targets.budget import Budget
from ..targets.profile import Target
from ..validation.checker import prepare, report_of
from ..validation.options import CheckOptions
from ..validation.scan import LazyCounter

__all__ = ["check_files_on_cluster", "check_training_on_cluster"]


def check_files_on_cluster(
    paths: Sequence[str | os.PathLike[str]],
    options: CheckOptions,
    target: Target,
    budget: Budget | None,
    counter: LazyCounter,
) -> list[FileReport]:
    """Each file's report: JSONL files (paths or URLs) on the cluster ``options.dask``, the others here."""
    from ..validation.distributed import check_sources, open_cluster

    assert options.dask is not None
    forced = options.table.file_type if options.table else None
    locations = [os.fspath(p) for p in paths]
    jsonl = [i for i, p in enumerate(locations) if detect_file_type(p, forced) is FileType.JSONL]
    sources = [stat_source(locations[i]) for i in jsonl]
    with open_cluster(options.dask) as client:
        found = dict(zip(jsonl, check_sources(client, sources, options, target, budget, counter), strict=True))
    for i, location in enumerate(locations):
        if i not in found:
            found[i] = check_file(location, options, target, budget, counter)
    return [found[i] for i in range(len(locations))]


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
