"""``-`` as an input: the data comes on standard input (``cat train.jsonl | prep check -``).

The bytes are copied to a temporary file (its type from ``--file-type``, JSONL
by default) and checked as a file is, with the configuration of the current
folder; the report names it ``<stdin>``. ``-`` stands alone: it is not mixed
with paths.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..errors import UsageError
from ..reports.report import FileReport, Report

__all__ = ["NAME", "read_stdin", "renamed"]

#: The name the report gives standard input.
NAME = "<stdin>"


@contextmanager
def read_stdin(inputs: Sequence[str], file_type: str | None, stream: BinaryIO | None = None) -> Iterator[str | None]:
    """The path of a temporary copy of standard input when ``inputs`` is ``("-",)``, else None."""
    if "-" not in inputs:
        yield None
        return
    if len(inputs) > 1:
        raise UsageError("- reads standard input; give it alone, not with other files.")
    with tempfile.TemporaryDirectory(prefix="prep-stdin-") as folder:
        path = Path(folder) / f"stdin.{file_type or 'jsonl'}"
        with path.open("wb") as out:
            shutil.copyfileobj(stream or sys.stdin.buffer, out)
        yield str(path)


def renamed(report: Report, path: str, name: str = NAME) -> Report:
    """The report with the temporary file ``path`` named ``name`` (its files, issues and verdicts)."""

    def rename(f: FileReport) -> FileReport:
        if f.path != path:
            return f
        return replace(f, path=name, issues=[replace(i, path=name) for i in f.issues])

    for verdict in report.verdicts:
        verdict.files = [rename(f) for f in verdict.files]
    return replace(report, files=[rename(f) for f in report.files])
