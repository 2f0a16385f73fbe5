"""What readers produce: a `Table` of `Row`s of cells, with positions; and how to read one.

A reader turns one file type into a `Table`: its column names, then its rows,
each with the number of the line (or sheet row) a person looks at, and its
cells. What a reader could not read is data, not an exception: a cell that
cannot be read holds a `CellError`, a row with a reading problem carries
`Note`s, and a problem with the whole file is a `Note` of the table.
`ReadOptions` say how to read a file; `TableOptions` add how its columns become
records (used by `prep.conversion.mapping`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import Choice

__all__ = [
    "CellError",
    "FileType",
    "Note",
    "ReadOptions",
    "Row",
    "Table",
    "TableOptions",
    "column_letter",
    "header_names",
    "letter_names",
    "row_cells",
]


class FileType(Choice):
    """The type of an input file, which decides its reader."""

    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    XLSX = "xlsx"
    PARQUET = "parquet"


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
    Empty cells are None, never ``""`` or ``"nan"``. ``index`` is a DataFrame
    row's index label (``line`` is then its 1-based position).
    """

    line: int
    cells: dict[str, Any] | None
    notes: tuple[Note, ...] = ()
    index: Any = None


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
    """How to read a file: force its type, pick a sheet (or a JSON key), name its text encoding.

    ``header`` False: a CSV, TSV or XLSX file has no header row; its columns are named A, B, C...
    as the sheet names them, and its first row is data.
    """

    file_type: FileType | None = None
    sheet: str | None = None
    encoding: str | None = None
    header: bool = True

    def __post_init__(self) -> None:
        if self.file_type is not None and not isinstance(self.file_type, FileType):
            object.__setattr__(self, "file_type", FileType(self.file_type))


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


def letter_names(values: list[Any]) -> list[str]:
    """Column names of a table without a header row: A, B, C... up to the last value of its first row."""
    width = len(values)
    while width and values[width - 1] in (None, ""):
        width -= 1
    return [column_letter(i) for i in range(width)]


def row_cells(
    names: list[str], values: list[Any], line: int, *, header: bool = True
) -> tuple[dict[str, Any], tuple[Note, ...]]:
    """Pair a row's values with the column names; values beyond them are a note, unless empty.

    ``header`` False: the names are letters taken from the first row (`letter_names`).
    """
    cells = {name: values[i] if i < len(values) else None for i, name in enumerate(names)}
    extra = [(i, v) for i, v in enumerate(values[len(names) :], len(names)) if v not in (None, "")]
    if not extra:
        return cells, ()
    where = ", ".join(column_letter(i) for i, _ in extra)
    width = f"the header names {len(names)} columns" if header else f"the first row has {len(names)}"
    note = Note(
        "P150",
        f"Row has {len(values)} cells, but {width}; what is in "
        f"column {where} was left out (a separator inside a cell that is not quoted?).",
        column_letter(extra[0][0]),
        line,
    )
    return cells, (note,)


@dataclass(frozen=True)
class TableOptions:
    """How a table becomes records: which sheet, which columns fill which fields, a constant system message.

    ``mapping`` maps column names to fields (a dict, or pairs); ``file_type`` and
    ``input_encoding`` override what prep detects; ``header=False`` reads a
    sheet without a header row, its columns named A, B, C...
    """

    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    system: str | None = None
    file_type: FileType | None = None
    input_encoding: str | None = None
    header: bool = True

    def __post_init__(self) -> None:
        mapping = self.mapping.items() if isinstance(self.mapping, Mapping) else self.mapping
        object.__setattr__(self, "mapping", tuple((str(c), str(f)) for c, f in mapping))
        if self.file_type is not None and not isinstance(self.file_type, FileType):
            object.__setattr__(self, "file_type", FileType(self.file_type))

    @property
    def read(self) -> ReadOptions:
        return ReadOptions(self.file_type, self.sheet, self.input_encoding, self.header)
