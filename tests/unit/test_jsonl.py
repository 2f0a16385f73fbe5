from __future__ import annotations

import io

import pytest

from prep.reading.jsonl import iter_lines, parse_line


def lines(data: bytes, **kw):
    return list(iter_lines(io.BytesIO(data), **kw))


def test_numbers_are_exact_and_terminators_removed():
    got = lines(b'{"a":1}\n{"b":2}\r\n\n{"c":3}')
    assert [(ln.number, ln.data, ln.crlf) for ln in got] == [
        (1, b'{"a":1}', False),
        (2, b'{"b":2}', True),
        (3, b"", False),
        (4, b'{"c":3}', False),
    ]


def test_bom_is_flagged_on_the_first_line_only():
    got = lines(b'\xef\xbb\xbf{"a":1}\n\xef\xbb\xbf{"b":2}\n')
    assert got[0].bom and got[0].data == b'{"a":1}'
    assert not got[1].bom and got[1].data.startswith(b"\xef\xbb\xbf")


def test_over_long_line_is_skipped_and_reading_goes_on():
    got = lines(b'{"a":1}\n' + b"x" * 5000 + b'\n{"b":2}\n', max_line_bytes=100)
    assert [ln.number for ln in got] == [1, 2, 3]
    assert got[1].data == b"" and got[1].length == 5000
    assert got[2].data == b'{"b":2}'


def test_over_long_last_line_without_newline():
    got = lines(b'{"a":1}\n' + b"y" * 300, max_line_bytes=100)
    assert got[1].length == 300 and got[1].data == b""


@pytest.mark.parametrize("cut", [0, 1, 5, 9, 10, 17, 25])
def test_ranges_cover_each_line_once(cut):
    data = b'{"a":1}\n{"bb":22}\n{"ccc":333}\n'
    boundary = data.index(b"\n", cut) + 1 if cut else 0
    first = lines(data, end=boundary)
    rest = lines(data, start=boundary, first_number=len(first) + 1)
    assert [ln.data for ln in first + rest] == [b'{"a":1}', b'{"bb":22}', b'{"ccc":333}']
    assert [ln.number for ln in first + rest] == [1, 2, 3]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "P103"),
        (b"   \t", "P103"),
        (b'{"a": "\xff"}', "P101"),
        (b'{"a": 1', "P106"),
        (b"[1, 2]", "P107"),
        (b'"text"', "P107"),
        (b"null", "P107"),
    ],
)
def test_parse_problems(data, code):
    value, problem = parse_line(data)
    assert value is None and problem is not None and problem.code == code


def test_invalid_json_message_names_the_position():
    _, problem = parse_line(b'{"messages": [1 2]}')
    assert problem.message == "Invalid JSON: Expecting ',' delimiter: line 1 column 17 (char 16)."


def test_what_the_stdlib_parser_accepts_is_accepted():
    value, problem = parse_line(b'{"n": NaN}')
    assert problem is None and value["n"] != value["n"]
