"""The checker: one source (a JSONL file, a pair of files, records) in, a `FileReport` out.

For each file: decide its format from the first lines (`plan_file`), scan every
line through the reader and the rules of that format (`prep.validation.scan`,
in parallel for large files: `prep.validation.parallel`), then add the issues
about the file as a whole (`prep.validation.dataset.finish`). Tables (CSV, TSV,
XLSX, JSON) reach the same scan through `prep.conversion.tables`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..reading.detect import SAMPLE_LINES, decide_format, vote
from ..reading.jsonl import iter_lines, parse_line
from ..records.values import as_dict
from ..reports.report import FileReport, Report
from ..targets.budget import Budget, resolve_budget
from ..targets.profile import Target, load_target
from .dataset import finish, leaks
from .options import CheckOptions
from .parallel import scan_file
from .rules import CheckContext
from .scan import FileScan, LazyCounter, Plan

__all__ = ["check_jsonl", "check_pair", "check_records", "check_training", "plan_file", "prepare", "report_of"]


def plan_file(
    path: str, values: Iterable[dict[str, Any]], target: Target, options: CheckOptions, budget: Budget | None
) -> Plan:
    """Decide a file's format from its first values (restricted to what the method and options allow)."""
    allowed = target.formats_for(options.method)
    if options.data_format is not None:
        allowed = (options.data_format,)
    fmt = decide_format((vote(v) for v in islice(values, SAMPLE_LINES)), allowed)
    ctx = CheckContext(target, fmt) if fmt is not None else None
    return Plan(path, target, options, ctx, budget)


def _sample(path: Path, options: CheckOptions) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            value = parse_line(line.data)[0] if not line.length else None
            if value is not None:
                yield value


def check_jsonl(
    path: Path, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> FileReport:
    """Check a JSONL file line by line (on several cores when it is large)."""
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    plan = plan_file(str(path), _sample(path, options), target, options, budget)
    return finish(scan_file(plan, path, counter), size=path.stat().st_size)


def check_records(
    records: Iterable[Any],
    options: CheckOptions,
    target: Target,
    budget: Budget | None,
    counter: LazyCounter,
    name: str = "<records>",
) -> FileReport:
    values = [as_dict(r) for r in records]
    plan = plan_file(name, (v for v in values if isinstance(v, dict)), target, options, budget)
    scan = FileScan(plan, counter)
    for number, value in enumerate(values, 1):
        scan.lines += 1
        if isinstance(value, dict):
            scan.feed_value(number, value)
        else:
            scan.add("P107", number, "", f"Record {number} is a {type(value).__name__}, not an object.")
    return finish(scan)


def prepare(options: CheckOptions) -> tuple[Target, Budget | None, LazyCounter]:
    """The target, the token budget (None with ``tokens=False``) and a tokenizer loaded on first use."""
    target = load_target(options.target)
    budget = None
    if options.tokens:
        budget = resolve_budget(target, model=options.model, encoding=options.encoding, token_limit=options.token_limit)
    return target, budget, LazyCounter(budget, options.tiktoken_dir)


def check_pair(
    train: Path, valid: Path, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> list[FileReport]:
    """Check a training file and its validation file; report leakage on the validation file.

    The validation file must hold the training file's data format (a line of
    another format is P109). A validation file needs at least one example: the
    service documents no other minimum, so P401/P402 apply to the training file
    only; a reinforcement validation (test) file holds at most 1,000 examples.
    """
    for path in (train, valid):
        if not path.is_file():
            raise InputError(f"Cannot read {str(path)!r}: no such file.")
    t_plan = plan_file(str(train), _sample(train, options), target, options, budget)
    t = scan_file(t_plan, train, counter)
    fmt = t_plan.ctx.format if t_plan.ctx else options.data_format
    v_options = replace(options, data_format=fmt)
    v = scan_file(plan_file(str(valid), _sample(valid, v_options), target, v_options, budget), valid, counter)
    for line, first in leaks(t, v):
        v.add(
            "P404",
            line,
            "",
            f"Also in {t_plan.path} line {first}: the example is in both the training and the validation file.",
        )
    return [finish(t, size=train.stat().st_size), finish(v, size=valid.stat().st_size, role="valid")]


def report_of(files: list[FileReport], target: Target, budget: Budget | None, counter: LazyCounter) -> Report:
    """The report of one check; without a tokenizer, statistics are left out (they would be incomplete)."""
    if counter.error:
        files = [replace(f, stats=None) for f in files]
    return Report(
        files,
        target=target.name,
        tokens_checked=budget is not None and not counter.error,
        tokenizer_error=counter.error,
    )


def check_training(train: Path, valid: Path | None, options: CheckOptions) -> Report:
    """Check a training JSONL file, and its validation file, as they will be uploaded."""
    target, budget, counter = prepare(options)
    if valid is None:
        files = [check_jsonl(train, options, target, budget, counter)]
    else:
        files = check_pair(train, valid, options, target, budget, counter)
    return report_of(files, target, budget, counter)
