"""The checker: one source (a JSONL file, a pair of files, records) in, a `FileReport` out.

For each file: decide its format from the first lines (`plan_file`), scan every
line through the reader and the rules of that format (`prep.validation.scan`,
in parallel for large files: `prep.validation.parallel`), then add the issues
about the file as a whole (`prep.validation.dataset.finish`). Tables (CSV, TSV,
XLSX, JSON) reach the same scan through `prep.conversion.tables`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from typing import Any

from ..reading.detect import SAMPLE_LINES, decide_format, vote
from ..reading.jsonl import iter_lines, parse_line
from ..reading.sources import Source, open_source, stat_source
from ..records.values import as_dict
from ..reports.report import FileReport, Report
from ..targets.budget import Budget, resolve_budget
from ..targets.profile import Target, load_target
from .dataset import finish, leaks
from .options import CheckOptions
from .parallel import scan_file
from .rules import CheckContext
from .scan import FileScan, LazyCounter, Plan

__all__ = [
    "check_jsonl",
    "check_pair",
    "check_records",
    "check_training",
    "finish_pair",
    "plan_file",
    "prepare",
    "report_of",
    "sample",
    "valid_options",
]


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


def sample(source: Source, options: CheckOptions) -> Iterator[dict[str, Any]]:
    """The parsed values of a source's first lines (for `plan_file`), read as they are needed."""
    with open_source(source) as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            value = parse_line(line.data)[0] if not line.length else None
            if value is not None:
                yield value


def check_jsonl(
    source: Source, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> FileReport:
    """Check a JSONL source line by line (on several cores when it is a large local file)."""
    plan = plan_file(source.name, sample(source, options), target, options, budget)
    scan, size = scan_file(plan, source, counter)
    return finish(scan, size=size)


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
    train: Source, valid: Source, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> list[FileReport]:
    """Check a training file and its validation file; report leakage on the validation file.

    The validation file must hold the training file's data format (a line of
    another format is P109). A validation file needs at least one example: the
    service documents no other minimum, so P401/P402 apply to the training file
    only; a reinforcement validation (test) file holds at most 1,000 examples.
    """
    t_plan = plan_file(train.name, sample(train, options), target, options, budget)
    t, t_size = scan_file(t_plan, train, counter)
    v_options = valid_options(t_plan)
    v, v_size = scan_file(plan_file(valid.name, sample(valid, v_options), target, v_options, budget), valid, counter)
    return finish_pair(t, t_size, v, v_size)


def valid_options(train_plan: Plan) -> CheckOptions:
    """The options of a validation file: its training file's, with the training file's data format."""
    options = train_plan.options
    return replace(options, data_format=train_plan.ctx.format if train_plan.ctx else options.data_format)


def finish_pair(t: FileScan, t_size: int, v: FileScan, v_size: int) -> list[FileReport]:
    """The reports of a scanned training file and its validation file, with leakage (P404) on the latter."""
    for line, first in leaks(t, v):
        v.add(
            "P404",
            line,
            "",
            f"Also in {t.plan.path} line {first}: the example is in both the training and the validation file.",
        )
    return [finish(t, size=t_size), finish(v, size=v_size, role="valid")]


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


def check_training(
    train: str | os.PathLike[str], valid: str | os.PathLike[str] | None, options: CheckOptions
) -> Report:
    """Check a training JSONL file, and its validation file, as they will be uploaded (paths or URLs)."""
    target, budget, counter = prepare(options)
    if valid is None:
        files = [check_jsonl(stat_source(os.fspath(train)), options, target, budget, counter)]
    else:
        files = check_pair(
            stat_source(os.fspath(train)), stat_source(os.fspath(valid)), options, target, budget, counter
        )
    return report_of(files, target, budget, counter)
