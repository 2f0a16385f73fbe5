"""Excel workbooks (.xlsx), read with openpyxl (imported only here, only when needed).

openpyxl directly rather than pandas: the line of an issue is the sheet row
a person sees, empty cells stay empty (never "nan"), a formula is read as the
value Excel saved with it, and a formula saved without a value (openpyxl and
some other libraries write them so) is reported instead of passing as an
empty cell. Cells become the text a person sees: 30, not 30.0; 12.50 under the
format 0.00 and 1,250 under #,##0; dates as 2024-03-01 (with the time only when
the format shows it); TRUE; 15% for a percentage. Other number formats
(currency, fractions, scientific) give the plain number. A cell merged down several rows gives
its value to each of them. The first sheet is read unless another is named,
and other sheets with data are reported.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError, require
from .table import CellError, FileType, Note, ReadOptions, Row, Table, header_names, row_cells

__all__ = ["cell_text", "number_text", "read_xlsx"]

_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_DECIMALS = re.compile(r"\.(0+)")
_FIXED = re.compile(r"(#,##)?0(?:\.(0+))?")


def _openpyxl() -> Any:
    return require("openpyxl", "xlsx")


def read_xlsx(path: Path, options: ReadOptions) -> Table:
    values_book, formulas_book = _load(path)
    sheet = _pick_sheet(values_book, options.sheet, str(path))
    notes = [] if options.sheet is not None else _other_sheets(values_book, sheet, str(path))
    grid = _grid(sheet, formulas_book[sheet.title])
    header = next(grid, None)
    names, header_notes = header_names(header[1], header[0]) if header else ([], [])
    return Table(
        str(path), FileType.XLSX, names, _rows(grid, names), sheet=sheet.title, tabular=True, notes=notes + header_notes
    )


def _load(path: Path) -> tuple[Any, Any]:
    """The workbook twice: with the values Excel saved, and with the formulas.

    The formulas tell a formula saved without its value from an empty cell.
    """
    openpyxl = _openpyxl()
    data = path.read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops (data validation, ...)
            values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise InputError(f"Cannot read {path} as an Excel workbook (.xlsx): {exc or type(exc).__name__}.") from None
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        if type(exc).__module__.startswith("openpyxl"):
            raise InputError(f"Cannot read {path} as an Excel workbook (.xlsx): {exc}.") from None
        raise
    return values, formulas


def _pick_sheet(book: Any, wanted: str | None, name: str) -> Any:
    sheets = book.worksheets
    if not sheets:
        raise InputError(f"{name} has no worksheet.")
    if wanted is None:
        return sheets[0]
    exact = [s for s in sheets if s.title == wanted]
    folded = [s for s in sheets if str(s.title).casefold() == wanted.casefold()]
    if exact or folded:
        return (exact or folded)[0]
    titles = ", ".join(s.title for s in sheets)
    raise UsageError(f"{name} has no sheet named {wanted!r}; its sheets: {titles}.")


def _other_sheets(book: Any, sheet: Any, name: str) -> list[Note]:
    others = [s.title for s in book.worksheets if s is not sheet and _has_data(s)]
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


def _has_data(sheet: Any) -> bool:
    return any(v is not None for row in sheet.iter_rows(values_only=True) for v in row)


def _grid(sheet: Any, formulas: Any) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row, cell values) of every row that holds something, merged cells filled down."""
    filled = _merged_down(sheet, formulas)
    bounds = {"min_row": 1, "max_row": sheet.max_row, "min_col": 1, "max_col": sheet.max_column}
    for cells, formula_cells in zip(sheet.iter_rows(**bounds), formulas.iter_rows(**bounds), strict=True):
        number = cells[0].row
        values = [filled.get((number, c.column), _value(c, f)) for c, f in zip(cells, formula_cells, strict=True)]
        if any(v is not None for v in values):
            yield number, values


def _merged_down(sheet: Any, formulas: Any) -> dict[tuple[int, int], Any]:
    """Cells covered by a merge spanning rows, with the value of the merge's first cell."""
    filled = {}
    for merged in sheet.merged_cells.ranges:
        if merged.max_row == merged.min_row:
            continue
        value = _value(sheet.cell(merged.min_row, merged.min_col), formulas.cell(merged.min_row, merged.min_col))
        for row in range(merged.min_row + 1, merged.max_row + 1):
            filled[(row, merged.min_col)] = value
    return filled


def _value(cell: Any, formula_cell: Any) -> Any:
    value = cell.value
    if value is None:
        formula = formula_cell.value
        text = getattr(formula, "text", formula)
        if isinstance(text, str) and text.startswith("=") and cell.data_type != "str":
            return CellError(
                "P152",
                f"Formula {text} has no saved value: the file was written by a program that "
                "does not calculate formulas; open and save it in Excel or LibreOffice, "
                "or replace the formula by its value.",
            )
        return None
    if cell.data_type == "e":
        return CellError("P151", f"Cell holds the error {value}; fix its formula or value.")
    text = cell_text(value, cell.number_format)
    return text if text != "" else None


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


def _rows(grid: Iterator[tuple[int, list[Any]]], names: list[str]) -> Iterator[Row]:
    for number, values in grid:
        cells, notes = row_cells(names, values, number)
        yield Row(number, cells, notes)
