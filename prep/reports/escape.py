"""Escaping what comes from data or file names, so that no report can be forged or broken by it.

A file name or a JSON key may hold a newline, a carriage return, an ANSI escape,
a Unicode line separator or bidirectional override, a lone surrogate (from a
``\\ud800`` escape in the data), or bytes that are not UTF-8 (Python keeps them
as surrogate escapes, ``\\udcff``). Printed raw, they start a new line of a text
report (a forged issue), a GitHub workflow command, or colour a terminal; JSON
writers refuse them. `visible` writes each as a backslash escape on one line;
`json_safe` keeps every string writable as UTF-8 JSON.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["json_safe", "visible"]

#: C0 and C1 controls, DEL, line and paragraph separators, bidi marks and overrides, the BOM, surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE_BUT_LINES = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b\x0c\x0e-\x1f"))


def visible(text: str, *, lines: bool = True) -> str:
    """``text`` on one line, with every control, separator, bidi and surrogate character as an escape.

    ``lines=False`` leaves LF and CR to the caller (GitHub's own ``%0A`` escaping).
    """
    return (_UNSAFE if lines else _UNSAFE_BUT_LINES).sub(_escape, text)


def json_text(text: str) -> str:
    """``text`` writable as UTF-8: surrogates (never valid in UTF-8) as escapes; JSON escapes the rest."""
    return _SURROGATE.sub(_escape, text)


def json_safe(value: Any) -> Any:
    """``value`` (a report's dicts, lists, strings and numbers) with every string made `json_text`."""
    if isinstance(value, str):
        return json_text(value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
