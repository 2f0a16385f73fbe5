"""CSV and TSV files, read with the standard library's csv module.

The csv module, not pandas: it gives each row's first physical line exactly
(``reader.line_num`` taken before the row is read, since a quoted cell can span
lines), keeps every cell as the text the file holds (no numbers, no "nan"),
reports a malformed row and reads on (``strict=True``), and streams, so memory
stays flat. A CSV file may separate cells with ``;`` (Excel in many locales
does); the header line decides.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .table import CellError, FileType, Note, ReadOptions, Row, Table, header_names, letter_names, row_cells
from .text import has_undecodable, open_text

__all__ = ["read_delimited"]

#: Longest cell read, in characters (the csv module's default is 131,072).
MAX_CELL_CHARS = 64 * 1024 * 1024
if csv.field_size_limit() < MAX_CELL_CHARS:
    csv.field_size_limit(MAX_CELL_CHARS)


def read_delimited(path: Path, options: ReadOptions, file_type: FileType) -> Table:
    """Open a CSV or TSV file: its header row names the columns; every later row is data.

    Without a header (``options.header`` False) the columns are named A, B, C... and every row is data.
    """
    text, encoding = open_text(path, options.encoding)
    first = text.readline()
    delimiter = "\t" if file_type is FileType.TSV else _delimiter(first)
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter, strict=True)
    rows = _rows(reader, encoding)
    header = next(rows, None)
    if not options.header:
        names = letter_names(header[1]) if header else []
        data = _data(itertools.chain([header], rows) if header else rows, names, header=False)
        return Table(str(path), file_type, names, data, tabular=True, closer=text.close)
    names, notes = header_names(header[1], header[0]) if header else ([], [])
    table = Table(str(path), file_type, names, _data(rows, names), tabular=True, notes=notes, closer=text.close)
    if header is not None:
        table.notes.extend(header[2])
    return table


def _delimiter(line: str) -> str:
    return ";" if line.count(";") > line.count(",") else ","


def _rows(reader: Any, encoding: str) -> Iterator[tuple[int, list[Any], tuple[Note, ...]]]:
    """(first line, cells, notes) of every row that holds something."""
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, [], (Note("P155", _csv_error(exc, start, reader.line_num), None, start),)
            continue
        if any(values):
            yield start, [_cell(v, encoding) for v in values], ()


def _data(
    rows: Iterator[tuple[int, list[Any], tuple[Note, ...]]], names: list[str], *, header: bool = True
) -> Iterator[Row]:
    for line, values, notes in rows:
        if notes:
            yield Row(line, None, notes)
            continue
        cells, extra = row_cells(names, values, line, header=header)
        yield Row(line, cells, extra)


def _cell(value: str, encoding: str) -> Any:
    if value == "":
        return None
    if has_undecodable(value):
        return CellError(
            "P154",
            f"Cell holds bytes that are not valid {encoding} (the file mixes encodings?); "
            "re-save the file as CSV UTF-8.",
        )
    return value


def _csv_error(exc: csv.Error, start: int, end: int) -> str:
    if "unexpected end of data" in str(exc):
        return (
            f"A quoted cell that starts on line {start} is never closed, so the rest of the file "
            f"(to line {end}) was read into it; close the quote."
        )
    return f'Row is not valid CSV: {exc}; a quote inside a cell must be doubled ("") and the cell quoted.'
