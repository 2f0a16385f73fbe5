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

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import InputError, UsageError
from ..issues import Issue
from ..project.arguments import TABLE_ARGUMENTS, changed_settings, given_settings, in_memory
from ..reading.files import detect_file_type
from ..reading.jsonl import iter_lines
from ..reading.table import FileType, TableOptions
from ..reports.report import Report
from ..targets.loader import load_target, resolve_targets
from ..validation.options import issue_codes
from ..validation.panics import contained
from .partition import BOM, Items, Partition, partition, write_sides

if TYPE_CHECKING:
    from ..conversion.converter import ConversionResult
    from ..issues import Severity
    from ..targets.profile import DataFormat, Method
    from ..validation.options import CheckOptions

__all__ = ["SplitResult", "split", "split_paths"]

#: Issues that say nothing about a line to split: the source's own size (the training side is checked
#: instead, P408) and the note that tokens were not counted.
_NOT_FOR_SPLIT = frozenset({"P303", "P401", "P402"})
#: Errors placed on a line that are about the whole file (its byte-order mark): the line itself is kept.
_FILE_ERRORS = frozenset({"P102", "P114"})


@dataclass(frozen=True)
class SplitResult:
    """What `split` made. ``labels`` is the number of labels when stratified, else 0.

    ``report`` is the check of the source; ``left_out`` the lines (or rows;
    for records and DataFrames, 1-based positions) with errors, on neither side;
    ``issues`` what is found about the split itself (P408). A file's split is
    written to ``train_path`` and ``valid_path``; a split of records or of a
    DataFrame is returned as ``train`` and ``valid`` (the records given, or
    the DataFrame's rows with their index), and written only with ``out_dir``.
    """

    train_path: Path | None
    valid_path: Path | None
    train_examples: int
    valid_examples: int
    groups: int
    stratified: bool
    labels: int = 0
    blank_lines: int = 0
    report: Report | None = None
    left_out: tuple[int, ...] = ()
    issues: tuple[Issue, ...] = ()
    train: Any = None
    valid: Any = None

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


@contained
def split(
    source: str | os.PathLike[str] | Iterable[Any],
    *,
    valid_fraction: float | None = None,
    valid_count: int | None = None,
    seed: int = 0,
    out_dir: str | os.PathLike[str] | None = None,
    stratify: bool | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    system: str | None = None,
    file_type: FileType | str | None = None,
    input_encoding: str | None = None,
    header: bool | None = None,
    model: str | None = None,
    target: str | Sequence[str] | None = None,
    method: Method | str | None = None,
    data_format: DataFormat | str | None = None,
    ignore: str | Iterable[str] | None = None,
    select: str | Iterable[str] | None = None,
    severity: Mapping[str, Severity | str] | None = None,
    tokens: bool | None = None,
    stats: bool | None = None,
    secrets: bool | None = None,
    encoding: str | None = None,
    token_limit: int | None = None,
    tokenizer: str | None = None,
    chat_template: str | None = None,
    max_seq_length: int | None = None,
    allow_download: bool | None = None,
    epochs: int | None = None,
    today: dt.date | None = None,
    tiktoken_dir: str | None = None,
    max_line_bytes: int | None = None,
    max_issues_per_code: int | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    table: TableOptions | None = None,
    check_options: CheckOptions | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> SplitResult:
    """Check data, then split its examples into a training and a validation side.

    ``source`` is a data file (written to ``<stem>.train.jsonl`` and
    ``<stem>.valid.jsonl``, beside it or in ``out_dir``), a pandas DataFrame, or
    records (a list of dicts or models, or of rows such as ``{"question": ...,
    "answer": ...}``): those come back as ``result.train`` and ``result.valid``.
    Give ``valid_fraction`` (0 < F < 1; default 0.1) or ``valid_count`` (N
    examples). ``stratify`` None detects legacy classification data; True
    forces stratifying by ``completion``; False turns it off. The other keyword
    arguments are those of `prep.check`; a file's project configuration fills
    the rest (``config`` forces one file, ``isolated`` uses none). Files are
    written atomically.
    """
    settings = given_settings(locals(), check_options, table)
    how: dict[str, Any] = {"fraction": valid_fraction, "count": valid_count, "seed": seed, "stratify": stratify}
    if not isinstance(source, (str, os.PathLike)):
        return _split_memory(in_memory(source, "prep.split"), _for_split(settings), how, out_dir)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"Cannot read {str(path)!r}: no such file.")
    paths = split_paths(path, out_dir)
    if path.resolve() in (paths[0].resolve(), paths[1].resolve()):
        raise UsageError(f"{path} would be overwritten by its own split; use -o DIR.")
    checked = _checked(path, _for_split(settings), {"config": config, "isolated": isolated})
    return _result(checked, partition(checked.items, str(path), **how), paths)


def _for_split(settings: dict[str, Any]) -> dict[str, Any]:
    """Check without counting tokens, and without the issues that say nothing about a line to split."""
    return {**settings, "tokens": False, "ignore": issue_codes(settings.get("ignore")) | _NOT_FOR_SPLIT}


def _result(checked: _Checked, part: Partition, paths: tuple[Path, Path] | None) -> SplitResult:
    """Write the sides (to ``paths``, when given) and say what was made."""
    if paths is not None:
        write_sides(checked.items, part, *paths, bom=checked.bom)
    n, valid_n = len(part.hashes), part.valid_examples
    train = valid = None
    if checked.rows is not None:
        chosen = [h in part.chosen for h in part.hashes]
        train = _rows(checked.rows, [line for line, v in zip(checked.lines, chosen, strict=True) if not v])
        valid = _rows(checked.rows, [line for line, v in zip(checked.lines, chosen, strict=True) if v])
    train_path, valid_path = paths if paths is not None else (None, None)
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
        _minimum(str(train_path or "<train>"), n - valid_n, checked.target),
        train,
        valid,
    )


@dataclass
class _Checked:
    """The examples of a source that passed its check, and what the check found.

    For records or a DataFrame: ``rows``, the source itself, and ``lines``, the position of each example in it.
    """

    items: Items
    report: Report
    left_out: tuple[int, ...]
    target: str
    bom: bool = False
    blank: int = 0
    rows: Any = None
    lines: list[int] = field(default_factory=list)


def _checked(source: Path, settings: dict[str, Any], project: dict[str, Any]) -> _Checked:
    """Check the source as ``prep check`` (JSONL) or ``prep convert`` (tables) reads it."""
    table = settings.get("table")
    if detect_file_type(source, table.file_type if table else None) is not FileType.JSONL:
        return _checked_table(source, settings, project)
    return _checked_jsonl(source, settings, project)


def _checked_jsonl(source: Path, settings: dict[str, Any], project: dict[str, Any]) -> _Checked:
    from ..project.runner import check_named
    from ..validation.options import CheckOptions

    given = {k for k, v in changed_settings(settings.get("table")).items() if k != "file_type"}
    if given:
        raise UsageError(f"{', '.join(sorted(given))} apply to tables; {source} is JSONL.")
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
    from ..conversion.converter import convert
    from ..project.converting import convert_settings

    convert_options, check_options = convert_settings(source, {}, settings, **project)
    result = convert(source, None, convert_options=convert_options, check_options=check_options)
    return _converted(result, check_options.target)


def _converted(result: ConversionResult, target: str) -> _Checked:
    from ..conversion.converter import jsonl_bytes

    records = result.records
    items: Items = lambda: ((jsonl_bytes([r]), r) for r in records)  # noqa: E731
    return _Checked(items, result.report, tuple(result.skipped), target, result.bom, lines=result.lines)


def _split_memory(source: Any, settings: dict[str, Any], how: dict[str, Any], out_dir: Any) -> SplitResult:
    """Split records or a DataFrame (checked and converted as `prep.convert` does, without configuration)."""
    from ..conversion.converter import convert
    from ..conversion.options import ConvertOptions
    from ..conversion.tables import is_frame
    from ..validation.options import CheckOptions

    rows = source if is_frame(source) else list(source)
    table = settings.pop("table", None) or TableOptions()
    check_options = CheckOptions(**settings)
    convert_options = ConvertOptions(**{k: getattr(table, k) for k in TABLE_ARGUMENTS})
    result = convert(rows, None, convert_options=convert_options, check_options=check_options)
    checked = _converted(result, check_options.target)
    checked.rows = rows
    part = partition(checked.items, "<DataFrame>" if is_frame(rows) else "<records>", **how)
    paths = None if out_dir is None else (Path(out_dir) / "train.jsonl", Path(out_dir) / "valid.jsonl")
    return _result(checked, part, paths)


def _rows(rows: Any, lines: list[int]) -> Any:
    """The rows at 1-based positions ``lines``: a DataFrame's (index kept), or a list's."""
    if hasattr(rows, "iloc"):
        return rows.iloc[[line - 1 for line in lines]]
    return [rows[line - 1] for line in lines]


def _jsonl_items(source: Path, skip: set[int]) -> Iterator[tuple[bytes, Any]]:
    """(line bytes, value) of every line not in ``skip``; the first line's BOM removed.

    Lines are read with the check's size bound: a longer line (P105, so in ``skip``) is never held.
    """
    with source.open("rb") as fp:
        for line in iter_lines(fp):
            if line.number not in skip and not line.length:
                raw = line.data + (b"\r\n" if line.crlf else b"\n")
                yield raw, _value(raw)


def _value(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _blank_lines(source: Path) -> set[int]:
    with source.open("rb") as fp:
        return {line.number for line in iter_lines(fp) if not line.length and not line.data.strip()}


def _minimum(train_path: str, train_examples: int, target_names: str) -> tuple[Issue, ...]:
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
        out.append(Issue("P408", target.severity("P408"), message, None, "", train_path))
    return tuple(out)
