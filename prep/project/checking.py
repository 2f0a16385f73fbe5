"""Checking sources with one set of options, without configuration: files, a DataFrame, records.

`check_files` checks data files (named, or found in a folder: `.walk`). A
file whose content cannot be read, or whose columns fill no record, does not
stop the run: it becomes one issue about the file (`file_problem`), and the
other files are checked; with ``options.dask`` the JSONL and Parquet files are
checked on a Dask cluster (`.cluster`). `check_values` checks a DataFrame, a
`datasets.Dataset` or records held in memory. ``prep.check`` (`.runner.check`) adds the project's configuration and
baselines on top.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..errors import InputError, MappingError, UnreadableFileError
from ..issues import Issue
from ..reading.arrow import is_dataset
from ..reading.files import detect_file_type
from ..reading.sources import stat_source
from ..reading.table import FileType
from ..reports.report import FileReport, Report
from ..targets.profile import DataFormat
from ..validation.checker import CheckRun, check_records, check_training, prepare, report_of, scan_jsonl
from ..validation.dataset import finish
from ..validation.options import CheckOptions
from ..validation.progress import file_done
from .cluster import check_files_on_cluster, check_training_on_cluster
from .walk import DataFile

__all__ = ["check_file", "check_files", "check_valid", "check_values", "file_problem"]


def check_files(files: Sequence[DataFile], options: CheckOptions) -> tuple[list[FileReport | None], Report]:
    """Check files with ``options``: each file's report (None for one left out), and the whole report."""
    run = prepare(options)
    if options.dask is not None:
        reports = check_files_on_cluster(files, run, functools.partial(_check_one, run=run))
    else:
        reports = []
        for file in files:
            reports.append(_check_one(file, run))
            file_done(file.path, reports[-1][0].examples if reports[-1] else 0)
    report = report_of([r for r in reports if r is not None], run)
    kept = iter(report.files)
    return [None if r is None else next(kept) for r in reports], report


def _check_one(file: DataFile, run: CheckRun) -> list[FileReport] | None:
    """The file's report for each target (None when it is left out)."""
    try:
        return check_file(file.path, run)
    except MappingError as exc:
        not_data = file.found and not exc.recognised
        return file_problem(file.path, "P117" if not_data else "P160", str(exc), run)
    except UnreadableFileError as exc:
        return file_problem(file.path, "P116", str(exc), run)


def check_file(path: str | os.PathLike[str], run: CheckRun) -> list[FileReport]:
    """Check any data file: JSONL line by line (a local path or a URL, compressed or not), other types as
    tables; a report per target. The tables' modules (`prep.conversion.tables`) are imported for tables and
    prompt/completion data only, so that a hook checking chat files starts without them."""
    location = os.fspath(path)
    if os.path.isfile(location):
        try:
            open(location, "rb").close()
        except OSError as exc:  # permissions: one sentence, not a traceback
            raise InputError(f"Cannot read {location!r}: {exc.strerror or exc}.") from None
    table = run.options.table
    if detect_file_type(location, table.file_type if table else None) is not FileType.JSONL:
        from ..conversion.tables import check_table

        return check_table(location, run)
    group, size = scan_jsonl(stat_source(location), run)
    if any(s.plan.ctx is not None and s.plan.ctx.format is DataFormat.COMPLETION for s in group.scans):
        from ..conversion.tables import advise_completions

        advise_completions(group, location, run)
    return [finish(scan, size=size, today=run.today) for scan in group.scans]


def file_problem(path: str, code: str, message: str, run: CheckRun) -> list[FileReport] | None:
    """The report, for each target, of a file that was not checked: one issue about it (None when ignored)."""
    if not run.options.reports(code):
        return None
    if code == "P117":
        message = f"Not fine-tuning data, so not checked: {message[:1].lower()}{message[1:]}"
    out = []
    for target in run.targets:
        severity = target.severity(code)
        issue = Issue(code, severity, message, None, "", path)
        counts = Counter({code: 1}), Counter({severity: 1})
        out.append(FileReport(path, issues=[issue], codes=counts[0], severities=counts[1], checked=False))
    return out


def check_valid(train: str | os.PathLike[str], valid: str | os.PathLike[str], options: CheckOptions) -> Report:
    """A training file and its validation file (paths or URLs), with leakage between them (P404)."""
    if options.dask is not None:
        return check_training_on_cluster(train, valid, options)
    report = check_training(train, valid, options)
    for path, file in zip((train, valid), report.files, strict=False):
        file_done(os.fspath(path), file.examples)
    return report


def check_values(source: Any, options: CheckOptions) -> Report:
    """A pandas DataFrame or a Hugging Face `datasets.Dataset` (read as a table, see `prep.convert`; row N is
    line N), or an iterable of records (dicts or models)."""
    from ..conversion.tables import check_table, is_frame

    run = prepare(options)
    table = is_frame(source) or is_dataset(source)
    return report_of([check_table(source, run) if table else check_records(source, run)], run)
