"""Text encodings of CSV, TSV and JSON files: UTF-8 (with or without BOM) and UTF-16.

Excel's "CSV UTF-8" starts with a UTF-8 byte-order mark; its "Unicode Text"
export is UTF-16 with a BOM. Both are read without being asked. Any other
encoding is a clear error naming the ways out, unless the caller names the
encoding. Bytes that cannot be decoded further into the file (past the sniffed
start) are kept as surrogate escapes, so the one cell holding them is
reported instead of the whole file failing.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from typing import TextIO

from ..errors import UnreadableFileError, UsageError

__all__ = [
    "SNIFF_BYTES",
    "decode_head",
    "has_undecodable",
    "not_utf8_message",
    "open_text",
    "read_text",
    "sniff_encoding",
]

SNIFF_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def sniff_encoding(head: bytes) -> str | None:
    """The encoding of a file from its first bytes: by BOM, UTF-16 by its zero bytes, else UTF-8; None if not UTF-8."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:200]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        odd_zeros = sample[1::2].count(0)
        even_zeros = sample[0::2].count(0)
        return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return "utf-8"


def decode_head(head: bytes) -> str | None:
    """The first bytes of a file as text, or None when they are not in an encoding prep recognises."""
    encoding = sniff_encoding(head)
    if encoding is None:
        return None
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)


def not_utf8_message(name: str, head: bytes) -> str:
    try:
        head.decode("utf-8")
        where = ""
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        where = f" (byte 0x{head[exc.start]:02X} on line {line} is not UTF-8)"
    return (
        f'{name} is not UTF-8 or UTF-16 text{where}; save it as "CSV UTF-8" or "Unicode Text" (UTF-16), '
        "or name its encoding with --input-encoding (input_encoding= in Python), "
        "for example cp1252, latin-1 or shift_jis."
    )


def _checked_encoding(encoding: str, head: bytes) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(
            f"Unknown text encoding {encoding!r}; use a Python codec name such as utf-8, cp1252 or latin-1."
        ) from None
    if name == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return name


def open_text(path: Path, encoding: str | None = None) -> tuple[TextIO, str]:
    """Open a file as text for the csv module (``newline=""``); return it and the encoding used."""
    fp = path.open("rb")
    try:
        head = fp.read(SNIFF_BYTES)
        fp.seek(0)
        chosen = _checked_encoding(encoding, head) if encoding else sniff_encoding(head)
        if chosen is None:
            raise UnreadableFileError(not_utf8_message(str(path), head))
    except BaseException:
        fp.close()
        raise
    errors = "replace" if chosen.startswith(("utf-16", "utf-32")) else "surrogateescape"
    return io.TextIOWrapper(fp, encoding=chosen, errors=errors, newline=""), chosen


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """A whole file as text (for JSON); return it and the encoding used."""
    text_file, chosen = open_text(path, encoding)
    with text_file:
        return text_file.read(), chosen


def has_undecodable(text: str) -> bool:
    """True when text holds bytes the decoder could not decode (kept as surrogate escapes)."""
    return _UNDECODABLE.search(text) is not None
