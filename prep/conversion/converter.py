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

import dataclasses
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, UsageError
from ..io import atomic_writer
from ..reading.table import TableOptions
from ..targets.profile import DataFormat
from ..validation.options import CheckOptions
from .options import ConvertOptions
from .results import ConversionResult, jsonl_bytes

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["ConversionResult", "convert", "jsonl_bytes", "load_records", "to_chat"]


def _split_options(
    options: ConvertOptions | None, check: CheckOptions | None, kwargs: dict[str, Any]
) -> tuple[ConvertOptions, CheckOptions]:
    convert_fields = {f.name for f in dataclasses.fields(ConvertOptions)}
    check_fields = {f.name for f in dataclasses.fields(CheckOptions)}
    unknown = set(kwargs) - convert_fields - check_fields
    if unknown:
        raise TypeError(f"convert() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    options = options or ConvertOptions(**{k: v for k, v in kwargs.items() if k in convert_fields})
    check = check or CheckOptions(**{k: v for k, v in kwargs.items() if k in check_fields and k not in convert_fields})
    return options, check


def convert(
    source: Any,
    output: str | os.PathLike[str] | None = None,
    *,
    options: ConvertOptions | None = None,
    check: CheckOptions | None = None,
    **kwargs: Any,
) -> ConversionResult:
    """Convert a path, a pandas DataFrame or an iterable of row dicts into checked records; write them to ``output``.

    Keyword arguments are `ConvertOptions` fields (``sheet``, ``mapping``,
    ``system``, ``to``, ``apply``, ``bom``, ``force``...) and `CheckOptions`
    fields (``model``, ``tokens``, ``target``...). Bad data never raises: it is
    in ``result.report``; nothing is written when it has errors, unless ``force``.
    """
    from .steps import convert_examples

    options, check = _split_options(options, check, kwargs)
    if output is not None and isinstance(source, (str, os.PathLike)) and _same_file(source, output):
        raise UsageError(f"The output {os.fspath(output)} is the input; prep never writes to its input.")
    if options.target is not None:
        from .retarget import convert_for_target

        return convert_for_target(source, output, options, check)
    records, report, skipped, target_bom = convert_examples(source, options, check)
    bom = options.bom if options.bom is not None else target_bom == "require"
    result = ConversionResult(records, report, None, skipped, bom)
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
    record: type[BaseModel] | None = None,
    **table: Any,
) -> Iterator[BaseModel]:
    """Yield the records of a source (any file type `convert` reads, a DataFrame, rows) as typed pydantic records.

    The format is detected from the first rows unless given, and gives the model
    (`prep.records`: ``ChatRecord``, ``VertexRecord``, ``NovaRecord``...);
    ``record`` names another (``prep.records.TrlChatRecord`` for TRL's
    conversational data, which is detected as chat). A row that is not a valid
    record raises `InputError` naming its line and column, or is left out with
    ``skip_invalid=True``. Keyword arguments are `TableOptions` fields.
    """
    from .steps import iter_records

    fmt = DataFormat(data_format) if data_format else None
    yield from iter_records(source, TableOptions(**table), fmt, skip_invalid=skip_invalid, record=record)


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
