"""The result of checking: per-file issues, counts and statistics. No printing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from ..issues import Issue, Severity
from ..targets.budget import Budget, ModelPrice
from ..targets.profile import DataFormat, Method
from .codes import code_counts, code_dict
from .escape import json_safe
from .stats import FileStats

__all__ = ["SCHEMA_VERSION", "FileReport", "Report", "TargetVerdict", "union"]

#: The version of the JSON report's shape (``schemas/report.schema.json``).
SCHEMA_VERSION = 1


@dataclass(repr=False)
class FileReport:
    """What checking one file (or one iterable of records) found.

    ``issues`` holds the issues kept (at most the checker's cap, in file order);
    ``codes`` counts every issue found, kept or not. ``checked`` is False for a
    file that could not be read or mapped, whose one issue says why (P116, P117, P160).
    """

    path: str
    format: DataFormat | None = None
    method: Method | None = None
    examples: int = 0
    issues: list[Issue] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    severities: Counter[Severity] = field(default_factory=Counter)
    stats: FileStats | None = None
    budget: Budget | None = None
    epochs: int | None = None
    role: str = "train"
    checked: bool = True

    @property
    def ok(self) -> bool:
        return self.severities[Severity.ERROR] == 0

    def severities_of(self, code: str) -> Severity:
        """The severity this report gives ``code`` (from its issues; info when none is listed)."""
        return next((i.severity for i in self.issues if i.code == code), Severity.INFO)

    @property
    def omitted(self) -> int:
        """Issues found but not kept (over the cap)."""
        return sum(self.severities.values()) - len(self.issues)

    @property
    def errors(self) -> int:
        return self.severities[Severity.ERROR]

    @property
    def warnings(self) -> int:
        return self.severities[Severity.WARNING]

    def __repr__(self) -> str:
        fmt = self.format.value if self.format else None
        return (
            f"FileReport(path={self.path!r}, format={fmt!r}, examples={self.examples}, "
            f"errors={self.errors}, warnings={self.warnings})"
        )

    def to_dict(self, *, max_issues: int | None = None) -> dict[str, Any]:
        """The file as the JSON report holds it; ``max_issues`` lists at most that many issues."""
        issues = self.issues if max_issues is None else self.issues[:max_issues]
        return {
            "path": self.path,
            "format": self.format.value if self.format else None,
            "method": self.method.value if self.method else None,
            "examples": self.examples,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.severities[Severity.INFO],
            "omitted": sum(self.severities.values()) - len(issues),
            "issues": [i.to_dict() for i in issues],
            "stats": self.stats_summary(),
        }

    def to_pandas(self) -> Any:
        """The file's issues as a pandas DataFrame, one row per issue (see `Report.to_pandas`)."""
        from .frame import issues_frame

        return issues_frame(self.issues)

    def stats_summary(self) -> dict[str, Any] | None:
        """The token statistics and estimate as plain data (the JSON report's ``stats``)."""
        if self.stats is None or self.budget is None:
            return None
        s, b = self.stats, self.budget
        return {
            "model": b.model,
            "encoding": b.encoding,
            "tokenizer": b.tokenizer if b.source else None,
            "counted_with": b.counted_with,
            "exact": b.exact and not (s.truncation and s.truncation.estimated),
            "estimate_reason": b.estimate,
            "token_limit": b.token_limit,
            "limit_source": "max_seq_length" if b.trainer_limit else "model",
            "default_limit": b.is_default,
            "tokens": s.tokens.summary(),
            "assistant_tokens": s.assistant_tokens.summary(),
            "messages": s.messages.summary(),
            "over_limit": s.over_limit,
            "without_system": s.without_system,
            "without_user": s.without_user,
            "estimate": _with_prices(s.estimate(self.examples, self.epochs), self.budget.prices),
            "truncation": s.truncation.summary() if s.truncation else None,
        }


def _with_prices(estimate: dict[str, Any], prices: tuple[ModelPrice, ...]) -> dict[str, Any]:
    """The estimate with each model's training price and, for a price per token, what the trained tokens cost."""
    out = []
    for mp in prices:
        p = mp.price
        cost = estimate["trained_tokens"] * p.usd / 1e6 if p and p.unit == "1M tokens" else None
        out.append(
            {
                "model": mp.model,
                "method": mp.method.value if mp.method else None,
                "usd": p.usd if p else None,
                "per": p.unit if p else None,
                "cost_usd": cost,
                "source": p.source if p else None,
                "date": p.date.isoformat() if p else None,
            }
        )
    return {**estimate, "prices": out}


@dataclass
class TargetVerdict:
    """What one target makes of the files checked: its reports of each file."""

    name: str
    title: str
    status: str
    files: list[FileReport]
    notice: str | None = None  # the dates ahead, in one sentence

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    def reasons(self) -> list[tuple[str, int]]:
        """Why it fails or warns: its codes with their counts, errors first, the most frequent first."""
        return [*self.codes(Severity.ERROR).most_common(), *self.codes(Severity.WARNING).most_common()]

    def codes(self, severity: Severity | None = None) -> Counter[str]:
        """Issue counts by code over the files (of one severity, when given)."""
        out: Counter[str] = Counter()
        for f in self.files:
            for i in f.issues:
                if severity is None or i.severity is severity:
                    out[i.code] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The verdict as the JSON report's ``targets`` holds it."""
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "codes": dict(sorted(self.codes().items())),
            "notice": self.notice,
        }


@dataclass(repr=False)
class Report:
    """All files checked in one call.

    ``files`` holds one report per file; when several targets were checked, it
    is their union (each issue says which targets it applies to) and
    ``verdicts`` holds each target's own reports.
    """

    files: list[FileReport]
    target: str = "openai"
    tokens_checked: bool = True
    tokenizer_error: str | None = None
    verdicts: list[TargetVerdict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def issues(self) -> list[Issue]:
        """Every listed issue, file after file, in a new list (``len``, indexing, and iterating twice work)."""
        return [issue for f in self.files for issue in f.issues]

    @property
    def targets(self) -> list[str]:
        return [v.name for v in self.verdicts] or self.target.split(",")

    def count(self, severity: Severity) -> int:
        return sum(f.severities[severity] for f in self.files)

    def exit_code(self, *, strict: bool = False) -> int:
        """0 clean, 1 errors (or warnings with ``strict``), 2 when tokens could not be checked."""
        if self.tokenizer_error:
            return 2
        if not self.ok or (strict and self.count(Severity.WARNING)):
            return 1
        return 0

    def __repr__(self) -> str:
        return (
            f"Report(ok={self.ok}, files={len(self.files)}, examples={sum(f.examples for f in self.files)}, "
            f"errors={self.count(Severity.ERROR)}, warnings={self.count(Severity.WARNING)}, target={self.target!r})"
        )

    def shown(self, max_issues: int | None = None) -> list[list[Issue]]:
        """The issues of each file that fit under ``max_issues`` over all files (all when None)."""
        budget = max_issues if max_issues is not None else float("inf")
        shown = []
        for f in self.files:
            take = int(min(budget, len(f.issues)))
            shown.append(f.issues[:take])
            budget -= take
        return shown

    def to_dict(self, *, max_issues: int | None = None) -> dict[str, Any]:
        """The JSON report (``prep check --format json``, described by ``schemas/report.schema.json``).

        ``max_issues`` lists at most that many issues over all files; ``omitted`` counts the others.
        """
        files = [f.to_dict(max_issues=len(shown)) for f, shown in zip(self.files, self.shown(max_issues), strict=True)]
        return {
            "version": SCHEMA_VERSION,
            "ok": self.ok,
            "status": "ok" if self.ok else "fail",
            "target": self.target,
            "tokens_checked": self.tokens_checked,
            "tokenizer_error": self.tokenizer_error,
            "summary": {
                "files": len(self.files),
                "examples": sum(f.examples for f in self.files),
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "infos": self.count(Severity.INFO),
            },
            "codes": [code_dict(row) for row in code_counts(self)],
            "files": files,
            "targets": [v.to_dict() for v in self.verdicts],
        }

    def to_json(self, *, max_issues: int | None = None) -> str:
        """`to_dict` as indented JSON text (what ``prep check --format json`` prints)."""
        data = json_safe(self.to_dict(max_issues=max_issues))  # a lone surrogate or a name that is not UTF-8
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()

    def to_pandas(self) -> Any:
        """Every listed issue as a pandas DataFrame, one row per issue (needs pandas: the ``pandas`` extra).

        Columns: path, line, index (the row's label when a DataFrame was checked), code,
        severity, message, pointer, column, sheet, targets.
        """
        from .frame import issues_frame

        return issues_frame(self.issues)


_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


def union(reports: list[FileReport], names: list[str]) -> FileReport:
    """One file's reports for several targets as one: each distinct issue once, with the targets
    it applies to and its most severe severity; statistics and budget of the first target."""
    merged: dict[tuple[object, ...], Issue] = {}
    for report, name in zip(reports, names, strict=True):
        for issue in report.issues:
            key = (issue.line, issue.code, issue.pointer, issue.message, issue.column, issue.sheet)
            seen = merged.get(key)
            if seen is None:
                merged[key] = replace(issue, targets=(name,))
            else:
                worst = max(seen.severity, issue.severity, key=_RANK.__getitem__)
                merged[key] = replace(seen, severity=worst, targets=(*seen.targets, name))
    issues = sorted(merged.values(), key=lambda i: i.line or 0)
    codes: Counter[str] = Counter(i.code for i in issues)
    severities: Counter[Severity] = Counter(i.severity for i in issues)
    for code in {c for r in reports for c in r.codes}:  # issues found over the per-code cap, never listed
        unlisted = max(r.codes[code] - sum(i.code == code for i in r.issues) for r in reports)
        if unlisted > 0:
            codes[code] += unlisted
            severities[max((r.severities_of(code) for r in reports), key=_RANK.__getitem__)] += unlisted
    return replace(reports[0], issues=issues, codes=codes, severities=severities)
