"""JSON files: an array of objects, or an object holding one array of them.

Each object is a row, and its line is the line where it starts, so an issue
in a pretty-printed file points at the object to fix. An object that is itself
one example (it has ``messages``, ``prompt``...) is a file of one row. A
``.json`` file holding JSON Lines is read line by line (see `detect_file_type`).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .detect import vote
from .jsonl import type_name
from .table import FileType, Note, ReadOptions, Row, Table
from .text import read_text

__all__ = ["locate_rows", "read_json"]

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def read_json(path: Path, options: ReadOptions) -> Table:
    text, _ = read_text(path, options.encoding)
    if _is_json_lines(text):
        from .lines import read_jsonl

        return read_jsonl(path, options)
    rows, notes = locate_rows(text, str(path), key=options.sheet)
    columns = list(dict.fromkeys(k for r in rows if r.cells for k in r.cells))
    return Table(str(path), FileType.JSON, columns, iter(rows), tabular=False, notes=notes)


def _is_json_lines(text: str) -> bool:
    """A whole JSON value followed by more values: JSON Lines in a .json file."""
    start = _WS.match(text, 0).end()  # type: ignore[union-attr]
    try:
        _, end = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError):
        return False
    return _WS.match(text, end).end() < len(text)  # type: ignore[union-attr]


class _Lines:
    """Line numbers of character positions."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def __call__(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1


def locate_rows(text: str, name: str, *, key: str | None = None) -> tuple[list[Row], list[Note]]:
    """The rows of a JSON document, each with the line where its object starts."""
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
    except json.JSONDecodeError as exc:
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
