"""`prep.check`: any source in (paths, folders' files, a DataFrame, records), one `Report` out.

This is the one entry point that knows every kind of source: JSONL files go
to the line checker (`prep.validation`), tables through the column mapping
(`prep.conversion.tables`), records held in memory straight to the scan.
"""

from __future__ import annotations

import os
from typing import Any

from ..conversion.tables import check_file, check_table
from ..errors import UsageError
from ..reading.arrow import is_dataset
from ..reports.report import Report
from ..validation.checker import check_records, check_training, prepare, report_of
from ..validation.options import CheckOptions
from .cluster import check_files_on_cluster, check_training_on_cluster

__all__ = ["check"]


def check(
    source: Any, *, options: CheckOptions | None = None, valid: str | os.PathLike[str] | None = None, **kwargs: Any
) -> Report:
    """Check files (a path or a list of paths) or records held in memory.

    ``source`` is a path (str or Path), a list of paths, a pandas DataFrame
    (read as a table, see `prep.convert`), a Hugging Face `datasets.Dataset`
    (row N reported as line N), or an iterable of records (dicts or pydantic
    records). Keyword arguments are `CheckOptions`
    fields. Bad data never raises: it is in the report.

    ``valid`` names a validation file for the training file ``source`` (one
    path): it is checked as a validation file (`check_pair`), and each of its
    examples that is also in the training file gets a P404 warning.

    A path may be a URL (``s3://``, ``gs://``, ``hf://``, ``https://``) and a
    JSONL file may be compressed (``.gz``, ``.zst``). ``dask="local:2"`` (or a
    scheduler address) checks the JSONL files on a Dask cluster (`.cluster`).
    """
    options = options or CheckOptions(**kwargs)
    if valid is not None:
        if not isinstance(source, (str, os.PathLike)):
            raise UsageError("A validation file is checked against one training file path.")
        if options.dask is not None:
            return check_training_on_cluster(source, valid, options)
        return check_training(source, valid, options)
    target, budget, counter = prepare(options)
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    if _is_path_list(source) and options.dask is not None:
        files = check_files_on_cluster(source, options, target, budget, counter)
    elif _is_path_list(source):
        files = [check_file(p, options, target, budget, counter) for p in source]
    elif type(source).__name__ == "DataFrame" or is_dataset(source):  # rows of a table, mapped as in a spreadsheet
        files = [check_table(source, options, target, budget, counter)]
    else:
        files = [check_records(source, options, target, budget, counter)]
    return report_of(files, target, budget, counter)


def _is_path_list(source: Any) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)
