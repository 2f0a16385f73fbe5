"""Check files or in-memory records: orchestration only.

For each file: decide its format from the first lines (`Plan`), scan every
line through the reader and the checks of that format (`prep.scan.FileScan`,
in parallel for large files: `prep.parallel`), then add the issues about the
file as a whole (`finish`).
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from .checks import CheckContext
from .detect import SAMPLE_LINES, decide_format, vote
from .errors import InputError, UsageError
from .formats import FileType, detect_file_type
from .issues import Severity
from .jsonl import iter_lines, parse_line
from .options import CheckOptions
from .parallel import scan_file
from .report import FileReport, Report
from .scan import FileScan, LazyCounter, Plan
from .targets import Target, load_target
from .tokens import Budget, resolve_budget

__all__ = ["CheckOptions", "check", "check_pair", "duplicates", "finish", "leaks"]


#: Above this many examples, duplicates are found by sorting hashes (numpy) instead of a dict.
SORT_DUPLICATES_ABOVE = 200_000


def duplicates(hashes: array[int], lines: array[int]) -> Iterator[tuple[int, int, int]]:
    """(line, line of its first copy, example hash) for every example seen before, in file order.

    Memory: a dict of the distinct hashes for small files; for large ones, a stable
    sort of the 64-bit hashes (about 32 bytes an example, whatever its size).
    """
    if len(hashes) > SORT_DUPLICATES_ABOVE:
        yield from _sorted_duplicates(hashes, lines)
        return
    first: dict[int, int] = {}
    for h, line in zip(hashes, lines, strict=True):
        seen = first.setdefault(h, line)
        if seen != line:
            yield line, seen, h


def _sorted_duplicates(hashes: array[int], lines: array[int]) -> Iterator[tuple[int, int, int]]:
    import numpy as np

    h = np.frombuffer(hashes, dtype=np.uint64)
    order = np.argsort(h, kind="stable")  # equal hashes keep their file order
    sorted_h = h[order]
    starts = np.ones(len(h), dtype=bool)
    starts[1:] = sorted_h[1:] != sorted_h[:-1]
    first_of = order[np.maximum.accumulate(np.where(starts, np.arange(len(h)), 0))]
    copies = np.flatnonzero(~starts)
    by_line = np.argsort(order[copies], kind="stable")
    for i in copies[by_line].tolist():
        yield lines[order[i]], lines[first_of[i]], hashes[order[i]]


def finish(scan: FileScan, *, size: int | None = None, role: str = "train") -> FileReport:
    """Add the issues about the whole file and build its report.

    ``role`` "valid" applies the rules of a validation file (`_dataset_issues`).
    """
    plan, target, n = scan.plan, scan.plan.target, scan.examples
    if target.bom == "require" and scan.lines and not scan.bom:
        scan.add("P114", None, "", f"The {target.title} requires UTF-8 with a byte-order mark; save the file with one.")
    for line, first, digest in duplicates(scan.hashes, scan.hash_lines):
        scan.add("P403", line, "", f"Exact duplicate of the example on line {first}.", fingerprint=f"{digest:016x}")
    _dataset_issues(scan, n, size, role)
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
        stats=scan.stats,
        budget=plan.budget,
        epochs=plan.options.epochs,
        role=role,
    )


def _dataset_issues(scan: FileScan, n: int, size: int | None, role: str) -> None:
    """Issues about the file as a whole; a validation file needs one example, not the training minimum."""
    plan, target = scan.plan, scan.plan.target
    rules = target.formats[plan.ctx.format] if plan.ctx else None
    if n == 0:
        scan.add("P115", None, "", "File holds no examples.")
    elif role == "train" and n < target.min_examples:
        scan.add("P401", None, "", f"File has {n} example(s), but the service needs at least {target.min_examples}.")
    elif role == "train" and n < target.recommended_examples:
        scan.add("P402", None, "", f"File has {n} examples; {target.recommended_examples} or more are recommended.")
    most = (rules.max_valid_examples if role == "valid" else rules.max_examples) if rules else None
    if rules and most and n > most:
        what = "Validation file" if role == "valid" else "File"
        kind = f"{rules.name} validation data" if role == "valid" else f"{rules.name} data"
        scan.add("P405", None, "", f"{what} has {n:,} examples; {most:,} is the most for {kind}.")
    if scan.image_examples > target.images.max_examples:
        scan.add(
            "P406",
            None,
            "",
            f"{scan.image_examples:,} examples hold images; at most {target.images.max_examples:,} may.",
        )
    if size is not None and size > target.max_file_bytes:
        mib, most_mib = size / 2**20, target.max_file_bytes / 2**20
        scan.add("P407", None, "", f"File is {mib:,.0f} MiB; one upload takes at most {most_mib:,.0f} MiB.")
    if role == "valid":
        return  # the model and the token check are reported on the training file
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


def _plan(
    path: str, values: Iterable[dict[str, Any]], target: Target, options: CheckOptions, budget: Budget | None
) -> Plan:
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


def check_path(
    path: Path, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter
) -> FileReport:
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    if detect_file_type(path, options.table.file_type if options.table else None) is not FileType.JSONL:
        from .tables import check_table

        return check_table(path, options, target, budget, counter)
    plan = _plan(str(path), _sample(path, options), target, options, budget)
    return finish(scan_file(plan, path, counter), size=path.stat().st_size)


def check_records(
    records: Iterable[Any],
    options: CheckOptions,
    target: Target,
    budget: Budget | None,
    counter: LazyCounter,
    name: str = "<records>",
) -> FileReport:
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


def prepare(options: CheckOptions) -> tuple[Target, Budget | None, LazyCounter]:
    """The target, the token budget (None with ``tokens=False``) and a tokenizer loaded on first use."""
    target = load_target(options.target)
    budget = None
    if options.tokens:
        budget = resolve_budget(target, model=options.model, encoding=options.encoding, token_limit=options.token_limit)
    return target, budget, LazyCounter(budget, options.tiktoken_dir)


def check(
    source: Any, *, options: CheckOptions | None = None, valid: str | os.PathLike[str] | None = None, **kwargs: Any
) -> Report:
    """Check files (a path or a list of paths) or records held in memory.

    ``source`` is a path (str or Path), a list of paths, a pandas DataFrame
    (read as a table, see `prep.convert`), or an iterable of records (dicts
    or pydantic records). Keyword arguments are `CheckOptions`
    fields. Bad data never raises: it is in the report.

    ``valid`` names a validation file for the training file ``source`` (one
    path): it is checked as a validation file (`check_pair`), and each of its
    examples that is also in the training file gets a P404 warning.
    """
    options = options or CheckOptions(**kwargs)
    target, budget, counter = prepare(options)
    if valid is not None:
        if not isinstance(source, (str, os.PathLike)):
            raise UsageError("A validation file is checked against one training file path.")
        files = check_pair(Path(source), Path(valid), options, target, budget, counter)
    elif isinstance(source, (str, os.PathLike)):
        files = [check_path(Path(source), options, target, budget, counter)]
    elif _is_path_list(source):
        files = [check_path(Path(p), options, target, budget, counter) for p in source]
    elif type(source).__name__ == "DataFrame":  # pandas: rows of a table, mapped as in a spreadsheet
        from .tables import check_table

        files = [check_table(source, options, target, budget, counter)]
    else:
        files = [check_records(source, options, target, budget, counter)]
    if counter.error:
        files = [replace(f, stats=None) for f in files]
    return Report(
        files,
        target=target.name,
        tokens_checked=budget is not None and not counter.error,
        tokenizer_error=counter.error,
    )


def _is_path_list(source: Any) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)


# Validation files and train/validation leakage.


def leaks(train: FileScan, valid: FileScan) -> Iterator[tuple[int, int]]:
    """(validation line, first training line) for each validation example also in training.

    Only the hashes the scans already keep are compared; the lookup table holds
    the validation file's hashes (usually the smaller file), not the examples.
    """
    wanted: dict[int, int] = dict.fromkeys(valid.hashes, 0)
    for h, line in zip(train.hashes, train.hash_lines, strict=True):
        if h in wanted and not wanted[h]:
            wanted[h] = line
    for h, line in zip(valid.hashes, valid.hash_lines, strict=True):
        if wanted[h]:
            yield line, wanted[h]


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
    t_plan = _plan(str(train), _sample(train, options), target, options, budget)
    t = scan_file(t_plan, train, counter)
    fmt = t_plan.ctx.format if t_plan.ctx else options.data_format
    v_options = replace(options, data_format=fmt)
    v = scan_file(_plan(str(valid), _sample(valid, v_options), target, v_options, budget), valid, counter)
    for line, first in leaks(t, v):
        v.add(
            "P404",
            line,
            "",
            f"Also in {t_plan.path} line {first}: the example is in both the training and the validation file.",
        )
    return [finish(t, size=train.stat().st_size), finish(v, size=valid.stat().st_size, role="valid")]
