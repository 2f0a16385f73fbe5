"""The result of checking: per-file issues, counts and statistics. No printing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..issues import Issue, Severity
from ..targets.budget import Budget
from ..targets.profile import DataFormat, Method
from .stats import FileStats

__all__ = ["FileReport", "Report"]


@dataclass
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

    def stats_summary(self) -> dict[str, Any] | None:
        """The token statistics and estimate as plain data (the JSON report's ``stats``)."""
        if self.stats is None or self.budget is None:
            return None
        s = self.stats
        return {
            "model": self.budget.model,
            "encoding": self.budget.encoding,
            "token_limit": self.budget.token_limit,
            "default_limit": self.budget.is_default,
            "tokens": s.tokens.summary(),
            "assistant_tokens": s.assistant_tokens.summary(),
            "messages": s.messages.summary(),
            "over_limit": s.over_limit,
            "without_system": s.without_system,
            "without_user": s.without_user,
            "estimate": s.estimate(self.examples, self.epochs),
        }


@dataclass
class Report:
    """All files checked in one call."""

    files: list[FileReport]
    target: str = "openai"
    tokens_checked: bool = True
    tokenizer_error: str | None = None

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def issues(self) -> Iterator[Issue]:
        for f in self.files:
            yield from f.issues

    def count(self, severity: Severity) -> int:
        return sum(f.severities[severity] for f in self.files)

    def exit_code(self, *, strict: bool = False) -> int:
        """0 clean, 1 errors (or warnings with ``strict``), 2 when tokens could not be checked."""
        if self.tokenizer_error:
            return 2
        if not self.ok or (strict and self.count(Severity.WARNING)):
            return 1
        return 0
