"""Statistics per issue code: how many of each, how severe, in how many files, and where first.

`code_counts` reads a `Report` (counts are exact, including issues over the
kept-issue cap) and gives the table that ``--statistics``, the JSON report's
``codes``, the Markdown summary and the HTML report show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..issues import CODES, Issue, Severity

__all__ = ["FIRST", "CodeCount", "code_counts", "code_dict"]

#: Places listed with each code: its first issues in file order, one per line.
FIRST = 3

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class _File(Protocol):
    """What the table reads of a file's report (a `FileReport`)."""

    @property
    def codes(self) -> Mapping[str, int]: ...

    @property
    def issues(self) -> Sequence[Issue]: ...


class _Report(Protocol):
    """What the table reads of a report (a `Report`, which builds its JSON ``codes`` with this module)."""

    @property
    def files(self) -> Sequence[_File]: ...


@dataclass(frozen=True)
class CodeCount:
    """One issue code over a report: its severity, count, files, meaning and first issues."""

    code: str
    severity: Severity
    count: int
    files: int
    summary: str
    first: tuple[Issue, ...]


def code_counts(report: _Report, *, first: int = FIRST) -> list[CodeCount]:
    """Every code found, errors first, then by count (most first) and code."""
    counts: Counter[str] = Counter()
    files: Counter[str] = Counter()
    listed: dict[str, list[Issue]] = {}
    for f in report.files:
        for code, n in f.codes.items():
            if n > 0:
                counts[code] += n
                files[code] += 1
        for issue in f.issues:
            listed.setdefault(issue.code, []).append(issue)
    rows = [_row(code, n, files[code], listed.get(code, []), first) for code, n in counts.items()]
    return sorted(rows, key=lambda r: (_RANK[r.severity], -r.count, r.code))


def _row(code: str, count: int, files: int, issues: list[Issue], first: int) -> CodeCount:
    known = CODES.get(code)
    default = known.severity if known else Severity.WARNING
    severity = min((i.severity for i in issues), key=_RANK.__getitem__, default=default)  # the worst given to it
    return CodeCount(code, severity, count, files, known.summary if known else "", _first_places(issues, first))


def _first_places(issues: list[Issue], first: int) -> tuple[Issue, ...]:
    """The first issue on each of the first ``first`` places (path and line): two on one line are one place."""
    places: dict[tuple[str | None, int | None], Issue] = {}
    for issue in issues:
        places.setdefault((issue.path, issue.line), issue)
        if len(places) == first:
            break
    return tuple(places.values())


def code_dict(row: CodeCount) -> dict[str, Any]:
    """One row of the JSON report's ``codes`` table."""
    return {
        "code": row.code,
        "severity": row.severity.value,
        "count": row.count,
        "files": row.files,
        "summary": row.summary,
        "first": [{"path": i.path, "line": i.line} for i in row.first],
    }
