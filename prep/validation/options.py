"""The options of a check, in one typed, immutable object, and the codes they report."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..issues import CODES, Severity
from ..reading.jsonl import DEFAULT_MAX_LINE_BYTES
from ..targets.profile import DataFormat, Method

if TYPE_CHECKING:
    from ..reading.table import TableOptions

__all__ = ["CheckOptions", "issue_codes", "severities"]


@dataclass(frozen=True)
class CheckOptions:
    """Everything that changes what `check` reports.

    ``ignore`` leaves codes out of the report, ``select`` reports only the
    codes it names (all when empty); both take codes or prefixes of codes
    ("P4" is every P4xx code), as a set or one string ("P402,P403").
    ``severity`` gives codes another severity than the target's
    (``{"P402": "error"}``).
    """

    target: str = "openai"  # a profile, several separated by commas ("openai,azure"), "all", or a .toml path
    method: Method | None = None
    data_format: DataFormat | None = None
    model: str | None = None
    encoding: str | None = None
    token_limit: int | None = None
    tokenizer: str | None = None  # a model's own: hf:ORG/NAME or a folder, mistral:NAME, harmony
    chat_template: str | None = None  # a .jinja file replacing the model's chat template (TRL's training templates)
    max_seq_length: int | None = None  # a trainer's maximum sequence length: the limit, and what it cuts
    allow_download: bool = False  # fetch a hf:ORG/NAME tokenizer missing from the local cache from the Hub
    tokens: bool = True
    stats: bool = True
    secrets: bool = False  # the secret and personal-data scan (P501-P505); prep publish always runs it
    tiktoken_dir: str | None = None
    epochs: int | None = None
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_issues_per_code: int = 10_000
    ignore: frozenset[str] = frozenset()
    select: frozenset[str] = frozenset()
    severity: tuple[tuple[str, Severity], ...] = ()
    today: dt.date | None = None
    jobs: int | None = None  # worker processes for large files; None: every core
    dask: str | None = None  # check JSONL on a Dask cluster: a scheduler address, or "local[:N]" (N processes)
    table: TableOptions | None = None  # how CSV, TSV, XLSX and JSON files become records (prep.conversion.mapping)
    skipped: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.target, str):  # a list of profiles: one verdict each
            object.__setattr__(self, "target", ",".join(self.target))
        for name, kind in (("method", Method), ("data_format", DataFormat)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                object.__setattr__(self, name, kind(value))
        object.__setattr__(self, "ignore", issue_codes(self.ignore, "ignore"))
        object.__setattr__(self, "select", issue_codes(self.select, "select"))
        object.__setattr__(self, "severity", severities(self.severity))
        skipped = {c for c in CODES if _matches(c, self.ignore) or (self.select and not _matches(c, self.select))}
        object.__setattr__(self, "skipped", frozenset(skipped))

    def reports(self, code: str) -> bool:
        """False for a code that ``ignore`` leaves out or ``select`` does not name."""
        return code not in self.skipped


def _matches(code: str, prefixes: frozenset[str]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def issue_codes(value: str | Iterable[str] | None, what: str = "ignore") -> frozenset[str]:
    """Issue codes or prefixes, upper case: a string holds one or several ("P402,P403" or "P402 P403").

    A value that is no code nor the start of one is a `UsageError`.
    """
    items = [value] if isinstance(value, str) else list(value or ())
    codes = frozenset(c.upper() for item in items for c in re.split(r"[\s,]+", str(item)) if c)
    unknown = sorted(c for c in codes if not any(known.startswith(c) for known in CODES))
    if unknown:
        raise UsageError(
            f"Unknown issue code {', '.join(map(repr, unknown))} in {what}; "
            "use codes such as P402 or prefixes such as P4 (prep rule lists them)."
        )
    return codes


def severities(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> tuple[tuple[str, Severity], ...]:
    """Per-code severities, e.g. ``{"P402": "error"}``, as sorted (code, `Severity`) pairs; codes must exist."""
    pairs = value.items() if isinstance(value, Mapping) else (value or ())
    out = {str(code).strip().upper(): Severity(level) for code, level in pairs}
    unknown = sorted(set(out) - set(CODES))
    if unknown:
        raise UsageError(f"Unknown issue code {', '.join(map(repr, unknown))} in severity (prep rule lists them).")
    return tuple(sorted(out.items()))
