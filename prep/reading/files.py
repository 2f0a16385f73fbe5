"""Input file types and their readers: bytes in, rows of cells (with positions) out.

Readers only read. Each turns one file type into a `Table`: its column names,
then its `Row`s, each with the number of the line (or sheet row) a person
looks at, and its cells. What a reader could not read is data, not an
exception: a cell that cannot be read holds a `CellError`, a row with a
reading problem carries `Note`s, and a problem with the whole file is a `Note`
of the table. Turning rows into records is `prep.mapping`'s job, shared by
every type. Readers of spreadsheets import their libraries lazily: this module
and the JSONL path of ``prep check`` never import pandas or openpyxl.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InputError

__all__ = [
    "EXTENSIONS",
    "READERS",
    "CellError",
    "FileType",
    "Note",
    "ReadOptions",
    "Row",
    "Table",
    "data_files",
    "detect_file_type",
    "open_table",
]


class FileType(str, enum.Enum):
    """The type of an input file, which decides its reader."""

    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XLSX = "xlsx"

    def __str__(self) -> str:
        return self.value


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
}

_UNSUPPORTED = {
    ".xls": "an Excel 97-2003 workbook; save it as .xlsx (Excel Workbook)",
    ".ods": "an OpenDocument spreadsheet; save it as .xlsx or as CSV UTF-8",
    ".numbers": "a Numbers document; export it as .xlsx or as CSV",
    ".parquet": "a Parquet file; read it with pandas and pass the DataFrame to prep.convert()",
}

_SNIFF_BYTES = 64 * 1024


class CellError(NamedTuple):
    """A cell whose value could not be read; it counts as empty, and is reported if a field uses it."""

    code: str
    message: str


class Note(NamedTuple):
    """A reading problem: on a row (``line`` is then the row's), or on the whole file."""

    code: str
    message: str
    column: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the line a person looks at, and its cells by column name.

    ``cells`` is None when the row could not be read at all (its notes say why).
    Empty cells are None, never ``""`` or ``"nan"``.
    """

    line: int
    cells: dict[str, Any] | None
    notes: tuple[Note, ...] = ()


@dataclass
class Table:
    """A file opened for reading: its columns, then its rows (read as they are iterated).

    ``tabular`` is True when every cell is text as a person sees it (CSV, TSV,
    XLSX, a DataFrame); False when cells hold JSON values (JSON, JSONL).
    ``notes`` are problems with the whole file, found when it was opened.
    """

    name: str
    file_type: FileType | None
    columns: list[str]
    rows: Iterator[Row]
    sheet: str | None = None
    tabular: bool = True
    notes: list[Note] = field(default_factory=list)
    closer: Callable[[], None] | None = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
            self.closer = None


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: force its type, pick a sheet (or a JSON key), name its text encoding."""

    file_type: FileType | None = None
    sheet: str | None = None
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.file_type is not None and not isinstance(self.file_type, FileType):
            object.__setattr__(self, "file_type", FileType(self.file_type))


def detect_file_type(path: str | os.PathLike[str], forced: FileType | str | None = None) -> FileType:
    """The type of a file, from its extension; a ``.json`` file holding JSON Lines is JSONL.

    A file without an extension is read as JSONL (the service's own format);
    other extensions prep does not read are an `InputError` that says what to do.
    """
    if forced is not None:
        return FileType(forced)
    suffix = Path(path).suffix.lower()
    if suffix in _UNSUPPORTED:
        raise InputError(f"{os.fspath(path)} is {_UNSUPPORTED[suffix]}.")
    if suffix == ".txt":
        return _text_file_type(Path(path))
    if suffix and suffix not in EXTENSIONS:
        known = ", ".join([*EXTENSIONS, ".txt"])
        raise InputError(f"{os.fspath(path)} is not a data file prep reads ({known}); name its type with --file-type.")
    file_type = EXTENSIONS.get(suffix, FileType.JSONL)
    if file_type is FileType.JSON and _holds_json_lines(Path(path)):
        return FileType.JSONL
    return file_type


def _head_text(path: Path) -> str | None:
    from .text import decode_head

    try:
        with path.open("rb") as fp:
            head = fp.read(_SNIFF_BYTES)
    except OSError:
        return None
    return decode_head(head)


def _text_file_type(path: Path) -> FileType:
    """A .txt file: TSV when its first line holds a tab (Excel's "Unicode Text"), else JSONL."""
    text = (_head_text(path) or "").lstrip("\ufeff")
    first = text.lstrip().partition("\n")[0]
    return FileType.TSV if "\t" in first and not first.startswith(("{", "[")) else FileType.JSONL


def _holds_json_lines(path: Path) -> bool:
    """True when a file's first line is a whole JSON value and another value follows it."""
    import json

    text = _head_text(path)
    if text is None:
        return False
    text = text.lstrip()
    first, newline, rest = text.partition("\n")
    if not newline or not rest.strip() or not first.strip():
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


Reader = Callable[[Path, ReadOptions], Table]


def _read_jsonl(path: Path, options: ReadOptions) -> Table:
    from .lines import read_jsonl

    return read_jsonl(path, options)


def _read_json(path: Path, options: ReadOptions) -> Table:
    from .json_array import read_json

    return read_json(path, options)


def _read_csv(path: Path, options: ReadOptions) -> Table:
    from .delimited import read_delimited

    return read_delimited(path, options, FileType.CSV)


def _read_tsv(path: Path, options: ReadOptions) -> Table:
    from .delimited import read_delimited

    return read_delimited(path, options, FileType.TSV)


def _read_xlsx(path: Path, options: ReadOptions) -> Table:
    from .xlsx import read_xlsx

    return read_xlsx(path, options)


#: One reader per file type; each imports its module (and library) only when used.
READERS: dict[FileType, Reader] = {
    FileType.JSONL: _read_jsonl,
    FileType.JSON: _read_json,
    FileType.CSV: _read_csv,
    FileType.TSV: _read_tsv,
    FileType.XLSX: _read_xlsx,
}


def open_table(path: str | os.PathLike[str], options: ReadOptions | None = None) -> AbstractContextManager[Table]:
    """Open a file with the reader of its type; use it as a context manager."""
    options = options or ReadOptions()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Cannot read {os.fspath(path)!r}: no such file.")
    file_type = detect_file_type(path, options.file_type)
    return READERS[file_type](path, options)


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_names(cells: list[Any], line: int | None = None) -> tuple[list[str], list[Note]]:
    """Column names from a header row: blank names become the column's letter, repeats get it appended."""
    names: list[str] = []
    notes: list[Note] = []
    seen: dict[str, str] = {}
    cells = list(cells)
    while cells and (cells[-1] is None or isinstance(cells[-1], CellError) or not str(cells[-1]).strip()):
        cells.pop()  # trailing blank header cells name no column: data under them is extra
    for i, cell in enumerate(cells):
        name = "" if cell is None or isinstance(cell, CellError) else str(cell).strip()
        letter = column_letter(i)
        if not name:
            name = letter
        if name in seen:
            renamed = f"{name} ({letter})"
            notes.append(
                Note(
                    "P153",
                    f"Columns {seen[name]} and {letter} are both named {name!r}; "
                    f"column {letter} is read as {renamed!r}.",
                    renamed,
                    line,
                )
            )
            name = renamed
        seen.setdefault(name, letter)
        names.append(name)
    return names, notes


def row_cells(names: list[str], values: list[Any], line: int) -> tuple[dict[str, Any], tuple[Note, ...]]:
    """Pair a row's values with the column names; values beyond the header are a note, unless empty."""
    cells = {name: values[i] if i < len(values) else None for i, name in enumerate(names)}
    extra = [(i, v) for i, v in enumerate(values[len(names) :], len(names)) if v not in (None, "")]
    if not extra:
        return cells, ()
    where = ", ".join(column_letter(i) for i, _ in extra)
    note = Note(
        "P150",
        f"Row has {len(values)} cells, but the header names {len(names)} columns; what is in "
        f"column {where} was left out (a separator inside a cell that is not quoted?).",
        column_letter(extra[0][0]),
        line,
    )
    return cells, (note,)


def data_files(paths: list[str]) -> list[str]:
    """The paths given, with each folder replaced by the data files below it (sorted; hidden ones skipped)."""
    out: list[str] = []
    for given in paths:
        folder = Path(given)
        if not folder.is_dir():
            out.append(given)
            continue
        found = [
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix.lower() in (*EXTENSIONS, ".txt")
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ]
        out += [str(p) for p in sorted(found)]
    return out
