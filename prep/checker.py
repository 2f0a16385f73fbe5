"""Check files or in-memory records: orchestration only.

For each file: decide its format from the first lines, stream every line
through the reader and the checks of that format (`FileScan`), then add the
issues about the file as a whole (`finish`). A `FileScan` covers any run of
lines, so a file can be split into byte ranges, scanned apart and merged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from .checks import CheckContext, check_example
from .checks.content import count_images
from .detect import SAMPLE_LINES, decide_format, family, vote
from .errors import InputError, TokenizerUnavailableError, UsageError
from .issues import Issue, Severity
from .jsonl import DEFAULT_MAX_LINE_BYTES, Line, iter_lines, parse_line
from .report import FileReport, Report
from .stats import FileStats
from .targets import DataFormat, Method, Target, load_target
from .tokens import Budget, TokenCounter, load_encoding, resolve_budget

__all__ = ["CheckOptions", "FileScan", "Origin", "check", "check_pair", "example_hash", "leaks"]


@dataclass(frozen=True)
class CheckOptions:
    """Everything that changes what `check` reports."""

    target: str = "openai"
    method: Method | None = None
    data_format: DataFormat | None = None
    model: str | None = None
    encoding: str | None = None
    token_limit: int | None = None
    tokens: bool = True
    tiktoken_dir: str | None = None
    epochs: int | None = None
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_issues_per_code: int = 10_000
    ignore: frozenset[str] = frozenset()
    today: dt.date | None = None

    def __post_init__(self) -> None:
        for name, kind in (("method", Method), ("data_format", DataFormat)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                object.__setattr__(self, name, kind(value))
        object.__setattr__(self, "ignore", frozenset(self.ignore))


@dataclass(frozen=True)
class Origin:
    """Where a record came from in a table: its sheet, and the column of each field.

    ``columns`` maps JSON-pointer prefixes of the record (e.g. ``/messages/1/content``)
    to the column that filled them; an issue takes the column of its longest prefix.
    """

    sheet: str | None = None
    columns: tuple[tuple[str, str], ...] = ()

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


class _LazyCounter:
    """Loads the tokenizer at the first example that needs it, and only once."""

    def __init__(self, budget: Budget | None, tiktoken_dir: str | None) -> None:
        self.budget = budget
        self.tiktoken_dir = tiktoken_dir
        self.error: str | None = None
        self._counter: TokenCounter | None = None

    @property
    def loaded(self) -> bool:
        return self._counter is not None

    def get(self) -> TokenCounter | None:
        if self._counter is None and self.budget is not None and self.error is None:
            try:
                self._counter = TokenCounter(load_encoding(self.budget.encoding, self.tiktoken_dir))
            except TokenizerUnavailableError as exc:
                self.error = str(exc)
        return self._counter


@dataclass
class FileScan:
    """Issues and measurements of a run of lines; mergeable in file order."""

    plan: Plan
    counter: _LazyCounter
    issues: list[Issue] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    examples: int = 0
    lines: int = 0
    bom: bool = False
    image_examples: int = 0
    hashes: array[int] = field(default_factory=lambda: array("Q"))
    hash_lines: array[int] = field(default_factory=lambda: array("Q"))
    stats: FileStats | None = None

    def __post_init__(self) -> None:
        if self.plan.budget is not None:
            self.stats = FileStats(token_limit=self.plan.budget.token_limit)

    def add(self, code: str, line: int | None, pointer: str, message: str, origin: Origin | None = None) -> None:
        if code in self.plan.options.ignore:
            return
        self.codes[code] += 1
        if self.codes[code] <= self.plan.options.max_issues_per_code:
            severity = self.plan.target.severity(code)
            column = origin.column_of(pointer) if origin else None
            sheet = origin.sheet if origin else None
            self.issues.append(Issue(code, severity, message, line, pointer, self.plan.path, column, sheet))

    def feed(self, line: Line) -> None:
        self.lines += 1
        if line.bom:
            self.bom = True
            if self.plan.target.bom == "forbid":
                self.add("P102", line.number, "", "File starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM.")
        if line.length:
            bound = self.plan.options.max_line_bytes
            self.add("P105", line.number, "", f"Line is over {bound:,} bytes (--max-line-bytes); it was not checked.")
            return
        if line.crlf:
            self.add("P104", line.number, "", "Line ends with CRLF; save the file with LF line endings.")
        value, problem = parse_line(line.data)
        if problem is not None:
            self.add(problem.code, line.number, problem.pointer, problem.message)
            return
        self.feed_value(line.number, value, line.data)

    def feed_value(self, number: int, value: dict[str, Any], raw: bytes | None = None,
                   origin: Origin | None = None) -> None:
        """Check one parsed example; ``raw`` is its line's bytes, ``origin`` its table position."""
        self.examples += 1
        self._remember(number, value)
        ctx = self.plan.ctx
        fmt = vote(value)
        if fmt is None or ctx is None:
            keys = ", ".join(sorted(value)) or "none"
            self.add("P108", number, "", f"Line matches no example format (its keys: {keys}); "
                     "expected messages, prompt/completion, or input/preferred_output/non_preferred_output.", origin)
            return
        if family(fmt) is not family(ctx.format):
            self.add("P109", number, "", f"Line holds a {fmt} example, but this file is {ctx.format}; "
                     "one file holds one format.", origin)
            return
        scan = raw is None or b"<|" in raw or b"\\u003" in raw or b"\\u007" in raw
        for p in check_example(value, ctx, scan_special_tokens=scan):
            self.add(p.code, number, p.pointer, p.message, origin)
        self._measure(number, value, ctx.format)

    def _remember(self, number: int, value: dict[str, Any]) -> None:
        canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        self.hashes.append(int.from_bytes(hashlib.blake2b(canonical, digest_size=8).digest(), "little"))
        self.hash_lines.append(number)

    def _measure(self, number: int, value: dict[str, Any], fmt: DataFormat) -> None:
        messages = _messages_of(value, fmt)
        if count_images(messages):
            self.image_examples += 1
        counter = self.counter.get()
        if counter is None or self.stats is None or self.plan.budget is None:
            return
        if fmt is not DataFormat.COMPLETION:
            roles = {m.get("role") for m in messages if isinstance(m, dict)}
            self.stats.add_roles(len(messages), "system" in roles or "developer" in roles, "user" in roles)
        tokens = counter.example(value, fmt)
        self.stats.add_tokens(tokens.total, tokens.trained)
        limit = self.plan.budget.token_limit
        if tokens.total > limit:
            who = self.plan.budget.model or "the default limit"
            self.add("P301", number, "", f"Example has {tokens.total:,} tokens, over the {limit:,}-token limit of "
                     f"{who}; the service truncates it from the end.")

    def merge(self, other: FileScan) -> None:
        """Append a scan of the lines that follow this one's."""
        cap = self.plan.options.max_issues_per_code
        for issue in other.issues:
            if self.codes[issue.code] < cap:
                self.issues.append(issue)
            self.codes[issue.code] += 1
        for code, n in other.codes.items():
            self.codes[code] += n - min(n, cap)
        self.examples += other.examples
        self.lines += other.lines
        self.bom = self.bom or other.bom
        self.image_examples += other.image_examples
        self.hashes.extend(other.hashes)
        self.hash_lines.extend(other.hash_lines)
        if self.stats is not None and other.stats is not None:
            self.stats.merge(other.stats)


def _messages_of(value: dict[str, Any], fmt: DataFormat) -> list[Any]:
    if fmt is DataFormat.PREFERENCE:
        inp = value.get("input")
        value = inp if isinstance(inp, dict) else {}
    elif fmt is DataFormat.COMPLETION:
        return []
    messages = value.get("messages")
    return messages if isinstance(messages, list) else []


def duplicates(hashes: array[int], lines: array[int]) -> Iterator[tuple[int, int]]:
    """(line, line of its first copy) for every example seen before, in file order."""
    first: dict[int, int] = {}
    for h, line in zip(hashes, lines):
        seen = first.setdefault(h, line)
        if seen != line:
            yield line, seen


def finish(scan: FileScan, *, size: int | None = None, role: str = "train") -> FileReport:
    """Add the issues about the whole file and build its report.

    ``role`` "valid" applies the rules of a validation file (`_valid_dataset_issues`).
    """
    plan, target, n = scan.plan, scan.plan.target, scan.examples
    if target.bom == "require" and scan.lines and not scan.bom:
        scan.add("P114", None, "", f"The {target.title} requires UTF-8 with a byte-order mark; save the file with one.")
    for line, first in duplicates(scan.hashes, scan.hash_lines):
        scan.add("P403", line, "", f"Exact duplicate of the example on line {first}.")
    if role == "valid":
        _valid_dataset_issues(scan, n, size)
    else:
        _dataset_issues(scan, n, size)
    issues = sorted(scan.issues, key=lambda i: i.line or 0)
    severities: Counter[Severity] = Counter()
    for code, count in scan.codes.items():
        severities[target.severity(code)] += count
    ctx = plan.ctx
    return FileReport(
        path=plan.path,
        format=ctx.format if ctx else None,
        method=plan.options.method,
        examples=n,
        issues=issues,
        codes=scan.codes,
        severities=severities,
        stats=scan.stats if scan.counter.loaded or not scan.examples else None,
        budget=plan.budget,
        epochs=plan.options.epochs,
        role=role,
    )


def _dataset_issues(scan: FileScan, n: int, size: int | None) -> None:
    plan, target = scan.plan, scan.plan.target
    if n == 0:
        scan.add("P115", None, "", "File holds no examples.")
    elif n < target.min_examples:
        scan.add("P401", None, "", f"File has {n} example(s), but the service needs at least {target.min_examples}.")
    elif n < target.recommended_examples:
        scan.add("P402", None, "", f"File has {n} examples; {target.recommended_examples} or more are recommended.")
    rules = target.formats[plan.ctx.format] if plan.ctx else None
    if rules and rules.max_examples and n > rules.max_examples:
        scan.add("P405", None, "", f"File has {n:,} examples; {rules.max_examples:,} is the most for {rules.name} data.")
    if scan.image_examples > target.images.max_examples:
        scan.add("P406", None, "", f"{scan.image_examples:,} examples hold images; at most {target.images.max_examples:,} may.")
    if size is not None and size > target.max_file_bytes:
        scan.add("P407", None, "", f"File is {size / 2**20:,.0f} MiB; one upload takes at most {target.max_file_bytes / 2**20:,.0f} MiB.")
    budget = plan.budget
    if budget is not None and budget.model is not None:
        _model_issues(scan, target, budget.model, plan.options.today or dt.date.today())
    if budget is None:
        scan.add("P303", None, "", "Token limits were not checked (--no-tokens).")


def _model_issues(scan: FileScan, target: Target, model: str, today: dt.date) -> None:
    info = target.resolve_model(model)
    if info.shutdown and today >= info.shutdown:
        scan.add("P302", None, "", f"{info.name} was shut down on {info.shutdown}; it takes no new fine-tuning jobs.")
    elif target.new_jobs_until and today > target.new_jobs_until:
        scan.add("P302", None, "", f"The {target.title} takes no new jobs after {target.new_jobs_until}.")


def _plan(path: str, values: Iterable[dict[str, Any]], target: Target, options: CheckOptions, budget: Budget | None) -> Plan:
    allowed = target.formats_for(options.method)
    if options.data_format is not None:
        allowed = (options.data_format,)
    fmt = decide_format((vote(v) for v in islice(values, SAMPLE_LINES)), allowed)
    ctx = CheckContext(target, fmt) if fmt is not None else None
    return Plan(path, target, options, ctx, budget)


def _sample(path: Path, options: CheckOptions) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            value, problem = parse_line(line.data) if not line.length else (None, None)
            if value is not None:
                yield value


def check_path(path: Path, options: CheckOptions, target: Target, budget: Budget | None, counter: _LazyCounter) -> FileReport:
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    plan = _plan(str(path), _sample(path, options), target, options, budget)
    scan = FileScan(plan, counter)
    with path.open("rb") as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            scan.feed(line)
    return finish(scan, size=path.stat().st_size)


def check_records(records: Iterable[Any], options: CheckOptions, target: Target, budget: Budget | None,
                  counter: _LazyCounter, name: str = "<records>") -> FileReport:
    from .records import as_dict

    values = [as_dict(r) for r in records]
    plan = _plan(name, (v for v in values if isinstance(v, dict)), target, options, budget)
    scan = FileScan(plan, counter)
    for number, value in enumerate(values, 1):
        scan.lines += 1
        if isinstance(value, dict):
            scan.feed_value(number, value)
        else:
            scan.add("P107", number, "", f"Record {number} is a {type(value).__name__}, not an object.")
    return finish(scan)


def check(source: Any, *, options: CheckOptions | None = None, valid: str | os.PathLike[str] | None = None,
          **kwargs: Any) -> Report:
    """Check files (a path or a list of paths) or records held in memory.

    ``source`` is a path (str or Path), a list of paths, or an iterable of
    records (dicts or pydantic records). Keyword arguments are `CheckOptions`
    fields. Bad data never raises: it is in the report.

    ``valid`` names a validation file for the training file ``source`` (one
    path): it is checked as a validation file (`check_pair`), and each of its
    examples that is also in the training file gets a P404 warning.
    """
    options = options or CheckOptions(**kwargs)
    target = load_target(options.target)
    budget = (
        resolve_budget(target, model=options.model, encoding=options.encoding, token_limit=options.token_limit)
        if options.tokens
        else None
    )
    counter = _LazyCounter(budget, options.tiktoken_dir)
    if valid is not None:
        if not isinstance(source, (str, os.PathLike)):
            raise UsageError("A validation file is checked against one training file path.")
        files = check_pair(Path(source), Path(valid), options, target, budget, counter)
    elif isinstance(source, (str, os.PathLike)):
        files = [check_path(Path(source), options, target, budget, counter)]
    elif _is_path_list(source):
        files = [check_path(Path(p), options, target, budget, counter) for p in source]
    else:
        files = [check_records(source, options, target, budget, counter)]
    if counter.error:
        files = [replace(f, stats=None) for f in files]
    return Report(files, target=target.name, tokens_checked=budget is not None and not counter.error,
                  tokenizer_error=counter.error)


def _is_path_list(source: Any) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)



# Validation files and train/validation leakage.


def example_hash(value: dict[str, Any]) -> int:
    """The 64-bit hash `FileScan` keeps per example (blake2b of its canonical JSON).

    Equal examples have equal hashes whatever their key order or spacing;
    `prep.split` groups duplicates with it.
    """
    canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(canonical, digest_size=8).digest(), "little")


def scan_file(path: Path, options: CheckOptions, target: Target, budget: Budget | None,
              counter: _LazyCounter) -> FileScan:
    """Scan a file's lines (`check_path` without `finish`)."""
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    plan = _plan(str(path), _sample(path, options), target, options, budget)
    scan = FileScan(plan, counter)
    with path.open("rb") as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            scan.feed(line)
    return scan


def leaks(train: FileScan, valid: FileScan) -> Iterator[tuple[int, int]]:
    """(validation line, first training line) for each validation example also in training.

    Only the hashes the scans already keep are compared; the lookup table holds
    the validation file's hashes (usually the smaller file), not the examples.
    """
    wanted: dict[int, int] = {}
    for h in valid.hashes:
        wanted[h] = 0
    for h, line in zip(train.hashes, train.hash_lines):
        if h in wanted and not wanted[h]:
            wanted[h] = line
    for h, line in zip(valid.hashes, valid.hash_lines):
        if wanted[h]:
            yield line, wanted[h]


def check_pair(train: Path, valid: Path, options: CheckOptions, target: Target, budget: Budget | None,
               counter: _LazyCounter) -> list[FileReport]:
    """Check a training file and its validation file; report leakage on the validation file.

    The validation file must hold the training file's data format (a line of
    another format is P109). A validation file needs at least one example: the
    service documents no other minimum, so P401/P402 apply to the training file
    only; a reinforcement validation (test) file holds at most 1,000 examples.
    """
    t = scan_file(train, options, target, budget, counter)
    fmt = t.plan.ctx.format if t.plan.ctx else options.data_format
    v = scan_file(valid, replace(options, data_format=fmt), target, budget, counter)
    for line, first in leaks(t, v):
        v.add("P404", line, "", f"Also in {t.plan.path} line {first}: the example is in both the training "
              "and the validation file.")
    return [finish(t, size=train.stat().st_size), finish(v, size=valid.stat().st_size, role="valid")]


def _valid_dataset_issues(scan: FileScan, n: int, size: int | None) -> None:
    plan, target = scan.plan, scan.plan.target
    rules = target.formats[plan.ctx.format] if plan.ctx else None
    if n == 0:
        scan.add("P115", None, "", "File holds no examples.")
    elif rules and rules.max_valid_examples and n > rules.max_valid_examples:
        scan.add("P405", None, "", f"Validation file has {n:,} examples; {rules.max_valid_examples:,} is the most "
                 f"for {rules.name} validation data.")
    if scan.image_examples > target.images.max_examples:
        scan.add("P406", None, "", f"{scan.image_examples:,} examples hold images; at most {target.images.max_examples:,} may.")
    if size is not None and size > target.max_file_bytes:
        scan.add("P407", None, "", f"File is {size / 2**20:,.0f} MiB; one upload takes at most {target.max_file_bytes / 2**20:,.0f} MiB.")
