"""``prep split``: a deterministic train/validation split of data that was checked first.

A split reads only data it can check. A JSONL file is checked as ``prep check``
checks it (with its project configuration) and its lines are copied byte for
byte; a table (CSV, TSV, XLSX, JSON) goes through the converter, as ``prep
convert`` reads it, and its records are written as JSONL. Either way, a line or
row with an error is reported and left out of both files, never copied, and
blank lines are dropped. When the training side holds fewer examples than the
target's minimum, the result says so (P408). Which example goes where:
`.partition`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError, UsageError
from ..issues import Issue
from ..reading.files import detect_file_type
from ..reading.table import FileType
from ..reports.report import Report
from ..targets.loader import load_target, resolve_targets
from .partition import BOM, Items, partition, write_sides

__all__ = ["SplitResult", "split", "split_paths"]

#: Issues that say nothing about a line to split: the source's own size (the training side is checked
#: instead, P408) and the note that tokens were not counted.
_NOT_FOR_SPLIT = frozenset({"P303", "P401", "P402"})
_TABLE_FIELDS = ("sheet", "mapping", "system", "file_type", "input_encoding", "header")
#: Errors placed on a line that are about the whole file (its byte-order mark): the line itself is kept.
_FILE_ERRORS = frozenset({"P102", "P114"})


@dataclass(frozen=True)
class SplitResult:
    """What `split` wrote. ``labels`` is the number of labels when stratified, else 0.

    ``report`` is the check of the source; ``left_out`` the lines (or rows) with
    errors, in neither file; ``issues`` what is found about the split itself (P408).
    """

    train_path: Path
    valid_path: Path
    train_examples: int
    valid_examples: int
    groups: int
    stratified: bool
    labels: int = 0
    blank_lines: int = 0
    report: Report | None = None
    left_out: tuple[int, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 every example was split, 1 lines with errors were left out."""
        return 1 if self.left_out or (self.report is not None and not self.report.ok) else 0


def split_paths(path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """``<stem>.train.jsonl`` and ``<stem>.valid.jsonl``, beside ``path`` or in ``out_dir``."""
    source = Path(path)
    folder = Path(out_dir) if out_dir is not None else source.parent
    stem = source.name[: -len(source.suffix)] if source.suffix else source.name
    return folder / f"{stem}.train.jsonl", folder / f"{stem}.valid.jsonl"


def split(
    path: str | os.PathLike[str],
    *,
    valid_fraction: float | None = None,
    valid_count: int | None = None,
    seed: int = 0,
    out_dir: str | os.PathLike[str] | None = None,
    stratify: bool | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    **options: Any,
) -> SplitResult:
    """Check a data file, then split its examples into training and validation files.

    Give ``valid_fraction`` (0 < F < 1; default 0.1) or ``valid_count`` (N
    examples). ``stratify`` None detects legacy classification data; True
    forces stratifying by ``completion``; False turns it off. Other keyword
    arguments are `CheckOptions` fields and, for tables, `TableOptions` fields;
    the project's configuration fills the rest (``config`` forces one file,
    ``isolated`` uses none). Both files are written atomically.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(f"Cannot read {str(source)!r}: no such file.")
    train_path, valid_path = split_paths(source, out_dir)
    if source.resolve() in (train_path.resolve(), valid_path.resolve()):
        raise UsageError(f"{source} would be overwritten by its own split; use -o DIR.")
    checked = _checked(source, options, {"config": config, "isolated": isolated})
    part = partition(
        checked.items, str(source), fraction=valid_fraction, count=valid_count, seed=seed, stratify=stratify
    )
    write_sides(checked.items, part, train_path, valid_path, bom=checked.bom)
    n, valid_n = len(part.hashes), part.valid_examples
    return SplitResult(
        train_path,
        valid_path,
        n - valid_n,
        valid_n,
        len(part.sizes),
        part.stratified,
        part.labels,
        checked.blank,
        checked.report,
        checked.left_out,
        _minimum(train_path, n - valid_n, checked.target),
    )


@dataclass
class _Checked:
    """The examples of a source that passed its check, and what the check found."""

    items: Items
    report: Report
    left_out: tuple[int, ...]
    target: str
    bom: bool = False
    blank: int = 0


def _checked(source: Path, options: dict[str, Any], project: dict[str, Any]) -> _Checked:
    """Check the source as ``prep check`` (JSONL) or ``prep convert`` (tables) reads it."""
    settings = {**options, "tokens": False, "ignore": frozenset(options.get("ignore", ())) | _NOT_FOR_SPLIT}
    if detect_file_type(source, options.get("file_type")) is not FileType.JSONL:
        return _checked_table(source, settings, project)
    return _checked_jsonl(source, settings, project)


def _checked_jsonl(source: Path, settings: dict[str, Any], project: dict[str, Any]) -> _Checked:
    from ..project.runner import check_named
    from ..reading.table import TableOptions
    from ..validation.options import CheckOptions

    table = {k: settings.pop(k) for k in _TABLE_FIELDS if k in settings}
    if set(table) - {"file_type"}:
        raise UsageError(f"{', '.join(sorted(set(table) - {'file_type'}))} apply to tables; {source} is JSONL.")
    if table:
        settings["table"] = TableOptions(**table)
    settings["max_issues_per_code"] = CheckOptions().max_issues_per_code * 1000  # every bad line, to leave it out
    run = check_named(source, settings, use_baseline=False, **project)
    bad = {i.line for i in run.report.issues if i.is_error and i.line is not None and i.code not in _FILE_ERRORS}
    blank = _blank_lines(source)
    with source.open("rb") as fp:
        bom = fp.read(len(BOM)) == BOM
    target = run.plans[0].options.target
    left_out = tuple(sorted(bad - blank))
    return _Checked(lambda: _jsonl_items(source, bad | blank), run.report, left_out, target, bom, len(blank))


def _checked_table(source: Path, settings: dict[str, Any], project: dict[str, Any]) -> _Checked:
    from ..conversion.converter import convert, jsonl_bytes
    from ..project.converting import convert_settings

    convert_options, check_options = convert_settings(source, None, None, settings, **project)
    result = convert(source, None, options=convert_options, check=check_options)
    records = result.records
    items: Items = lambda: ((jsonl_bytes([r]), r) for r in records)  # noqa: E731
    return _Checked(items, result.report, tuple(result.skipped), check_options.target, result.bom)


def _jsonl_items(source: Path, skip: set[int]) -> Iterator[tuple[bytes, Any]]:
    """(line bytes, value) of every line not in ``skip``; the first line's BOM removed."""
    with source.open("rb") as fp:
        for number, raw in enumerate(fp, 1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if number not in skip:
                yield raw, _value(raw)


def _value(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _blank_lines(source: Path) -> set[int]:
    with source.open("rb") as fp:
        return {n for n, raw in enumerate(fp, 1) if not raw.strip() or raw.strip() == BOM}


def _minimum(train_path: Path, train_examples: int, target_names: str) -> tuple[Issue, ...]:
    """P408 for each target whose minimum the training file falls below."""
    out = []
    for name in resolve_targets(target_names):
        target = load_target(name)
        if train_examples >= target.min_examples:
            continue
        message = (
            f"The training file has {train_examples} example(s), but {target.provider} needs at least "
            f"{target.min_examples}; add examples, or take fewer for validation (--valid-count)."
        )
        out.append(Issue("P408", target.severity("P408"), message, None, "", str(train_path)))
    return tuple(out)
