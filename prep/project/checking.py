"""`prep.check`: any source in (paths, folders' files, a DataFrame, records), one `Report` out.

This is the one entry point that knows every kind of source: JSONL files go
to the line checker (`prep.validation`), tables through the column mapping
(`prep.conversion.tables`), records held in memory straight to the scan.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..conversion.tables import check_file, check_table
from ..errors import UsageError
from ..reports.report import Report
from ..validation.checker import check_records, check_training, prepare, report_of
from ..validation.options import CheckOptions

__all__ = ["check"]


def check(
    source: Any, *, options: CheckOptions | None = None, valid: str | os.PathLike[str] | None = None, **kwargs: Any
) -> Report:
    """Check files (a path or a list of paths) or records held in memory.

    ``source`` is a path (str or Path), a list of paths, a pandas DataFrame
    (read as a table, see `prep.convert`), or an iterable of records (dicts
    or pydantic records). Keyword arguments are `CheckOptions`
    fields. Bad data never raises: it is in the report.

    ``valid`` names a validation file for the training file ``source`` (one
    path): it is checked as a validation file (`check_pair`), and each of its
    examples that is also in the training file gets a P404 warning.
    """
    options = options or CheckOptions(**kwargs)
    if valid is not None:
        if not isinstance(source, (str, os.PathLike)):
            raise UsageError("A validation file is checked against one training file path.")
        return check_training(Path(source), Path(valid), options)
    run = prepare(options)
    if isinstance(source, (str, os.PathLike)):
        files = [check_file(Path(source), run)]
    elif _is_path_list(source):
        files = [check_file(Path(p), run) for p in source]
    elif type(source).__name__ == "DataFrame":  # pandas: rows of a table, mapped as in a spreadsheet
        files = [check_table(source, run)]
    else:
        files = [check_records(source, run)]
    return report_of(files, run)


def _is_path_list(source: Any) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)
