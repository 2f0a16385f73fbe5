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
from .errors import InputError
from .formats import FileType, detect_file_type
from .issues import Severity
from .jsonl import iter_lines, parse_line
from .options import CheckOptions
from .parallel import scan_file
from .report import FileReport, Report
from .scan import FileScan, LazyCounter, Plan
from .targets import Target, load_target
from .tokens import Budget, resolve_budget

__all__ = ["CheckOptions", "check", "duplicates", "finish"]


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


def finish(scan: FileScan, *, size: int | None = None) -> FileReport:
    """Add the issues about the whole file and build its report."""
    plan, target, n = scan.plan, scan.plan.target, scan.examples
    if target.bom == "require" and scan.lines and not scan.bom:
        scan.add("P114", None, "", f"The {target.title} requires UTF-8 with a byte-order mark; save the file with one.")
    for line, first, digest in duplicates(scan.hashes, scan.hash_lines):
        scan.add("P403", line, "", f"Exact duplicate of the example on line {first}.", fingerprint=f"{digest:016x}")
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
        stats=scan.stats,
        budget=plan.budget,
        epochs=plan.options.epochs,
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
            value = parse_line(line.data)[0] if not line.length else None
            if value is not None:
                yield value


def check_path(path: Path, options: CheckOptions, target: Target, budget: Budget | None, counter: LazyCounter) -> FileReport:
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    if detect_file_type(path, options.table.file_type if options.table else None) is not FileType.JSONL:
        from .tables import check_table

        return check_table(path, options, target, budget, counter)
    plan = _plan(str(path), _sample(path, options), target, options, budget)
    return finish(scan_file(plan, path, counter), size=path.stat().st_size)


def check_records(records: Iterable[Any], options: CheckOptions, target: Target, budget: Budget | None,
                  counter: LazyCounter, name: str = "<records>") -> FileReport:
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


def check(source: Any, *, options: CheckOptions | None = None, **kwargs: Any) -> Report:
    """Check files (a path or a list of paths) or records held in memory.

    ``source`` is a path (str or Path), a list of paths, a pandas DataFrame
    (read as a table, see `prep.convert`), or an iterable of records (dicts
    or pydantic records). Keyword arguments are `CheckOptions`
    fields. Bad data never raises: it is in the report.
    """
    options = options or CheckOptions(**kwargs)
    target = load_target(options.target)
    budget = (
        resolve_budget(target, model=options.model, encoding=options.encoding, token_limit=options.token_limit)
        if options.tokens
        else None
    )
    counter = LazyCounter(budget, options.tiktoken_dir)
    if isinstance(source, (str, os.PathLike)):
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
    return Report(files, target=target.name, tokens_checked=budget is not None and not counter.error,
                  tokenizer_error=counter.error)


def _is_path_list(source: Any) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)

