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

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, UsageError
from ..io import atomic_writer
from ..reading.table import FileType, TableOptions
from ..targets.profile import DataFormat
from ..validation.options import CheckOptions
from .options import ConvertOptions
from .results import BOM, ConversionResult, dumps, jsonl_bytes

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["ConversionResult", "convert", "jsonl_bytes", "load_records", "to_chat"]


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
    if options.target is not None:
        from .retarget import convert_for_target

        return convert_for_target(source, output, options, check)
    kept, report, skipped, target_bom = convert_examples(source, options, check)
    bom = options.bom if options.bom is not None else target_bom == "require"
    records = [e.record for e in kept if e.record is not None]
    result = ConversionResult(records, report, None, skipped, bom, [e.line for e in kept])
    if output is not None and (report.ok or options.force):
        result.path = _write(output, records, bom)
    if report.ok:
        result.skipped = []
    return result


def _write(output: str | os.PathLike[str], records: list[Any], bom: bool) -> Path:
    """Write the records one line at a time (never the whole file in memory at once)."""
    try:
        with atomic_writer(output) as fp:
            fp.write(BOM if bom else b"")
            for record in records:
                fp.write(dumps(record) + b"\n")
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
    record: type[BaseModel] | None = None,
) -> Iterator[BaseModel]:
    """Yield the records of a source (any file type `convert` reads, a DataFrame, rows) as typed pydantic records.

    The format is detected from the first rows unless given, and gives the model
    (`prep.records`: ``ChatRecord``, ``VertexRecord``, ``NovaRecord``...);
    ``record`` names another (``prep.records.TrlChatRecord`` for TRL's
    conversational data, which is detected as chat). A row that is not a valid
    record raises `InputError` naming its line and column, or is left out with
    ``skip_invalid=True``. The other keyword arguments say how a table becomes
    records (`TableOptions` fields, or a whole ``table``).
    """
    from .steps import iter_records

    given: dict[str, Any] = dict(sheet=sheet, mapping=mapping, system=system, file_type=file_type, header=header)
    given["input_encoding"] = input_encoding
    options = replace(table or TableOptions(), **{k: v for k, v in given.items() if v is not None})
    fmt = DataFormat(data_format) if data_format else None
    yield from iter_records(source, options, fmt, skip_invalid=skip_invalid, record=record)


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
