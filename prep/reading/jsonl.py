"""Streaming JSONL reader: bytes in, one parsed value (or its problems) per line.

Memory stays flat whatever the file size: the reader holds one line at a time,
and a line over the size bound is skipped in pieces, never held whole. Line
numbers are exact and 1-based. Nothing here raises on bad data: a BOM, a blank
line, CRLF, invalid UTF-8, invalid JSON, a non-object value and an over-long line
each become a `Problem` on that line, and reading goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

import orjson

from ..issues import Problem

__all__ = ["DEFAULT_MAX_LINE_BYTES", "Line", "iter_lines", "parse_line", "type_name"]

#: Lines longer than this are reported (P105) and skipped, not parsed. It guards
#: memory; vision files with many inline images may need a larger bound.
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024

BOM = b"\xef\xbb\xbf"
_SKIP_CHUNK = 1024 * 1024


class Line(NamedTuple):
    """One physical line: its number, bytes (terminator removed) and how it ended."""

    number: int
    data: bytes
    crlf: bool = False
    length: int = 0  # bytes in the line when it was over the bound (data is then b"")
    bom: bool = False


def iter_lines(
    fp: IO[bytes],
    *,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    start: int = 0,
    end: int | None = None,
    first_number: int = 1,
) -> Iterator[Line]:
    """Yield the lines of a binary file, or of its byte range [start, end).

    ``start`` must be the first byte of a line. A range yields every line that
    starts before ``end``, so consecutive ranges cover each line exactly once.
    """
    if start:
        fp.seek(start)
    pos, number, limit = start, first_number, max_line_bytes + 1
    readline = fp.readline
    while end is None or pos < end:
        chunk = readline(limit)
        if not chunk:
            return
        pos += len(chunk)
        bom = pos == len(chunk) and chunk.startswith(BOM)
        if bom:
            chunk = chunk[3:]
        if chunk[-1:] == b"\n":
            chunk = chunk[:-1]
        elif len(chunk) == limit:
            skipped, newline = _skip_rest(readline)
            pos += skipped
            yield Line(number, b"", False, len(chunk) + skipped - newline, bom)
            number += 1
            continue
        if chunk[-1:] == b"\r":
            yield Line(number, chunk[:-1], True, 0, bom)
        else:
            yield Line(number, chunk, False, 0, bom)
        number += 1


def _skip_rest(readline: Any) -> tuple[int, bool]:
    """Consume the rest of an over-long line; return the bytes consumed and whether a newline ended it."""
    total = 0
    while True:
        piece = readline(_SKIP_CHUNK)
        total += len(piece)
        if not piece:
            return total, False
        if piece[-1:] == b"\n":
            return total, True


def parse_line(data: bytes) -> tuple[Any, Problem | None]:
    """Parse one line's bytes into a JSON object, or say why it is not one."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value, problem = _parse_slow(data)
        if problem:
            return None, problem
    if type(value) is dict:
        return value, None
    return None, Problem("P107", "", f"Line holds a JSON {type_name(value)}, not an object.")


def _parse_slow(data: bytes) -> tuple[Any, Problem | None]:
    """Diagnose what orjson refused; accept what the stdlib parser accepts."""
    if not data.strip():
        return None, Problem("P103", "", "Blank line: remove it (every line must hold one JSON object).")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Problem("P101", "", f"Invalid UTF-8 at byte {exc.start + 1}; save the file as UTF-8.")
    try:
        return json.loads(text), None
    except RecursionError:
        return None, Problem("P120", "", "JSON nests deeper than prep can read (about 1,000 levels); flatten it.")
    except ValueError as exc:
        return None, Problem("P106", "", f"Invalid JSON: {exc}.")


def type_name(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
