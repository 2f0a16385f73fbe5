"""Streaming access to an .xlsx workbook: bounded in memory and time by the cells that hold data.

openpyxl's read-only mode parses a sheet's XML as it goes, but its row
iterators pad every row to the sheet's declared width and yield every row up
to its declared height, so one cell at XFD1048576 means a billion cells. Here
the sheet's own XML rows are parsed (openpyxl's `WorkSheetParser`, which also
resolves shared strings, dates and styles) and only the cells it holds come
out, each with the formula it was saved with, if any, so one pass tells a
formula saved without its value from an empty cell.

Before openpyxl opens anything, `check_sizes` refuses a workbook whose parts
would inflate past `MAX_PART_BYTES` (a sheet) or `MAX_STRINGS_BYTES` (the
shared strings, which openpyxl keeps in memory): zipfile never inflates a part
past the size its directory declares, so those declared sizes bound the work.
"""

from __future__ import annotations

import functools
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UnreadableFileError

__all__ = [
    "MAX_PART_BYTES",
    "MAX_STRINGS_BYTES",
    "Cell",
    "check_sizes",
    "has_data",
    "keep_escapes",
    "merged_down",
    "sheet_rows",
]

#: Largest inflated worksheet (or other part) read, in bytes; parsing takes about 1 s per 10 MB.
MAX_PART_BYTES = 1 << 30
#: Largest inflated shared-strings part; openpyxl holds every shared string in memory.
MAX_STRINGS_BYTES = 256 << 20

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)"')


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell the sheet holds: its 1-based column, value, type, number format and saved formula."""

    column: int
    value: Any
    data_type: str
    number_format: str
    formula: str | None = None


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB"


def check_sizes(path: Path) -> None:
    """Refuse, in one sentence, a workbook with a part that would inflate past its limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError(
            f"Cannot read {path} as an Excel workbook (.xlsx): {exc or type(exc).__name__}."
        ) from None
    for info in infos:
        limit = MAX_STRINGS_BYTES if info.filename.lower().endswith("sharedstrings.xml") else MAX_PART_BYTES
        if info.file_size > limit:
            raise UnreadableFileError(
                f"{path} is too large to read: its part {info.filename} inflates to {_mib(info.file_size)} "
                f"({_mib(info.compress_size)} compressed), more than the {_mib(limit)} prep reads; "
                "save the sheet as CSV UTF-8 instead."
            )


def keep_escapes(book: Any) -> None:
    """Give the workbook's shared strings back their escapes, as the file holds them.

    Excel writes a character XML cannot hold as ``_xHHHH_``, and an underscore
    that would start such an escape as ``_x005F_`` (so the text "_x000D_" is
    saved as ``_x005F_x000D_``). openpyxl drops every ``x005F_`` from shared
    strings and decodes nothing else, which leaves the two apart no more; the
    strings are read again here, unchanged, when the part holds one, and
    decoded with the inline strings (`prep.reading.xlsx.unescape`).
    """
    sheets = book.worksheets
    archive: zipfile.ZipFile = book._archive
    names = [n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")]
    if not sheets or not names or not _holds(archive, names[0], b"x005F_"):
        return
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings = []
    with archive.open(names[0]) as fp:
        for _, node in iterparse(fp):
            if node.tag == tag:
                strings.append(Text.from_tree(node).content)
                node.clear()
    sheets[0]._shared_strings[:] = strings  # one list, shared by every sheet of the workbook


def _holds(archive: zipfile.ZipFile, name: str, needle: bytes) -> bool:
    """True when a part holds ``needle``, read in blocks (a block keeps the end of the one before)."""
    tail = b""
    with archive.open(name) as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            if needle in tail + block:
                return True
            tail = block[-len(needle) :]
    return False


@functools.cache
def _parser_class() -> Any:
    """openpyxl's sheet parser, made to keep the formula of a cell read with its saved value."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if element.find(FORMULA_TAG) is not None:
                formula = self.parse_formula(element)  # also keeps shared formulas for the cells that follow
                cell["formula"] = str(getattr(formula, "text", formula))
                cell["string_formula"] = element.get("t") == "str"
            return cell

    return Parser


def _number_format(book: Any, style_id: int) -> str:
    from openpyxl.cell.read_only import ReadOnlyCell

    if not style_id:
        return "General"
    return str(ReadOnlyCell(_Sheet(book), None, None, None, "n", style_id).number_format)


class _Sheet:
    """What `ReadOnlyCell` needs of its sheet: the workbook (for styles)."""

    def __init__(self, book: Any) -> None:
        self.parent = book


def sheet_rows(sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    """(sheet row, the cells it holds) for each row in the sheet's XML, in order.

    A part that turns out corrupt while it is read (bad XML, a checksum that
    does not match) is an `UnreadableFileError`, raised where it is found.
    """
    try:
        yield from _sheet_rows(sheet)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, SyntaxError, zlib.error) as exc:
        raise UnreadableFileError(
            f"Cannot read sheet {sheet.title!r} of {sheet.parent._archive.filename}: {exc}."
        ) from None


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[Cell]]]:
    book = sheet.parent
    with sheet._get_source() as source:
        parser = _parser_class()(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        formats: dict[int, str] = {}
        for number, raw in parser.parse():
            cells = []
            for c in raw:
                style = c["style_id"]
                if style not in formats:
                    formats[style] = _number_format(book, style)
                formula = c.get("formula") if not c.get("string_formula") else None
                cells.append(Cell(c["column"], c["value"], c["data_type"], formats[style], formula))
            yield number, cells


def has_data(sheet: Any) -> bool:
    """Whether any cell of the sheet holds a value (stops at the first)."""
    return any(c.value is not None for _, cells in sheet_rows(sheet) for c in cells)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def merged_down(sheet: Any) -> dict[int, list[tuple[int, int, int]]]:
    """Merges spanning rows, by first row: ``{min_row: [(column, min_row, max_row)]}``.

    The sheet's XML lists merges after its rows; this scans the inflated bytes
    for them (no XML parsing), so rows can then be read in one pass.
    """
    merges: dict[int, list[tuple[int, int, int]]] = {}
    tail = b""
    with sheet._get_source() as source:
        while block := source.read(1 << 20):
            data = tail + block
            for m in _MERGE.finditer(data):
                top, bottom = int(m[2]), int(m[4])
                if bottom > top:
                    merges.setdefault(top, []).append((_column_number(m[1]), top, bottom))
            cut = data.rfind(b"<")
            tail = data[cut:] if cut >= 0 and len(data) - cut < 256 else b""
    for found in merges.values():  # a merge seen in two blocks
        found[:] = sorted(set(found))
    return merges
