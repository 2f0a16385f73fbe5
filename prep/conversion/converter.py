"""Convert spreadsheets, JSON and DataFrames into JSONL the service accepts (``prep convert``).

`convert` reads a source (a path of any supported type, a pandas DataFrame, or
rows as dicts), maps its columns to records, optionally turns prompt/completion
into chat (``to="chat"``), finds the legacy prepare_data recommendations for
prompt/completion output (and applies their fixes with ``apply=True``), checks
every record as ``prep check`` does, and writes the records as JSONL:
atomically, UTF-8 (with a BOM only when asked or when the target requires one),
byte for byte the same for the same input. The input is never written to.

Data with errors is not written, unless ``force=True``: then every row without
an error is written and the rows with errors are left out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import InputError, UsageError
from ..io import atomic_writer
from ..reading.table import FileType, TableOptions
from ..reports.report import Report
from ..targets.profile import DataFormat
from ..validation.options import CheckOptions
from .options import ConvertOptions

if TYPE_CHECKING:
    from ..records.models import Record

__all__ = ["ConversionResult", "convert", "jsonl_bytes", "load_records", "to_chat"]

BOM = b"\xef\xbb\xbf"


@dataclass
class ConversionResult:
    """What `convert` did: the records (those written, or that ``force`` would write), the report, the path written.

    ``lines`` holds the line (or row; for records and DataFrames, the 1-based position) of each record;
    ``skipped`` the lines of the rows left out for their errors.
    """

    records: list[dict[str, Any]]
    report: Report
    path: Path | None = None
    skipped: list[int] = field(default_factory=list)
    bom: bool = False
    lines: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def exit_code(self) -> int:
        """0 written without errors, 1 the data has errors, 2 tokens could not be counted."""
        return self.report.exit_code()

    def to_jsonl(self) -> bytes:
        return jsonl_bytes(self.records, bom=self.bom)

    def summary(self, output: str | os.PathLike[str] | None = None) -> str:
        """One sentence on what was written, or why nothing was."""
        errors = sum(f.errors for f in self.report.files)
        if self.path is not None:
            left = f", leaving out {len(self.skipped)} row(s) with errors" if self.skipped else ""
            return f"wrote {len(self.records):,} record(s) to {self.path}{left}."
        if output is None:
            return f"converted {len(self.records):,} record(s); nothing written (no output path)."
        return (
            f"did not write {output}: the data has {errors:,} error(s); fix them, or pass --force to write the "
            f"{len(self.records):,} record(s) without errors."
        )


def jsonl_bytes(records: Iterable[Any], *, bom: bool = False) -> bytes:
    """Records as JSONL: one compact JSON object per line, UTF-8, LF endings; the same records give the same bytes."""
    return (BOM if bom else b"") + b"".join(_dumps(r) + b"\n" for r in records)


def _dumps(record: Any) -> bytes:
    try:
        return orjson.dumps(record)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates: escape them as JSON allows
        return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def convert(
    source: Any,
    output: str | os.PathLike[str] | None = None,
    *,
    convert_options: ConvertOptions | None = None,
    check_options: CheckOptions | None = None,
) -> ConversionResult:
    """Convert a path, a pandas DataFrame or an iterable of row dicts into checked records; write them to ``output``.

    Without a project configuration (``prep.convert`` reads it, then calls this).
    Bad data never raises: it is in ``result.report``; nothing is written when
    it has errors, unless ``convert_options.force``.
    """
    from .steps import convert_examples

    options, check = convert_options or ConvertOptions(), check_options or CheckOptions()
    if output is not None and isinstance(source, (str, os.PathLike)) and _same_file(source, output):
        raise UsageError(f"The output {os.fspath(output)} is the input; prep never writes to its input.")
    kept, report, skipped, target_bom = convert_examples(source, options, check)
    bom = options.bom if options.bom is not None else target_bom == "require"
    records = [e.record for e in kept if e.record is not None]
    result = ConversionResult(records, report, None, skipped, bom, [e.line for e in kept])
    if output is not None and (report.ok or options.force):
        result.path = _write(output, result.to_jsonl())
    if report.ok:
        result.skipped = []
    return result


def _write(output: str | os.PathLike[str], data: bytes) -> Path:
    try:
        with atomic_writer(output) as fp:
            fp.write(data)
    except OSError as exc:
        raise InputError(f"Cannot write {os.fspath(output)}: {exc.strerror or exc}.") from None
    return Path(output)


def _same_file(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> bool:
    a, b = Path(source), Path(output)
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


# -- typed records for pipelines ---------------------------------------------------------


def load_records(
    source: Any,
    *,
    data_format: DataFormat | str | None = None,
    skip_invalid: bool = False,
    sheet: str | None = None,
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    system: str | None = None,
    file_type: FileType | str | None = None,
    input_encoding: str | None = None,
    header: bool | None = None,
    table: TableOptions | None = None,
) -> Iterator[Record]:
    """Yield the records of a source (any file type `convert` reads, a DataFrame, rows) as typed pydantic records.

    The format is detected from the first rows unless given. A row that is not a
    valid record raises `InputError` naming its line and column, or is left out
    with ``skip_invalid=True``. The other keyword arguments say how a table
    becomes records (`TableOptions` fields, or a whole ``table``).
    """
    from .steps import iter_records

    given: dict[str, Any] = dict(sheet=sheet, mapping=mapping, system=system, file_type=file_type, header=header)
    given["input_encoding"] = input_encoding
    options = replace(table or TableOptions(), **{k: v for k, v in given.items() if v is not None})
    fmt = DataFormat(data_format) if data_format else None
    yield from iter_records(source, options, fmt, skip_invalid=skip_invalid)


def to_chat(
    records: Iterable[Mapping[str, Any]], *, system: str | None = None, keep_separators: bool = False
) -> list[dict[str, Any]]:
    """Legacy prompt/completion records as chat records (other records are returned unchanged).

    The legacy marks are removed: the separator every prompt ends with, the stop
    sequence every completion ends with, the space a completion starts with
    (``keep_separators=True`` keeps them).

    >>> records = [{"prompt": "2+2 =\\n\\n###\\n\\n", "completion": " 4\\n"},
    ...            {"prompt": "3+3 =\\n\\n###\\n\\n", "completion": " 6\\n"}]
    >>> [m["content"] for m in to_chat(records, system="Add.")[0]["messages"]]
    ['Add.', '2+2 =', '4']
    """
    from .upgrade import to_chat as upgrade

    return upgrade(records, system=system, keep_separators=keep_separators)
