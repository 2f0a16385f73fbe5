"""Scanning a run of lines: per-line checks and measurements, mergeable in file order.

A `FileScan` covers any run of lines of one file, so a file can be split into
byte ranges, scanned in separate processes and merged (`FileScan.merge`) into
exactly what one pass would have found.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from ..issues import Issue
from ..reading.detect import family, table_fields, vote
from ..reading.jsonl import Line
from ..records.values import non_json
from ..reports.stats import FileStats
from ..targets.budget import Budget
from ..targets.profile import DataFormat, Target
from .canonical import Parsed, hash_of, parse
from .counters import Tokenizers
from .options import CheckOptions
from .rules import CheckContext, check_example
from .rules.media import bucket_of
from .rules.secrets import might_hold
from .shapes import Media, media_of, plain_roles, shape_of
from .tokens import TokenCounter, fits_by_size

#: P119 issues reported for one record at most.
MAX_NON_JSON = 5

__all__ = ["FileScan", "Origin", "Plan", "Repeated"]

#: Line numbers kept of a property many lines share (the rest are counted).
FIRST_LINES = 5


@dataclass
class Repeated:
    """A property of many lines (a CRLF ending), reported once per file: how many lines, and the first few."""

    count: int = 0
    first: list[int] = field(default_factory=list)
    detail: str = ""  # what the first of them holds, when the message names it

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.first) < FIRST_LINES:
            self.first.append(line)

    def merge(self, other: Repeated, line_offset: int) -> None:
        room = FIRST_LINES - len(self.first)
        self.first.extend(n + line_offset for n in other.first[:room])
        self.count += other.count
        self.detail = self.detail or other.detail


@dataclass(frozen=True)
class Origin:
    """Where a record came from in a table: its sheet, the column of each field, its DataFrame index label.

    ``columns`` maps JSON-pointer prefixes of the record (e.g. ``/messages/1/content``)
    to the column that filled them; an issue takes the column of its longest prefix.
    """

    sheet: str | None = None
    columns: tuple[tuple[str, str], ...] = ()
    index: Any = None

    def column_of(self, pointer: str) -> str | None:
        best = None
        for prefix, column in self.columns:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, column)
        return best[1] if best else None


@dataclass(frozen=True)
class Plan:
    """What is decided about a file before its lines are scanned."""

    path: str
    target: Target
    options: CheckOptions
    ctx: CheckContext | None
    budget: Budget | None
    notes: tuple[tuple[str, str], ...] = ()  # (code, message) about the whole file, added when it is finished
    skip: bool = False  # the target takes no data of this file's kind: lines are counted, not checked
    memory: bool = False  # records or a DataFrame held in memory, not a file


@dataclass
class FileScan:
    """Issues and measurements of a run of lines; mergeable in file order."""

    plan: Plan
    tokenizers: Tokenizers
    issues: list[Issue] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    examples: int = 0
    lines: int = 0
    bom: bool = False
    image_examples: int = 0
    hashes: array[int] = field(default_factory=lambda: array("Q"))
    hash_lines: array[int] = field(default_factory=lambda: array("Q"))
    stats: FileStats | None = None
    # For targets that keep media kinds apart or in one bucket: the first line of each kind and bucket.
    media_lines: dict[str, int] = field(default_factory=dict)
    buckets: dict[str, int] = field(default_factory=dict)
    repeated: dict[str, Repeated] = field(default_factory=dict)  # code -> the lines it applies to (one issue)
    # The line being scanned and what identifies its content (raw bytes, or the
    # example's hash once parsed), for the fingerprint of the issues found on it.
    _content: tuple[int, bytes | int] | None = field(default=None, init=False, repr=False)
    _takes_plain: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.plan.budget is not None and self.plan.options.stats:
            self.stats = FileStats(token_limit=self.plan.budget.token_limit)
        ctx = self.plan.ctx
        # a plain chat example (`plain_roles`) is of this file's format family: it goes straight to the rules
        self._takes_plain = ctx is not None and family(ctx.format) is family(DataFormat.CHAT)

    def __getstate__(self) -> dict[str, Any]:
        """Workers send back what they found, not the last line they read."""
        return {**self.__dict__, "_content": None}

    def add(
        self,
        code: str,
        line: int | None,
        pointer: str,
        message: str,
        origin: Origin | None = None,
        *,
        fingerprint: str | None = None,
    ) -> None:
        if not self.plan.options.reports(code):
            return
        self.codes[code] += 1
        if self.codes[code] <= self.plan.options.max_issues_per_code:
            severity = self.plan.target.severity(code)
            column = origin.column_of(pointer) if origin else None
            sheet, index = (origin.sheet, origin.index) if origin else (None, None)
            fingerprint = fingerprint or self._fingerprint(line)
            self.issues.append(
                Issue(code, severity, message, line, pointer, self.plan.path, column, sheet, fingerprint, index=index)
            )

    def repeat(self, code: str, line: int, *, detail: str = "") -> None:
        """Note that ``line`` has the property of ``code`` (``detail``: what the first such line holds);
        `prep.validation.dataset.finish` reports it once."""
        if code not in self.plan.options.ignore:
            self.repeated.setdefault(code, Repeated(detail=detail)).add(line)

    def _fingerprint(self, line: int | None) -> str | None:
        """The content hash of ``line`` when it is the line being scanned."""
        if line is None or self._content is None or self._content[0] != line:
            return None
        content = self._content[1]
        if isinstance(content, int):
            return f"{content:016x}"
        return hashlib.blake2b(content, digest_size=8).hexdigest()

    def feed(self, line: Line, parsed: Parsed | None = None) -> None:
        """Scan one line; ``parsed`` is its value, problem and example hash when a `ScanGroup` parsed it."""
        self.lines += 1
        self._content = (line.number, line.data)
        if line.bom:
            self.bom = True
            if self.plan.target.bom == "forbid":
                self.add(
                    "P102", line.number, "", "File starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM."
                )
        if line.length:
            bound = self.plan.options.max_line_bytes
            self.add("P105", line.number, "", f"Line is over {bound:,} bytes (--max-line-bytes); it was not checked.")
            return
        if line.crlf:
            self.repeat("P104", line.number)
        value, problem, canonical, digest = parsed or parse(line)
        if problem is not None:
            self.add(problem.code, line.number, problem.pointer, problem.message)
            return
        self.feed_value(line.number, value, line.data, hashed=(canonical, digest))

    def feed_value(
        self,
        number: int,
        value: dict[str, Any],
        raw: bytes | None = None,
        origin: Origin | None = None,
        *,
        hashed: tuple[bytes, int] | None = None,
    ) -> None:
        """Check one parsed example; ``raw`` is its line's bytes, ``origin`` its table position, ``hashed`` its
        canonical JSON and hash when the caller has them (`hash_of`)."""
        self.examples += 1
        canonical, digest = hashed or hash_of(value)
        self._remember(number, digest)
        if raw is None:  # a record handed over in memory may hold what JSON cannot
            for pointer, item in islice(non_json(value), MAX_NON_JSON):
                what = type(item).__name__
                self.add("P119", number, pointer, f"Value is a {what}, which has no JSON form.", origin)
        if self.plan.skip:
            return
        ctx = self.plan.ctx
        roles = plain_roles(value)  # the commonest example, walked once: its vote, shape, media and tokens follow
        if roles is not None and ctx is not None and self._takes_plain:
            self._check(number, value, raw, canonical, origin, ctx, roles)
            return
        fmt = vote(value) if roles is None else DataFormat.REINFORCEMENT if "developer" in roles else DataFormat.CHAT
        if fmt is None or ctx is None:
            self._no_format(number, value, origin)
            return
        if family(fmt) is not family(ctx.format):
            self.add(
                "P109",
                number,
                "",
                f"Line holds a {fmt} example, but this file is {ctx.format}; one file holds one format.",
                origin,
            )
            return
        self._check(number, value, raw, canonical, origin, ctx, roles)

    def _check(
        self,
        number: int,
        value: dict[str, Any],
        raw: bytes | None,
        canonical: bytes,
        origin: Origin | None,
        ctx: CheckContext,
        roles: tuple[str, ...] | None,
    ) -> None:
        """The rules and the measurements of an example of the file's format family."""
        # canonical JSON writes a special token's marker as itself: without it, no string holds a special token
        marker = ctx.special_marker
        scan = marker is None or marker in canonical
        secrets = self.plan.options.secrets and (raw is None or might_hold(raw))
        for p in check_example(value, ctx, scan_special_tokens=scan, scan_secrets=secrets, roles=roles):
            self.add(p.code, number, p.pointer, p.message, origin)
            if p.code == "P204" and prompt_only(value):
                self.repeat("P204", number)  # `dataset.finish` says once when the whole file is prompts
        self._measure(number, value, ctx.format, canonical, roles if ctx.format is DataFormat.CHAT else None)

    def _no_format(self, number: int, value: dict[str, Any], origin: Origin | None) -> None:
        """P108: a line of no known format. Lines holding a chat table's columns (`table_fields`: question, answer)
        point to ``prep convert``: in one issue for the file when it holds nothing else (`dataset.finish`)."""
        fields = table_fields(value)
        columns = ", ".join(f"{k} → {f}" for k, f in fields.items())
        if fields and self.plan.ctx is None:
            self.repeat("P108", number, detail=columns)
            return
        keys = ", ".join(sorted(value)) or "none"
        hint = f"; its keys are a table's columns ({columns}): prep convert makes a chat record of it" if fields else ""
        self.add(
            "P108",
            number,
            "",
            f"Line matches no example format (its keys: {keys}); "
            "expected messages, prompt/completion, input/preferred_output/non_preferred_output, "
            f"contents (Vertex), or prompt/chosen/rejected (TRL){hint}.",
            origin,
        )

    def _remember(self, number: int, digest: int) -> None:
        self.hashes.append(digest)
        self.hash_lines.append(number)
        self._content = (number, digest)

    def _measure(
        self,
        number: int,
        value: dict[str, Any],
        fmt: DataFormat,
        canonical: bytes,
        roles: tuple[str, ...] | None = None,
    ) -> None:
        """Media, statistics and the token limit; ``canonical`` is the example's canonical JSON, ``roles`` the
        roles of a plain chat example (`plain_roles`), which holds no media."""
        if roles is None:
            self._note_media(number, value, fmt)
        budget = self.plan.budget
        if budget is None or (self.stats is None and fits_by_size(canonical, budget.token_limit, media=roles is None)):
            return
        counter = self.tokenizers.get(budget.encoding)
        if counter is None:
            return
        pieces = counter.guard.approximate
        self._count(number, value, fmt, counter, budget, roles)
        if counter.guard.approximate > pieces:
            self.add(
                "P305",
                number,
                "",
                "This example's text was counted in pieces (the tokenizer crashed on it, or it is over a million "
                "characters), so its token count may be off by a few tokens.",
            )

    def _count(
        self,
        number: int,
        value: dict[str, Any],
        fmt: DataFormat,
        counter: TokenCounter,
        budget: Budget,
        roles: tuple[str, ...] | None = None,
    ) -> None:
        if self.stats is None:
            total = counter.over_limit(value, fmt, budget.token_limit)
        elif roles is not None:
            self.stats.add_roles(len(roles), "system" in roles or "developer" in roles, "user" in roles)
            tokens = counter.plain_chat(value["messages"])
            self.stats.add_tokens(tokens.total, tokens.trained)
            total = tokens.total
        else:
            self._add_shape(value, fmt)
            tokens = counter.example(value, fmt)
            self.stats.add_tokens(tokens.total, tokens.trained)
            total = tokens.total
        if total is not None and total > budget.token_limit:
            estimated = "" if budget.exact else " (an estimate)"
            self.add(
                "P301",
                number,
                "",
                f"Example has {total:,} tokens{estimated}, over {budget.limit_phrase()}; "
                f"{self.plan.target.provider} truncates it from the end.",
            )

    def _note_media(self, number: int, value: dict[str, Any], fmt: DataFormat) -> None:
        media = media_of(value, fmt)
        if media:
            self.image_examples += 1
            self._remember_media(number, media)

    def _add_shape(self, value: dict[str, Any], fmt: DataFormat) -> None:
        """Messages per example, and examples without a system or user message, into the statistics."""
        if self.stats is not None and fmt not in (DataFormat.COMPLETION, DataFormat.TEXT):
            shape = shape_of(value, fmt)
            self.stats.add_roles(len(shape.roles), shape.system, "user" in shape.roles)

    def _remember_media(self, number: int, media: list[Media]) -> None:
        """The first line of each media kind and bucket, where the target's rules need them."""
        rules = self.plan.target.images
        for item in media:
            if rules.homogeneous and item.kind in ("image", "video"):
                self.media_lines.setdefault(item.kind, number)
            bucket = bucket_of(item.uri) if rules.same_bucket else None
            if bucket is not None:
                self.buckets.setdefault(bucket, number)

    def merge(self, other: FileScan, line_offset: int = 0) -> None:
        """Append a scan of the lines that follow this one's, numbered from 1 + ``line_offset``."""
        cap = self.plan.options.max_issues_per_code
        for issue in other.issues:
            if line_offset and issue.line is not None:
                issue = replace(issue, line=issue.line + line_offset)
            if self.codes[issue.code] < cap:
                self.issues.append(issue)
            self.codes[issue.code] += 1
        for code, n in other.codes.items():
            self.codes[code] += n - min(n, cap)
        self.examples += other.examples
        self.lines += other.lines
        self.bom = self.bom or other.bom
        for code, theirs in other.repeated.items():
            self.repeated.setdefault(code, Repeated()).merge(theirs, line_offset)
        self.image_examples += other.image_examples
        self.hashes.extend(other.hashes)
        self.hash_lines.extend(
            array("Q", [n + line_offset for n in other.hash_lines]) if line_offset else other.hash_lines
        )
        for firsts, later in ((self.media_lines, other.media_lines), (self.buckets, other.buckets)):
            for key, line in later.items():
                firsts.setdefault(key, line + line_offset)
        self.tokenizers.error = self.tokenizers.error or other.tokenizers.error
        if self.stats is not None and other.stats is not None:
            self.stats.merge(other.stats)


def prompt_only(value: dict[str, Any]) -> bool:
    """A conversation with no assistant message that ends on a user turn: what reinforcement data holds."""
    messages = value.get("messages")
    roles = [m.get("role") for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
    return bool(roles) and roles[-1] == "user" and "assistant" not in roles
