"""What a conversion gives back (`ConversionResult`), and records as JSONL bytes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records.values import dumps_any
from ..reports.report import Report

__all__ = ["BOM", "ConversionResult", "dumps", "jsonl_bytes"]

BOM = b"\xef\xbb\xbf"


@dataclass
class ConversionResult:
    """What `convert` did: the records (those written, or that ``force`` would write), the report, the path written.

    ``lines`` holds the line (or row; for records and DataFrames, the 1-based position) of each record;
    ``skipped`` the lines of the rows left out for their errors. A conversion for another target
    (``to="vertex"``...) streams: with an output path its records are in the file, not in ``records`` (nor
    their lines in ``lines``); ``count`` is how many there are (written, or without errors).
    """

    records: list[dict[str, Any]]
    report: Report
    path: Path | None = None
    skipped: list[int] = field(default_factory=list)
    bom: bool = False
    lines: list[int] = field(default_factory=list)
    count: int | None = None

    @property
    def written(self) -> int:
        """How many records were converted without errors (and written, when ``path`` is set)."""
        return len(self.records) if self.count is None else self.count

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def exit_code(self) -> int:
        """0 written without errors, 1 the data has errors, 2 tokens could not be counted."""
        return self.report.exit_code()

    def to_jsonl(self) -> bytes:
        return jsonl_bytes(self.records, bom=self.bom)

    def summary(self, output: str | os.PathLike[str] | None = None) -> str:
        """One sentence on what was written, or why nothing was."""
        errors = sum(f.errors for f in self.report.files)
        if self.path is not None:
            left = f", leaving out {len(self.skipped)} row(s) with errors" if self.skipped else ""
            return f"wrote {self.written:,} record(s) to {self.path}{left}."
        if output is None:
            return f"converted {self.written:,} record(s); nothing written (no output path)."
        return (
            f"did not write {output}: the data has {errors:,} error(s); fix them, or pass --force to write the "
            f"{self.written:,} record(s) without errors."
        )


def jsonl_bytes(records: Iterable[Any], *, bom: bool = False) -> bytes:
    """Records as JSONL: one compact JSON object per line, UTF-8, LF endings; the same records give the same bytes."""
    return (BOM if bom else b"") + b"".join(dumps(r) + b"\n" for r in records)


def dumps(record: Any) -> bytes:
    """One record as compact JSON; lone surrogates escaped as JSON allows, at any depth (never raises)."""
    return dumps_any(record)
