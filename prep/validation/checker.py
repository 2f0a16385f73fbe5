"""The checker: one source (a JSONL file, a pair of files, records) in, a `FileReport` per target out.

For each file: decide its format from the first lines, for each target
(`plan_file`); scan every line once through the reader, then through the rules
of each target (`prep.validation.scan`, in parallel for large files:
`prep.validation.parallel`); then add the issues about the file as a whole
(`prep.validation.dataset.finish`). Tables (CSV, TSV, XLSX, JSON) reach the
same scan through `prep.conversion.tables`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from typing import Any

from ..errors import UnknownModelError, UsageError
from ..reading.detect import SAMPLE_LINES, decide_format, family, vote
from ..reading.jsonl import iter_lines, parse_line
from ..reading.sources import Source, open_source, stat_source
from ..records.values import as_dict
from ..reports.report import FileReport, Report, TargetVerdict, union
from ..targets.budget import Budget, resolve_budget
from ..targets.loader import load_target, resolve_targets
from ..targets.profile import DataFormat, Method, Target
from .counters import Tokenizers
from .dataset import finish, leaks
from .encoders import check_encoding_name
from .group import ScanGroup
from .options import CheckOptions
from .parallel import scan_file
from .rules import CheckContext
from .scan import Plan

__all__ = [
    "CheckRun",
    "check_jsonl",
    "check_pair",
    "check_records",
    "check_training",
    "finish_pair",
    "plan_file",
    "prepare",
    "report_of",
    "sample",
    "today",
    "valid_run",
]


@dataclass(frozen=True)
class CheckRun:
    """One check: its options, its targets and the token counters they share."""

    options: CheckOptions
    targets: tuple[Target, ...]
    tokenizers: Tokenizers
    today: dt.date


#: Check against the calendar of another day (ISO date): what the targets' dates will say then.
TODAY_ENV = "PREP_TODAY"


def prepare(options: CheckOptions) -> CheckRun:
    """Load the targets (with the severities ``options`` give codes); tokenizers are loaded when the first
    example needs one. Options that contradict each other, or an unknown encoding, are a `UsageError` here,
    before anything is read."""
    targets = tuple(load_target(name) for name in resolve_targets(options.target))
    if options.severity:
        targets = tuple(replace(t, severities={**t.severities, **dict(options.severity)}) for t in targets)
    _method_takes_format(options, targets)
    if options.encoding is not None and options.tokens:
        check_encoding_name(options.encoding)
    return CheckRun(options, targets, Tokenizers(options.tiktoken_dir, options.chat_template), options.today or today())


def _method_takes_format(options: CheckOptions, targets: tuple[Target, ...]) -> None:
    """A forced data format that the training method takes on none of the targets is a `UsageError`."""
    method, fmt = options.method, options.data_format
    if method is None or fmt is None or any(fmt in t.methods.get(method, ()) for t in targets):
        return
    takes = sorted({f.value for t in targets for f in t.methods.get(method, ())})
    raise UsageError(
        f"--method {method} and --data-format {fmt} contradict each other: {method} training takes "
        f"{' or '.join(takes) or 'no'} data; give one of the two."
    )


def today() -> dt.date:
    """The day the targets' calendars are read on: ``PREP_TODAY`` (YYYY-MM-DD) when set, else today."""
    value = os.environ.get(TODAY_ENV)
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{TODAY_ENV}={value!r} is not a date (YYYY-MM-DD).") from None


def plan_file(path: str, values: Iterable[dict[str, Any]], run: CheckRun, *, memory: bool = False) -> list[Plan]:
    """For each target: the file's format (decided from its first values), rules and token budget.

    ``memory`` says the values are records held in memory rather than a file's.
    """
    votes = [vote(v) for v in islice(values, SAMPLE_LINES)]
    return [replace(_plan(path, votes, target, run), memory=memory) for target in run.targets]


def _plan(path: str, votes: list[DataFormat | None], target: Target, run: CheckRun) -> Plan:
    options, notes = run.options, []
    target = _for_model(target, options.model)
    try:
        allowed = (options.data_format,) if options.data_format else target.formats_for(options.method)
    except UsageError as exc:
        if len(run.targets) == 1:
            raise
        return Plan(path, target, options, None, None, notes=(("P304", str(exc)),), skip=True)
    fmt = decide_format(votes, tuple(DataFormat))
    takes_kind = fmt is None or any(family(f) is family(fmt) for f in target.formats)
    if not takes_kind and options.data_format is None:
        takes = ", ".join(f.value for f in target.formats)
        note = ("P304", f"{target.provider} takes no {fmt} data (it takes: {takes}).")
        return Plan(path, target, options, None, None, notes=(note,), skip=True)
    fmt = decide_format(votes, allowed)
    ctx = CheckContext(target, fmt) if fmt is not None else None
    notes += _method_hint(target, fmt, options)
    budget = None
    if options.tokens:
        budget, problem = _budget(target, fmt, run)
        notes += [("P304", problem)] if problem else []
    return Plan(path, target, options, ctx, budget, notes=tuple(notes))


def _method_hint(target: Target, fmt: DataFormat | None, options: CheckOptions) -> list[tuple[str, str]]:
    """P121, once per file: data that a method other than supervised trains, checked without --method (or
    --data-format), is named with that method, so that the job is created with it."""
    method = target.method_of(fmt) if fmt is not None else None
    if options.method is not None or options.data_format is not None or method in (None, Method.SUPERVISED):
        return []
    why = _LOOKS.get(fmt, "") if fmt is not None else ""
    return [
        (
            "P121",
            f"The file looks like {fmt} data{why}, which {target.provider} trains with --method {method}; it was "
            f"checked as such (pass --method {method} to say so, and create the job with it).",
        )
    ]


#: Why a file looks like the data of a method, beyond its keys.
_LOOKS = {
    DataFormat.REINFORCEMENT: " (its conversations end on a user turn, for the model to answer and a grader to score)",
}


def _for_model(target: Target, model: str | None) -> Target:
    """The target's rules for ``model`` (`Target.for_model`); unchanged without a model, or for one it does
    not know (the budget reports that)."""
    if model is None:
        return target
    try:
        return target.for_model(target.resolve_model(model))
    except UnknownModelError:
        return target


def _budget(target: Target, fmt: DataFormat | None, run: CheckRun) -> tuple[Budget, str | None]:
    """The budget for ``fmt``, its model's tokenizer located; a model the target does not tune is a problem when
    several targets are checked."""
    o = run.options
    resolve = partial(
        resolve_budget, target, encoding=o.encoding, token_limit=o.token_limit, max_seq_length=o.max_seq_length,
        tokenizer=o.tokenizer, fmt=fmt, today=run.today,
    )  # fmt: skip
    problem = None
    try:
        budget = resolve(model=o.model)
    except UnknownModelError:
        if len(run.targets) == 1:
            raise
        budget, problem = resolve(), f"{target.provider} does not fine-tune {o.model}."
    return _located(budget, fmt, run), problem


def _located(budget: Budget, fmt: DataFormat | None, run: CheckRun) -> Budget:
    """The budget with its model's tokenizer found on this machine, or its estimate explained."""
    if budget.tokenizer is None:
        return budget
    from .rendering.counter import RENDERED_FORMATS
    from .rendering.source import locate

    if fmt is not None and fmt not in RENDERED_FORMATS:
        why = f"a model's own tokenizer counts OpenAI- and TRL-shaped data; this file holds {fmt} data"
        return replace(budget, exact=False, estimate=why)
    o = run.options
    explicit = o.tokenizer is not None
    return locate(budget, explicit=explicit, allow_download=o.allow_download, tiktoken_dir=o.tiktoken_dir)


def sample(source: Source, options: CheckOptions) -> Iterator[dict[str, Any]]:
    """The parsed values of a source's first lines (for `plan_file`), read as they are needed."""
    with open_source(source) as fp:
        for line in iter_lines(fp, max_line_bytes=options.max_line_bytes):
            value = parse_line(line.data)[0] if not line.length else None
            if value is not None:
                yield value


def check_jsonl(source: Source, run: CheckRun) -> list[FileReport]:
    """Check a JSONL source line by line (on several cores when it is a large local file); one report per target."""
    group, size = scan_jsonl(source, run)
    return [finish(scan, size=size, today=run.today) for scan in group.scans]


def scan_jsonl(source: Source, run: CheckRun) -> tuple[ScanGroup, int]:
    """The scans of a JSONL source, not yet finished (more issues may be added), and the bytes read."""
    return scan_file(plan_file(source.name, sample(source, run.options), run), source, run.tokenizers)


def check_records(records: Iterable[Any], run: CheckRun, name: str = "<records>") -> list[FileReport]:
    """Check records held in memory (dicts or pydantic records); one report per target."""
    values = [as_dict(r) for r in records]
    group = ScanGroup(plan_file(name, (v for v in values if isinstance(v, dict)), run, memory=True), run.tokenizers)
    for number, value in enumerate(values, 1):
        for scan in group.scans:
            scan.lines += 1
        if isinstance(value, dict):
            group.feed_value(number, value)
        else:
            group.add("P107", number, "", f"Record {number} is a {type(value).__name__}, not an object.")
    return [finish(scan, today=run.today) for scan in group.scans]


def check_pair(train: Source, valid: Source, run: CheckRun) -> list[list[FileReport]]:
    """Check a training file and its validation file; report leakage on the validation file.

    The validation file must hold the training file's data format (a line of
    another format is P109). A validation file needs at least one example: the
    service documents no other minimum, so P401/P402 apply to the training file
    only; a reinforcement validation (test) file holds at most 1,000 examples.
    Returns the reports of each file, per target.
    """
    t_plans = plan_file(train.name, sample(train, run.options), run)
    t, t_size = scan_file(t_plans, train, run.tokenizers)
    v_run = valid_run(run, t_plans)
    v, v_size = scan_file(plan_file(valid.name, sample(valid, v_run.options), v_run), valid, run.tokenizers)
    return finish_pair(t, t_size, v, v_size, run)


def valid_run(run: CheckRun, train_plans: list[Plan]) -> CheckRun:
    """The run of a validation file: its training file's, with the training file's data format."""
    fmt = next((p.ctx.format for p in train_plans if p.ctx), run.options.data_format)
    return replace(run, options=replace(run.options, data_format=fmt))


def finish_pair(t: ScanGroup, t_size: int, v: ScanGroup, v_size: int, run: CheckRun) -> list[list[FileReport]]:
    """The reports of a scanned training file and its validation file, with leakage (P404) on the latter."""
    train = t.scans[0].plan.path
    for line, first in leaks(t.scans[0], v.scans[0]):
        v.add(
            "P404",
            line,
            "",
            f"Also in {train} line {first}: the example is in both the training and the validation file.",
        )
    return [
        [finish(scan, size=t_size, today=run.today) for scan in t.scans],
        [finish(scan, size=v_size, role="valid", today=run.today) for scan in v.scans],
    ]


def report_of(files: list[list[FileReport]], run: CheckRun) -> Report:
    """The report of one check from each file's reports per target: the files (merged over the
    targets when there are several) and one verdict per target. Without a tokenizer, statistics
    are left out (they would be incomplete)."""
    error = run.tokenizers.error
    if error:
        files = [[replace(f, stats=None) for f in per_target] for per_target in files]
    names = [t.name for t in run.targets]
    verdicts = [
        TargetVerdict(
            t.name, t.title, t.status, [per_target[i] for per_target in files], t.calendar(run.today, run.options.model)
        )
        for i, t in enumerate(run.targets)
    ]
    merged = [per_target[0] if len(names) == 1 else union(per_target, names) for per_target in files]
    return Report(
        merged,
        target=",".join(names),
        tokens_checked=run.options.tokens and not error,
        tokenizer_error=error,
        verdicts=verdicts,
    )


def check_training(
    train: str | os.PathLike[str], valid: str | os.PathLike[str] | None, options: CheckOptions
) -> Report:
    """Check a training JSONL file, and its validation file, as they will be uploaded (paths or URLs)."""
    run = prepare(options)
    source = stat_source(os.fspath(train))
    if valid is None:
        return report_of([check_jsonl(source, run)], run)
    return report_of(check_pair(source, stat_source(os.fspath(valid)), run), run)
