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

from ..conversion.tables import check_file, check_table, is_frame
from ..errors import MappingError, UnreadableFileError
from ..issues import Issue
from ..reading.arrow import is_dataset
from ..reports.report import FileReport, Report
from ..targets.budget import Budget
from ..targets.profile import Target
from ..validation.checker import check_records, check_training, prepare, report_of
from ..validation.options import CheckOptions
from ..validation.scan import LazyCounter
from .cluster import check_files_on_cluster, check_training_on_cluster
from .walk import DataFile

__all__ = ["check_files", "check_valid", "check_values", "file_problem"]


def check_files(files: Sequence[DataFile], options: CheckOptions) -> tuple[list[FileReport | None], Report]:
    """Check files with ``options``: each file's report (None for one left out), and the whole report."""
    target, budget, counter = prepare(options)
    if options.dask is not None:
        here = functools.partial(_check_one, options=options, target=target, budget=budget, counter=counter)
        reports = check_files_on_cluster(files, options, target, budget, counter, here)
    else:
        reports = [_check_one(file, options, target, budget, counter) for file in files]
    report = report_of([r for r in reports if r is not None], target, budget, counter)
    kept = iter(report.files)
    return [None if r is None else next(kept) for r in reports], report


def _check_one(
    file: DataFile, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> FileReport | None:
    try:
        return check_file(file.path, options, target, budget, counter)
    except MappingError as exc:
        not_data = file.found and not exc.recognised
        return file_problem(file.path, "P117" if not_data else "P160", str(exc), target, options)
    except UnreadableFileError as exc:
        return file_problem(file.path, "P116", str(exc), target, options)


def file_problem(path: str, code: str, message: str, target: Target, options: CheckOptions) -> FileReport | None:
    """The report of a file that was not checked: one issue about it, or None when ``code`` is ignored."""
    if code in options.ignore:
        return None
    if code == "P117":
        message = f"Not fine-tuning data, so not checked: {message[:1].lower()}{message[1:]}"
    severity = target.severity(code)
    issue = Issue(code, severity, message, None, "", path)
    return FileReport(path, issues=[issue], codes=Counter({code: 1}), severities=Counter({severity: 1}), checked=False)


def check_valid(train: str | os.PathLike[str], valid: str | os.PathLike[str], options: CheckOptions) -> Report:
    """A training file and its validation file (paths or URLs), with leakage between them (P404)."""
    if options.dask is not None:
        return check_training_on_cluster(train, valid, options)
    return check_training(train, valid, options)


def check_values(source: Any, options: CheckOptions) -> Report:
    """A pandas DataFrame or a Hugging Face `datasets.Dataset` (read as a table, see `prep.convert`; row N is
    line N), or an iterable of records (dicts or models)."""
    target, budget, counter = prepare(options)
    if is_frame(source) or is_dataset(source):
        files = [check_table(source, options, target, budget, counter)]
    else:
        files = [check_records(source, options, target, budget, counter)]
    return report_of(files, target, budget, counter)
