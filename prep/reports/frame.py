"""A report's issues as a pandas DataFrame (``Report.to_pandas``): pandas, the ``pandas`` extra, is imported here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import require
from ..issues import Issue

__all__ = ["COLUMNS", "issues_frame"]

#: The columns of the frame, always all of them, in this order.
COLUMNS = ("path", "line", "index", "code", "severity", "message", "pointer", "column", "sheet", "targets")


def issues_frame(issues: Iterable[Issue]) -> Any:
    """One row per issue: ``line`` is a nullable integer (``<NA>`` for issues about a whole file), ``index`` the
    row's label when a DataFrame was checked, ``severity`` a string, ``targets`` a tuple of target names."""
    pandas = require("pandas", "pandas")
    rows = [
        (i.path, i.line, i.index, i.code, i.severity.value, i.message, i.pointer, i.column, i.sheet, i.targets)
        for i in issues
    ]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in COLUMNS]
    frame = pandas.DataFrame(
        {name: pandas.Series(values, dtype=object) for name, values in zip(COLUMNS, columns, strict=True)}
    )
    frame["line"] = frame["line"].astype("Int64")
    return frame
