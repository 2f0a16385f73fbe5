"""Hostile workbooks stay bounded: streaming reads, size limits, corrupt parts as one sentence."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from prep.errors import InputError
from prep.reading import xlsx_stream
from prep.reading.files import open_table
from prep.reading.table import ReadOptions

#: Address space the reading process may use: the old reader needed gigabytes for these files.
MEMORY_CAP = 768 << 20


def one_cell_workbook(path: Path, coordinate: str, value: str = "x") -> Path:
    book = openpyxl.Workbook()
    book.active[coordinate] = value
    book.save(path)
    return path


def read_capped(path: Path) -> str:
    """Read ``path`` in a child process whose memory is capped; its printed columns and rows."""
    code = textwrap.dedent(
        f"""
        from prep.reading.files import open_table
        with open_table({str(path)!r}) as table:
            rows = [(r.line, r.cells) for r in table.rows]
        print(len(table.columns), table.columns[-1], rows)
        """
    )

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=cap, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("coordinate", "expected"),
    [
        ("XFD1048576", "16384 x []"),  # the last cell of a sheet: a billion cells in the old reader
        ("B1048576", "2 x []"),  # a million empty rows above one cell
    ],
)
def test_one_far_cell_costs_one_cell(tmp_path: Path, coordinate: str, expected: str) -> None:
    path = one_cell_workbook(tmp_path / "far.xlsx", coordinate)
    assert path.stat().st_size < 6000
    assert read_capped(path) == expected


def test_a_far_data_row_after_the_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["user", "assistant"])
    sheet["A1048576"], sheet["B1048576"] = "Hi", "Hello"
    book.save(tmp_path / "rows.xlsx")
    assert read_capped(tmp_path / "rows.xlsx") == "2 assistant [(1048576, {'user': 'Hi', 'assistant': 'Hello'})]"


def test_a_part_declared_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = openpyxl.Workbook()
    for i in range(200):
        book.active.append([f"question {i}", "answer " * 20])
    book.save(tmp_path / "big.xlsx")
    size = zipfile.ZipFile(tmp_path / "big.xlsx").getinfo("xl/worksheets/sheet1.xml").file_size
    monkeypatch.setattr(xlsx_stream, "MAX_PART_BYTES", size - 1)

    with pytest.raises(InputError) as info:
        open_table(tmp_path / "big.xlsx")

    assert str(info.value).startswith(
        f"{tmp_path / 'big.xlsx'} is too large to read: its part xl/worksheets/sheet1.xml"
    )
    assert "more than the 0 MiB prep reads; save the sheet as CSV UTF-8 instead." in str(info.value)


def test_shared_strings_have_their_own_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "strings.xlsx"
    one_cell_workbook(path, "A1")
    with zipfile.ZipFile(path, "a") as archive:  # a part named like Excel's shared strings
        archive.writestr("xl/sharedStrings.xml", "<sst/>" + " " * 100)
    monkeypatch.setattr(xlsx_stream, "MAX_STRINGS_BYTES", 50)
    with pytest.raises(InputError, match=r"its part xl/sharedStrings\.xml inflates to"):
        open_table(path)


def test_a_part_that_inflates_past_its_declared_size_is_one_sentence(tmp_path: Path) -> None:
    """A lying zip directory: zipfile stops at the declared size, and the checksum fails."""
    path = one_cell_workbook(tmp_path / "lying.xlsx", "A1", "question")
    book = openpyxl.load_workbook(path)
    for i in range(2, 300):
        book.active.append([f"row {i}"])
    book.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = info.file_size.to_bytes(4, "little")
    smaller = (info.file_size // 2).to_bytes(4, "little")
    assert data.count(declared) >= 2  # in the local header and in the central directory
    path.write_bytes(bytes(data).replace(declared, smaller))

    with pytest.raises(InputError) as info_error, open_table(path) as table:
        list(table.rows)

    assert str(info_error.value).startswith(f"Cannot read {path} as an Excel workbook (.xlsx): Bad CRC-32")


def test_not_a_zip_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "text.xlsx"
    path.write_text("user,assistant\n")
    with pytest.raises(InputError, match=r"Cannot read .*text.xlsx as an Excel workbook \(.xlsx\)"):
        open_table(path)


def test_merges_fill_the_rows_the_sheet_holds_only(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["system", "user"])
    sheet.append(["Be brief.", "a"])
    sheet["B3"] = "b"
    sheet.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'"A2:A3"', b'"A2:A1048576"'))

    with open_table(path, ReadOptions()) as table:
        rows = [(r.line, r.cells) for r in table.rows]

    # a merge down to the last row of the sheet does not make a million rows
    assert rows == [(2, {"system": "Be brief.", "user": "a"}), (3, {"system": "Be brief.", "user": "b"})]


def rewrite_part(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == name else data)


def test_the_workbook_is_closed_with_the_table(tmp_path: Path) -> None:
    path = one_cell_workbook(tmp_path / "a.xlsx", "A1", "user")
    with open_table(path) as table:
        archive = table.closer.__self__._archive  # type: ignore[union-attr]
        assert archive.fp is not None
    assert archive.fp is None


def test_a_sheet_cut_short_is_one_sentence_where_it_is_found(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for i in range(50):
        book.active.append([f"question {i}", f"answer {i}"])
    path = tmp_path / "cut.xlsx"
    book.save(path)
    rewrite_part(path, "xl/worksheets/sheet1.xml", lambda xml: xml[: xml.index(b'<row r="30"') + 20])

    with pytest.raises(InputError) as info, open_table(path) as table:
        list(table.rows)

    assert str(info.value).startswith(f"Cannot read sheet 'Sheet' of {path}: ")
