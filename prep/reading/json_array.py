"""JSON files: an array of objects, or an object holding one array of them.

Each object is a row, and its line is the line where it starts, so an issue
in a pretty-printed file points at the object to fix. An object that is itself
one example (it has ``messages``, ``prompt``...) is a file of one row. A
``.json`` file holding JSON Lines is read line by line (see `detect_file_type`).

A top-level array is read as a stream, one element at a time: memory is
bounded by the largest element (at most `MAX_ELEMENT_CHARS`; a larger one is
reported, P105, and reading stops there), whatever the file's size. A file
that is one object (holding the array) is read whole, up to
`MAX_OBJECT_BYTES`; a larger one is refused with one sentence (save it as a
top-level array, or as JSONL).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

from ..errors import UnreadableFileError
from .detect import vote
from .jsonl import type_name
from .lines import SAMPLE_ROWS, read_jsonl
from .table import FileType, Note, ReadOptions, Row, Table
from .text import open_text

__all__ = ["MAX_ELEMENT_CHARS", "MAX_OBJECT_BYTES", "locate_rows", "read_json"]

#: Largest element of a top-level array read, in characters.
MAX_ELEMENT_CHARS = 64 << 20
#: Largest JSON file read whole (one object holding the array), in bytes.
MAX_OBJECT_BYTES = 64 << 20
_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def read_json(path: Path, options: ReadOptions) -> Table:
    fp, _ = open_text(path, options.encoding)
    try:
        stream = _Stream(fp)
        first = stream.peek()
        if first == "[":
            rows = _stream_rows(stream, str(path))
            sample = list(islice(rows, SAMPLE_ROWS))
            columns = list(dict.fromkeys(k for r in sample if r.cells for k in r.cells))
            return Table(str(path), FileType.JSON, columns, chain(sample, rows), tabular=False, closer=fp.close)
        if first == "{" and stream.holds_more_values():
            fp.close()
            return read_jsonl(path, options)
    except BaseException:
        fp.close()
        raise
    fp.close()
    return _read_whole(path, options)


def _read_whole(path: Path, options: ReadOptions) -> Table:
    size = path.stat().st_size
    if size > MAX_OBJECT_BYTES:
        raise UnreadableFileError(
            f"{path} is one JSON object of {size / (1 << 20):,.0f} MiB, more than the "
            f"{MAX_OBJECT_BYTES >> 20} MiB prep reads whole; save its array as the top-level value, or as JSONL."
        )
    fp, _ = open_text(path, options.encoding)
    with fp:
        text = fp.read()
    rows, notes = locate_rows(text, str(path), key=options.sheet)
    columns = list(dict.fromkeys(k for r in rows if r.cells for k in r.cells))
    return Table(str(path), FileType.JSON, columns, iter(rows), tabular=False, notes=notes)


class _Stream:
    """Text read in chunks, decoded one JSON value at a time, with line numbers."""

    def __init__(self, fp: TextIO) -> None:
        self.fp = fp
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # the line of buf[0]
        self._counted = (0, 1)  # (a position in buf, its line): line numbers are counted once, going forward

    def _more(self, at_least: int = _CHUNK) -> bool:
        """Drop what was read, read more; False at the end of the file."""
        if self.eof:
            return False
        self.line = self.line_here()
        self.buf, self.pos = self.buf[self.pos :], 0
        self._counted = (0, self.line)
        data = self.fp.read(max(at_least, _CHUNK))
        self.eof = not data
        self.buf += data
        return bool(data)

    def peek(self) -> str | None:
        """The next character that is not whitespace (None at the end)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return None

    def line_here(self) -> int:
        at, line = self._counted
        if self.pos > at:
            line += self.buf.count("\n", at, self.pos)
            self._counted = (self.pos, line)
        return line

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def value(self) -> Any:
        """The JSON value at the current position; raises `json.JSONDecodeError`, `RecursionError`, `_TooLarge`."""
        want = _CHUNK
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
                if end < len(self.buf) or self.eof:  # a value touching the end (a number) may go on
                    self.pos = end
                    return value
            except json.JSONDecodeError:
                if self.eof:
                    raise
            if len(self.buf) - self.pos > MAX_ELEMENT_CHARS:
                raise _TooLarge
            self._more(want)
            want *= 2

    def holds_more_values(self) -> bool:
        """After the first value, is there another one (JSON Lines in a .json file)? Reads the first value."""
        try:
            self.value()
        except (ValueError, RecursionError, _TooLarge):
            return False
        return self.peek() is not None


class _TooLarge(Exception):
    """An element longer than `MAX_ELEMENT_CHARS`."""


def _stream_rows(stream: _Stream, name: str) -> Iterator[Row]:
    """The rows of the top-level array, read one element at a time."""
    stream.take("[")
    if stream.take("]"):
        return
    for i in range(1 << 62):
        stream.peek()
        line = stream.line_here()
        try:
            value = stream.value()
        except (json.JSONDecodeError, RecursionError, _TooLarge) as exc:
            yield _unreadable(exc, line, i, stream)
            return
        yield _row(value, line, i)
        if stream.take(","):
            continue
        if not stream.take("]"):
            where = stream.line_here()
            message = "Invalid JSON: expected ',' or ']' after an item; the rest of the file was not read."
            yield Row(where, None, (Note("P106", message, None, where),))
        return


def _row(value: Any, line: int, index: int) -> Row:
    if isinstance(value, dict):
        return Row(line, value)
    note = Note("P107", f"Item {index + 1} of the array is a JSON {type_name(value)}, not an object.")
    return Row(line, None, (note,))


def _unreadable(exc: BaseException, line: int, index: int, stream: _Stream) -> Row:
    if isinstance(exc, json.JSONDecodeError):
        line = stream.line + exc.lineno - 1
        code, message = "P106", f"Invalid JSON: {exc.msg} (column {exc.colno}); the rest of the file was not read."
    elif isinstance(exc, RecursionError):
        code = "P120"
        message = f"Item {index + 1} nests deeper than prep can read (about 1,000 levels); the rest was not read."
    else:
        code = "P105"
        message = f"Item {index + 1} is over {MAX_ELEMENT_CHARS:,} characters; it and the rest were not read."
    return Row(line, None, (Note(code, message, None, line),))


class _Lines:
    """Line numbers of character positions."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1


def locate_rows(text: str, name: str, *, key: str | None = None) -> tuple[list[Row], list[Note]]:
    """The rows of a JSON document held whole, each with the line where its object starts."""
    lines = _Lines(text)
    start = _ws(text, 0)
    try:
        if text.startswith("[", start):
            return _rows(_elements(text, start), lines, name), []
        if text.startswith("{", start):
            return _from_object(text, start, lines, name, key)
        _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        return [], [
            Note(
                "P106",
                f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                None,
                exc.lineno,
            )
        ]
    except RecursionError:
        return [], [Note("P120", f"{name} nests deeper than prep can read (about 1,000 levels).")]
    what = "empty" if start >= len(text) else "a single JSON value"
    return [], [Note("P107", f"{name} is {what}, not an array of objects or an object holding one.")]


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _elements(text: str, pos: int) -> Iterator[tuple[int, Any]]:
    """(start, value) of each element of the array that starts at ``pos``."""
    pos = _ws(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        value, end = _DECODER.raw_decode(text, pos)
        yield pos, value
        pos = _ws(text, end)
        if text.startswith(",", pos):
            pos = _ws(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _members(text: str, pos: int) -> Iterator[tuple[str, int]]:
    """(key, start of value) of each member of the object that starts at ``pos``."""
    pos = _ws(text, pos + 1)
    if text.startswith("}", pos):
        return
    while True:
        key, end = _DECODER.raw_decode(text, pos)
        pos = _ws(text, end)
        if not isinstance(key, str) or not text.startswith(":", pos):
            raise json.JSONDecodeError("Expecting property name and ':'", text, pos)
        pos = _ws(text, pos + 1)
        yield key, pos
        _, end = _DECODER.raw_decode(text, pos)
        pos = _ws(text, end)
        if text.startswith(",", pos):
            pos = _ws(text, pos + 1)
        elif text.startswith("}", pos):
            return
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _from_object(text: str, start: int, lines: _Lines, name: str, key: str | None) -> tuple[list[Row], list[Note]]:
    whole, _ = _DECODER.raw_decode(text, start)
    if key is None and vote(whole) is not None:
        return [Row(lines(start), whole)], []
    arrays = {k: pos for k, pos in _members(text, start) if isinstance(whole.get(k), list)}
    if key is not None:
        if key not in arrays:
            found = ", ".join(arrays) or "none"
            return [], [Note("P107", f"{name} has no array under the key {key!r} (arrays found: {found}).")]
        arrays = {key: arrays[key]}
    if len(arrays) != 1:
        found = ", ".join(arrays)
        message = (
            f"{name} holds several arrays ({found}); pick one with --sheet KEY."
            if arrays
            else f'{name} is an object without an array of examples; expected [{{...}}, ...] or {{"data": [...]}}.'
        )
        return [], [Note("P107", message)]
    (pos,) = arrays.values()
    return _rows(_elements(text, pos), lines, name), []


def _rows(elements: Iterator[tuple[int, Any]], lines: _Lines, name: str) -> list[Row]:
    rows = []
    try:
        for i, (pos, value) in enumerate(elements):
            if isinstance(value, dict):
                rows.append(Row(lines(pos), value))
            else:
                note = Note("P107", f"Item {i + 1} of the array is a JSON {type_name(value)}, not an object.")
                rows.append(Row(lines(pos), None, (note,)))
    except (json.JSONDecodeError, RecursionError) as exc:
        if isinstance(exc, RecursionError):
            rows.append(Row(rows[-1].line if rows else 1, None, (Note("P120", "Item nests too deeply to read."),)))
            return rows
        rows.append(
            Row(
                exc.lineno,
                None,
                (
                    Note(
                        "P106",
                        f"Invalid JSON: {exc.msg} (column {exc.colno}); the rest of the file was not read.",
                        None,
                        exc.lineno,
                    ),
                ),
            )
        )
    return rows
