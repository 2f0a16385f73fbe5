"""Excel workbooks (.xlsx), read with openpyxl (imported only here, only when needed).

openpyxl directly rather than pandas: the line of an issue is the sheet row
a person sees, empty cells stay empty (never "nan"), a formula is read as the
value Excel saved with it, and a formula saved without a value (openpyxl and
some other libraries write them so) is reported instead of passing as an
empty cell. Cells become the text a person sees: 30, not 30.0; 12.50 under the
format 0.00 and 1,250 under #,##0; dates as 2024-03-01 (with the time only when
the format shows it); TRUE; 15% for a percentage. Other number formats
(currency, fractions, scientific) give the plain number. A cell merged down several rows gives
its value to each of those rows the sheet holds. The first sheet is read unless another is named,
and other sheets with data are reported.

The workbook is read in streaming mode, once, and only the cells it holds are
visited (`.xlsx_stream`); oversized parts are refused before anything is inflated.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UnreadableFileError, require
from .table import CellError, FileType, Note, ReadOptions, Row, Table, header_names, letter_names, row_cells
from .xlsx_stream import Cell, check_sizes, has_data, keep_escapes, merged_down, sheet_rows

__all__ = ["cell_text", "number_text", "read_xlsx", "unescape"]

_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DECIMALS = re.compile(r"\.(0+)")
_FIXED = re.compile(r"(#,##)?0(?:\.(0+))?")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _openpyxl() -> Any:
    return require("openpyxl", "xlsx")


def read_xlsx(path: Path, options: ReadOptions) -> Table:
    """The sheet as a `Table` read in streaming mode; close it (a context manager) to close the file."""
    check_sizes(path)
    book = _load(path)
    try:
        keep_escapes(book)
        sheet = _pick_sheet(book, options.sheet, str(path))
        notes = [] if options.sheet is not None else _other_sheets(book, sheet, str(path))
        grid = _grid(sheet)
        header = next(grid, None)
    except BaseException:
        book.close()
        raise
    if options.header:
        names, header_notes = header_names(header[1], header[0]) if header else ([], [])
    else:  # no header row: columns A, B, C..., and the first row is data
        names, header_notes = letter_names(header[1]) if header else [], []
        grid = itertools.chain([header], grid) if header else grid
    return Table(
        str(path),
        FileType.XLSX,
        names,
        _rows(grid, names, header=options.header),
        sheet=sheet.title,
        tabular=True,
        notes=notes + header_notes,
        closer=book.close,
    )


def _load(path: Path) -> Any:
    """The workbook in read-only (streaming) mode, with the values Excel saved."""
    openpyxl = _openpyxl()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops (data validation, ...)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise UnreadableFileError(
            f"Cannot read {path} as an Excel workbook (.xlsx): {exc or type(exc).__name__}."
        ) from None
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        if type(exc).__module__.startswith("openpyxl"):
            raise UnreadableFileError(f"Cannot read {path} as an Excel workbook (.xlsx): {exc}.") from None
        raise


def _pick_sheet(book: Any, wanted: str | None, name: str) -> Any:
    sheets = book.worksheets
    if not sheets:
        raise UnreadableFileError(f"{name} has no worksheet.")
    if wanted is None:
        return sheets[0]
    exact = [s for s in sheets if s.title == wanted]
    folded = [s for s in sheets if str(s.title).casefold() == wanted.casefold()]
    if exact or folded:
        return (exact or folded)[0]
    titles = ", ".join(s.title for s in sheets)
    raise UnreadableFileError(f"{name} has no sheet named {wanted!r}; its sheets: {titles}.")


def _other_sheets(book: Any, sheet: Any, name: str) -> list[Note]:
    others = [s.title for s in book.worksheets if s is not sheet and has_data(s)]
    if not others:
        return []
    listed = ", ".join(repr(t) for t in others)
    return [
        Note(
            "P157",
            f"{name} has {len(others)} other sheet(s) with data ({listed}); only {sheet.title!r} was read "
            "(pick another with --sheet NAME).",
        )
    ]


def _grid(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row, cell values up to its last value) of every row that holds something.

    A merge spanning rows gives its first cell's value to the rows below it
    that the sheet holds. Work and memory grow with the cells the sheet
    holds, never with its declared size.
    """
    merges = merged_down(sheet)
    active: list[tuple[int, int, Any]] = []  # (column, last row, value)
    for number, cells in sheet_rows(sheet):
        values = {c.column: _value(c) for c in cells}
        active = [m for m in active if m[1] >= number]
        for column, _, value in active:
            values[column] = value
        for column, _, last in merges.pop(number, ()):
            active.append((column, last, values.get(column)))
        present = [c for c, v in values.items() if v is not None]
        if present:
            row = [None] * max(present)
            for column in present:
                row[column - 1] = values[column]
            yield number, row


def _value(cell: Cell) -> Any:
    value = cell.value
    if value is None:
        if cell.formula is not None:
            return CellError(
                "P152",
                f"Formula {cell.formula} has no saved value: the file was written by a program that "
                "does not calculate formulas; open and save it in Excel or LibreOffice, "
                "or replace the formula by its value.",
            )
        return None
    if cell.data_type == "e":
        return CellError("P151", f"Cell holds the error {value}; fix its formula or value.")
    text = unescape(value) if isinstance(value, str) else cell_text(value, cell.number_format)
    return text if text != "" else None


def unescape(text: str) -> str:
    """Text with Excel's escapes decoded: ``_x000D_`` is a carriage return, ``_x005F_`` an underscore.

    Excel writes characters that XML cannot hold (and an underscore that would
    start such an escape) as ``_xHHHH_`` (ECMA-376 Part 1, 22.9.2.19 ST_Xstring);
    openpyxl leaves them as they are. A character beyond the BMP is two escapes,
    its UTF-16 surrogates, joined here.
    """
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any("\ud800" <= c <= "\udfff" for c in decoded):
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as the text a person sees in the sheet."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date_text(value, number_format)
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in number_format:
            decimals = _DECIMALS.search(number_format)
            return f"{value * 100:.{len(decimals.group(1)) if decimals else 0}f}%"
        fixed = _FIXED.fullmatch(number_format)
        if fixed:  # 0.00, #,##0, #,##0.00: the decimals and separators Excel shows
            return f"{value:{',' if fixed.group(1) else ''}.{len(fixed.group(2) or '')}f}"
        return number_text(value)
    return str(value)


def number_text(value: float) -> str:
    """30 for 30.0; at most 15 significant digits, as Excel shows them."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


def _date_text(value: dt.datetime | dt.date | dt.time, number_format: str) -> str:
    tokens = _LITERALS.sub("", number_format).lower()
    has_time, seconds = "h" in tokens or "s" in tokens, "s" in tokens
    has_date = "y" in tokens or "d" in tokens or not has_time
    spec = "seconds" if seconds else "minutes"
    if isinstance(value, dt.datetime):
        if not has_time:
            return value.date().isoformat()
        if not has_date:
            return value.time().isoformat(timespec=spec)
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, dt.time):
        return value.isoformat(timespec=spec)
    return value.isoformat()


def _rows(grid: Iterator[tuple[int, list[Any]]], names: list[str], *, header: bool) -> Iterator[Row]:
    for number, values in grid:
        cells, notes = row_cells(names, values, number, header=header)
        yield Row(number, cells, notes)
