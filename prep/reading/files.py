"""Which files are data, of which type, and the reader of each type.

`detect_file_type` names a file's type from its extension (and, for ``.txt``
and ``.json``, its first bytes; a compression ending such as ``.gz`` is looked
past); `open_table` opens a file (a local path, or for the `STREAMED` types a
URL or a compressed file too) with the reader of its type (`READERS`); which
files of a folder are data is `.kinds`. Readers of spreadsheets import their
libraries lazily: this module and the JSONL path of ``prep check`` never
import pandas or openpyxl.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from ..errors import InputError
from ..records.values import loads
from .sources import data_name, is_url, open_source, redact
from .table import FileType, ReadOptions, Table

__all__ = ["EXTENSIONS", "READERS", "STREAMED", "detect_file_type", "open_table"]


#: File extensions (lower case) and their types. A .txt file is TSV when its first line holds a tab
#: (Excel's "Unicode Text" export), else JSONL; so is a file without an extension.
EXTENSIONS: dict[str, FileType] = {
    ".jsonl": FileType.JSONL,
    ".ndjson": FileType.JSONL,
    ".json": FileType.JSON,
    ".csv": FileType.CSV,
    ".tsv": FileType.TSV,
    ".tab": FileType.TSV,
    ".xlsx": FileType.XLSX,
    ".xlsm": FileType.XLSX,
    ".parquet": FileType.PARQUET,
}
#: Types read from URLs and compressed files too (the others are read from local, uncompressed paths).
STREAMED = (FileType.JSONL, FileType.PARQUET)

_UNSUPPORTED = {
    ".xls": "an Excel 97-2003 workbook; save it as .xlsx (Excel Workbook)",
    ".ods": "an OpenDocument spreadsheet; save it as .xlsx or as CSV UTF-8",
    ".numbers": "a Numbers document; export it as .xlsx or as CSV",
}

_SNIFF_BYTES = 64 * 1024


def detect_file_type(path: str | os.PathLike[str], forced: FileType | str | None = None) -> FileType:
    """The type of a file, from its extension; a ``.json`` file holding JSON Lines is JSONL.

    A file without an extension is read as JSONL (the service's own format);
    other extensions prep does not read are an `InputError` that says what to do.
    """
    if forced is not None:
        return FileType(forced)
    location = os.fspath(path)
    name = redact(location)
    suffix = os.path.splitext(data_name(location))[1].lower()
    if suffix in _UNSUPPORTED:
        raise InputError(f"{name} is {_UNSUPPORTED[suffix]}.")
    if suffix == ".txt":
        return _text_file_type(location)
    if suffix and suffix not in EXTENSIONS:
        known = ", ".join([*EXTENSIONS, ".txt"])
        raise InputError(f"{name} is not a data file prep reads ({known}); name its type with --file-type.")
    file_type = EXTENSIONS.get(suffix, FileType.JSONL)
    if file_type is FileType.JSON and _holds_json_lines(location):
        return FileType.JSONL
    return file_type


def _head_text(path: str) -> str | None:
    from .text import decode_head

    try:
        with open_source(path) as fp:
            head = fp.read(_SNIFF_BYTES)
    except (OSError, InputError):
        return None
    return decode_head(head)


def _text_file_type(path: str) -> FileType:
    """A .txt file: TSV when its first line holds a tab (Excel's "Unicode Text"), else JSONL."""
    text = (_head_text(path) or "").lstrip("\ufeff")
    first = text.lstrip().partition("\n")[0]
    return FileType.TSV if "\t" in first and not first.startswith(("{", "[")) else FileType.JSONL


def _holds_json_lines(path: str) -> bool:
    """True when a file's first line is a whole JSON value and another value follows it."""
    text = _head_text(path)
    if text is None:
        return False
    text = text.lstrip()
    first, newline, rest = text.partition("\n")
    if not newline or not rest.strip() or not first.strip():
        return False
    try:
        loads(first)
    except ValueError:
        return False
    return True


Reader = Callable[[str, ReadOptions], Table]


def _read_jsonl(path: str, options: ReadOptions) -> Table:
    from .lines import read_jsonl

    return read_jsonl(Path(path), options)


def _read_json(path: str, options: ReadOptions) -> Table:
    from .json_array import read_json

    return read_json(Path(path), options)


def _read_csv(path: str, options: ReadOptions) -> Table:
    from .delimited import read_delimited

    return read_delimited(Path(path), options, FileType.CSV)


def _read_tsv(path: str, options: ReadOptions) -> Table:
    from .delimited import read_delimited

    return read_delimited(Path(path), options, FileType.TSV)


def _read_xlsx(path: str, options: ReadOptions) -> Table:
    from .xlsx import read_xlsx

    return read_xlsx(Path(path), options)


def _read_parquet(path: str, options: ReadOptions) -> Table:
    from .arrow import read_parquet

    return read_parquet(path, options)


#: One reader per file type; each imports its module (and library) only when used.
READERS: dict[FileType, Reader] = {
    FileType.JSONL: _read_jsonl,
    FileType.JSON: _read_json,
    FileType.CSV: _read_csv,
    FileType.TSV: _read_tsv,
    FileType.XLSX: _read_xlsx,
    FileType.PARQUET: _read_parquet,
}


def open_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> AbstractContextManager[Table]:
    """Open a file with the reader of its type; use it as a context manager."""
    options = options or ReadOptions()
    location = os.fspath(path)
    file_type = detect_file_type(location, options.file_type)
    if file_type not in STREAMED and (is_url(location) or data_name(location) != location):
        raise InputError(
            f"{redact(location)}: {file_type} files are read from local, uncompressed paths; "
            "download or decompress it first."
        )
    if not is_url(location) and not os.path.isfile(location):
        raise InputError(f"Cannot read {location!r}: no such file.")
    return READERS[file_type](location, options)
