"""Readers: each file type to rows, with the line a person looks at; bad input as notes, not exceptions."""

from __future__ import annotations

import datetime as dt

import pytest

from prep.errors import InputError, UnreadableFileError, UsageError
from prep.reading.files import detect_file_type, open_table
from prep.reading.table import CellError, FileType, ReadOptions, Row, column_letter
from prep.reading.text import sniff_encoding
from prep.reading.xlsx import cell_text, number_text
from tests.xlsx_support import add_cached_values


def read(path, **options):
    with open_table(path, ReadOptions(**options)) as table:
        return table, list(table.rows)


def cells(rows):
    return [r.cells for r in rows]


# -- detecting the file type -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jsonl", b'{"a": 1}\n', FileType.JSONL),
        ("a.NDJSON", b'{"a": 1}\n', FileType.JSONL),
        ("a.csv", b"a,b\n", FileType.CSV),
        ("a.TSV", b"a\tb\n", FileType.TSV),
        ("a.xlsx", b"PK", FileType.XLSX),
        ("a.json", b'[{"a": 1},\n {"a": 2}]\n', FileType.JSON),
        ("a.json", b'{\n  "data": [{"a": 1}]\n}\n', FileType.JSON),
        ("a.json", b'{"a": 1}\n', FileType.JSON),
        ("a.json", b'{"a": 1}\n{"a": 2}\n', FileType.JSONL),  # JSON Lines saved as .json
        ("a.json", b'\xef\xbb\xbf{"a": 1}\r\n{"a": 2}\r\n', FileType.JSONL),
        ("a.txt", "q\ta\r\n".encode("utf-16"), FileType.TSV),  # Excel's "Unicode Text"
        ("a.txt", b'{"a": 1}\n', FileType.JSONL),
        ("data", b'{"a": 1}\n', FileType.JSONL),
    ],
)
def test_file_type_from_extension_and_content(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    assert detect_file_type(path) is expected


def test_forced_file_type_wins(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("a,b\n")
    assert detect_file_type(path, "csv") is FileType.CSV


@pytest.mark.parametrize(("suffix", "hint"), [(".xls", "save it as .xlsx"), (".ods", "OpenDocument")])
def test_spreadsheets_prep_cannot_read_say_what_to_do(tmp_path, suffix, hint):
    with pytest.raises(InputError, match=hint):
        detect_file_type(tmp_path / f"data{suffix}")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_table(tmp_path / "nope.csv")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# -- CSV and TSV -------------------------------------------------------------------------


def test_csv_saved_by_excel_bom_crlf_multiline_cells(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_bytes(b'\xef\xbb\xbfquestion,answer\r\n"Multi\nline?","Yes, ""quoted""\nand long"\r\nNext,Plain\r\n')
    table, rows = read(path)
    assert table.columns == ["question", "answer"]
    assert table.tabular and table.file_type is FileType.CSV
    assert [r.line for r in rows] == [2, 5]  # the first physical line of each record (2-4, then 5)
    assert cells(rows) == [
        {"question": "Multi\nline?", "answer": 'Yes, "quoted"\nand long'},
        {"question": "Next", "answer": "Plain"},
    ]


def test_csv_empty_cells_are_none_and_empty_rows_are_skipped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n1,,3\n\n,,\n4,5\n")
    _, rows = read(path)
    assert [r.line for r in rows] == [2, 5]
    assert cells(rows) == [{"a": "1", "b": None, "c": "3"}, {"a": "4", "b": "5", "c": None}]


def test_csv_numbers_stay_the_text_of_the_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n007,1.50\n")
    _, rows = read(path)
    assert cells(rows) == [{"a": "007", "b": "1.50"}]


def test_semicolon_csv_from_a_european_excel(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("\ufeffquestion;answer\r\nWie geht's?;Gut, danke.\r\n".encode("utf-8"))
    table, rows = read(path)
    assert table.columns == ["question", "answer"]
    assert cells(rows) == [{"question": "Wie geht's?", "answer": "Gut, danke."}]


def test_utf16_unicode_text_export(tmp_path):
    path = tmp_path / "export.tsv"
    path.write_bytes("question\tanswer\r\nÇa va ?\tOui, très bien.\r\n".encode("utf-16"))
    table, rows = read(path)
    assert table.columns == ["question", "answer"]
    assert cells(rows) == [{"question": "Ça va ?", "answer": "Oui, très bien."}]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xef\xbb\xbfa", "utf-8-sig"),
        (b"\xff\xfea\x00", "utf-16"),
        (b"\xfe\xff\x00a", "utf-16"),
        (b"a\x00,\x00b\x00", "utf-16-le"),
        (b"\x00a\x00,\x00b", "utf-16-be"),
        ("plain ascii and é".encode(), "utf-8"),
        ("cut in the middle é".encode()[:-1], "utf-8"),
        ("café au lait".encode("cp1252"), None),
    ],
)
def test_sniff_encoding(head, expected):
    assert sniff_encoding(head) == expected


def test_other_encodings_are_one_clear_error_naming_the_options(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("question,answer\nCafé?,Oui\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        open_table(path)
    message = str(info.value)
    assert "byte 0xE9 on line 2 is not UTF-8" in message
    assert "CSV UTF-8" in message and "--input-encoding" in message and "cp1252" in message


def test_named_encoding_reads_the_file(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("question,answer\nCafé?,Oui\n".encode("cp1252"))
    _, rows = read(path, encoding="cp1252")
    assert cells(rows) == [{"question": "Café?", "answer": "Oui"}]


def test_unknown_encoding_name_is_a_usage_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with pytest.raises(UsageError, match="Unknown text encoding 'klingon'"):
        open_table(path, ReadOptions(encoding="klingon"))


def test_bad_bytes_past_the_start_mark_only_their_cell(tmp_path):
    path = tmp_path / "a.csv"
    rows = "".join(f"q{i},a{i}\n" for i in range(10000))
    path.write_bytes(f"question,answer\n{rows}".encode() + b"late,caf\xe9\n")
    _, read_rows = read(path)
    last = read_rows[-1]
    assert last.line == 10002
    assert last.cells["question"] == "late"
    assert isinstance(last.cells["answer"], CellError) and last.cells["answer"].code == "P154"


def test_extra_cells_are_a_note_on_the_row(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("question,answer\nHi,Hello, how are you?\nOk,Fine,,\n")
    _, rows = read(path)
    assert rows[0].cells == {"question": "Hi", "answer": "Hello"}
    (note,) = rows[0].notes
    assert (note.code, note.column, note.line) == ("P150", "C", 2)
    assert "3 cells" in note.message
    assert rows[1].notes == ()  # empty trailing cells are not data


def test_malformed_quotes_are_notes_and_reading_goes_on(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,"x"y\n2,ok\n3,"never closed\n4,z\n')
    _, rows = read(path)
    assert [(r.line, r.cells is None, [n.code for n in r.notes]) for r in rows] == [
        (2, True, ["P155"]),
        (3, False, []),
        (4, True, ["P155"]),
    ]
    assert "starts on line 4 is never closed" in rows[2].notes[0].message


def test_duplicate_and_blank_header_names(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("answer,,answer,\n1,2,3\n")
    table, rows = read(path)
    assert table.columns == ["answer", "B", "answer (C)"]
    assert [(n.code, n.column, n.line) for n in table.notes] == [("P153", "answer (C)", 1)]
    assert cells(rows) == [{"answer": "1", "B": "2", "answer (C)": "3"}]


def test_empty_csv_has_no_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"")
    table, rows = read(path)
    assert (table.columns, rows) == ([], [])


# -- JSON --------------------------------------------------------------------------------


def test_json_array_rows_start_on_their_lines(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n  {"q": "a",\n   "n": 1},\n  {"q": "b"},\n  7\n]\n')
    table, rows = read(path)
    assert not table.tabular
    assert table.columns == ["q", "n"]
    assert [(r.line, r.cells) for r in rows[:2]] == [(2, {"q": "a", "n": 1}), (4, {"q": "b"})]
    assert rows[2].line == 5 and rows[2].notes[0].code == "P107"


def test_json_object_holding_one_array(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"version": 2,\n "data": [\n  {"q": "a"}\n ]}\n')
    _, rows = read(path)
    assert [(r.line, r.cells) for r in rows] == [(3, {"q": "a"})]


def test_json_object_holding_several_arrays_needs_a_key(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"train": [{"q": "a"}], "test": [{"q": "b"}]}')
    table, rows = read(path)
    assert rows == [] and "several arrays (train, test)" in table.notes[0].message
    _, rows = read(path, sheet="test")
    assert cells(rows) == [{"q": "b"}]


def test_a_json_object_that_is_one_example_is_one_row(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"messages": [{"role": "user", "content": "Hi"}]}')
    _, rows = read(path)
    assert cells(rows) == [{"messages": [{"role": "user", "content": "Hi"}]}]


def test_invalid_json_keeps_the_rows_before_it(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n {"q": "a"},\n {"q": "b" "c"}\n]')
    _, rows = read(path)
    assert rows[0].cells == {"q": "a"}
    assert rows[1].cells is None and rows[1].line == 3 and rows[1].notes[0].code == "P106"


def test_json_lines_in_a_json_file_are_read_as_lines(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"q": "a"}\n\n{"q": "b"}\nnot json\n')
    table, rows = read(path)
    assert table.file_type is FileType.JSONL
    assert [(r.line, r.cells) for r in rows] == [(1, {"q": "a"}), (3, {"q": "b"}), (4, None)]
    assert rows[2].notes[0].code == "P106"


# -- XLSX --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (30, "General", "30"),
        (30.0, "General", "30"),
        (12.5, "General", "12.5"),
        (0.1 + 0.2, "General", "0.3"),
        (0.15, "0%", "15%"),
        (0.125, "0.0%", "12.5%"),
        (True, "General", "TRUE"),
        (dt.datetime(2024, 3, 1), "yyyy-mm-dd", "2024-03-01"),
        (dt.datetime(2024, 3, 1, 9, 30), "yyyy-mm-dd h:mm", "2024-03-01 09:30"),
        (dt.datetime(2024, 3, 1, 9, 30, 15), "yyyy-mm-dd h:mm:ss", "2024-03-01 09:30:15"),
        (dt.time(10, 0), "h:mm", "10:00"),
        (dt.date(2024, 3, 1), '"on" d mmm yyyy', "2024-03-01"),
        (dt.datetime(2024, 3, 1, 9, 30), "m/d/yyyy", "2024-03-01"),  # the time is not shown, so not read
        (dt.datetime(1900, 1, 1, 9, 30), "h:mm", "09:30"),
        (12.5, "0.00", "12.50"),
        (1250, "#,##0", "1,250"),
        (1250.5, "#,##0.00", "1,250.50"),
        (1250.5, '"€"#,##0.00', "1250.5"),  # other formats: the plain number
    ],
)
def test_cell_text_is_what_a_person_sees(value, number_format, text):
    assert cell_text(value, number_format) == text


def test_number_text():
    assert [number_text(v) for v in (4, 4.0, -2.5, 1e20, 1 / 3)] == ["4", "4", "-2.5", "1e+20", "0.333333333333333"]


@pytest.fixture
def workbook(tmp_path):
    """A workbook saved by openpyxl, with Excel's saved formula values added where asked."""
    import openpyxl

    def make(rows, *, name="book.xlsx", merges=(), cached=None, formats=None, more_sheets=()):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "FAQ"
        for row in rows:
            sheet.append(row)
        for cell, fmt in (formats or {}).items():
            sheet[cell].number_format = fmt
        for merged in merges:
            sheet.merge_cells(merged)
        for title, sheet_rows in more_sheets:
            extra = book.create_sheet(title)
            for row in sheet_rows:
                extra.append(row)
        path = tmp_path / name
        book.save(path)
        if cached:
            add_cached_values(path, {"FAQ": cached})
        return path

    return make


def test_xlsx_cells_formulas_merges_and_rows(workbook):
    path = workbook(
        [
            ["system", "question", "answer", None],
            ["Be brief.", "Return window?", 30, None],
            [None, "Sale starts?", dt.date(2024, 3, 1), None],
            [None, "2+2?", "=2+2", None],
            [None, None, None, None],
            [None, "Ship to Canada?", '="Yes, for "&12.5&" euros."', "extra"],
        ],
        merges=["A2:A4"],
        cached={"C4": 4, "C6": "Yes, for 12.5 euros."},
        formats={"C3": "yyyy-mm-dd"},
    )
    table, rows = read(path)
    assert table.columns == ["system", "question", "answer"]
    assert table.sheet == "FAQ" and table.notes == []
    assert [r.line for r in rows] == [2, 3, 4, 6]  # sheet rows; the empty row 5 is skipped
    assert cells(rows)[:3] == [
        {"system": "Be brief.", "question": "Return window?", "answer": "30"},
        {"system": "Be brief.", "question": "Sale starts?", "answer": "2024-03-01"},
        {"system": "Be brief.", "question": "2+2?", "answer": "4"},
    ]
    assert rows[3].cells == {"system": None, "question": "Ship to Canada?", "answer": "Yes, for 12.5 euros."}
    assert [(n.code, n.column, n.line) for n in rows[3].notes] == [("P150", "D", 6)]


def test_xlsx_formula_without_saved_value_and_error_values(workbook):
    path = workbook([["q", "a"], ["x", "=1+1"], ["y", "=NA()"], ["z", '=""']])
    add_cached_values(path, {"FAQ": {"B3": "#N/A", "B4": ""}})
    _, rows = read(path)
    a2, a3, a4 = (r.cells["a"] for r in rows)
    assert isinstance(a2, CellError) and a2.code == "P152" and "=1+1 has no saved value" in a2.message
    assert isinstance(a3, CellError) and a3.code == "P151" and "#N/A" in a3.message
    assert a4 is None  # a formula whose saved value is empty text is an empty cell


def test_xlsx_first_sheet_by_default_other_sheets_reported(workbook):
    path = workbook([["q", "a"], ["x", "y"]], more_sheets=[("Notes", [["n"]]), ("Blank", [])])
    table, _ = read(path)
    assert [n.code for n in table.notes] == ["P157"]
    assert "1 other sheet(s) with data ('Notes')" in table.notes[0].message
    table, rows = read(path, sheet="notes")  # case-insensitive, and no warning when named
    assert table.sheet == "Notes" and table.notes == [] and table.columns == ["n"] and rows == []


def test_xlsx_unknown_sheet_lists_the_sheets(workbook):
    path = workbook([["q"]], more_sheets=[("Notes", [])])
    with pytest.raises(UnreadableFileError, match=r"has no sheet named 'Data'; its sheets: FAQ, Notes\."):
        read(path, sheet="Data")


def test_not_a_workbook_is_an_unreadable_file(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(UnreadableFileError, match=r"Cannot read .* as an Excel workbook"):
        read(path)


def test_rows_are_plain_data():
    row = Row(3, {"a": "b"})
    assert row.notes == () and row.line == 3


# -- sheets without a header row ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "text"), [("q.csv", "2+2?,4\n3+3?,6,\n"), ("q.tsv", "2+2?\t4\n3+3?\t6\n")])
def test_without_a_header_row_columns_are_letters_and_the_first_row_is_data(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    table, rows = read(path, header=False)
    assert table.columns == ["A", "B"] and table.notes == []
    assert [(r.line, r.cells) for r in rows] == [(1, {"A": "2+2?", "B": "4"}), (2, {"A": "3+3?", "B": "6"})]
    table, rows = read(path)  # with a header, the first row names the columns
    assert table.columns == ["2+2?", "4"] and len(rows) == 1


def test_without_a_header_a_longer_row_is_told_against_the_first(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("2+2?,4\n3+3?,6,oops\n")
    _, rows = read(path, header=False)
    assert rows[1].notes[0].message.startswith("Row has 3 cells, but the first row has 2; what is in column C ")


def test_xlsx_without_a_header_row(workbook):
    path = workbook([["2+2?", 4], ["3+3?", "=3+3"]], cached={"B2": 6})
    table, rows = read(path, header=False)
    assert (table.columns, table.sheet) == (["A", "B"], "FAQ")
    assert [(r.line, r.cells) for r in rows] == [(1, {"A": "2+2?", "B": "4"}), (2, {"A": "3+3?", "B": "6"})]


# -- Excel's escapes and control characters ---------------------------------------------------------

#: As Excel saves them (ECMA-376 Part 1, 22.9.2.19 ST_Xstring): a carriage return, a tab, and the text
#: "_x0041_" typed in a cell, whose leading underscore is escaped as _x005F_.
ESCAPED = ["Line 1_x000D_\nLine 2", "Tab_x0009_here", "_x005F_x0041_ stays", "caf_x00E9_"]
DECODED = ["Line 1\r\nLine 2", "Tab\there", "_x0041_ stays", "café"]


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_xlsx_escapes_are_decoded(workbook, shared):
    from tests.xlsx_support import use_shared_strings

    path = workbook([["Question_x0020_text", "answer"], *[[e, "ok"] for e in ESCAPED]])
    if shared:
        use_shared_strings(path)
    table, rows = read(path)
    assert table.columns == ["Question text", "answer"]
    assert [r.cells["Question text"] for r in rows] == DECODED


def test_control_characters_in_cells_that_fill_a_record_are_reported(tmp_path, workbook):
    """P161: a control character (an escape such as _x0001_, or a byte pasted into a CSV) is invisible in the
    sheet but would be trained on; tab, line feed and carriage return are text."""
    import prep

    rows = [["question", "answer", "notes"], ["Ring the bell_x0007_?", "No.", "_x0001_"], ["Tab_x0009_ok?", "Yes.", ""]]
    rows += [[f"Q{i}?", f"A{i}.", ""] for i in range(8)]
    book = workbook(rows)
    csv = tmp_path / "faq.csv"
    csv.write_text("question,answer\nWhy?,Because\x0b\x1b[0m.\n" + "".join(f"Q{i}?,A{i}.\n" for i in range(9)))
    for path, line, column, listed in ((book, 2, "question", "U+0007"), (csv, 2, "answer", "U+000B, U+001B")):
        (f,) = prep.check(path, tokens=False).files
        (issue,) = [i for i in f.issues if i.code == "P161"]  # the notes column fills no field: not reported
        assert (issue.line, issue.column, issue.severity.value) == (line, column, "warning")
        assert issue.message.startswith(f"Cell holds control characters ({listed}) that ")
        assert f.ok
