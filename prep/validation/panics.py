"""A crashing dependency is contained: counted around where it can be, one catchable error where not.

Compiled libraries can panic: a run of about a million spaces makes tiktoken's
Rust core overflow its stack, and pyo3 raises ``PanicException``, a
``BaseException`` that ``except Exception`` does not catch. `GuardedCount`
wraps a tokenizer's count: when it crashes on a text, the text is counted in
pieces (cut where whitespace ends, so words stay whole), and a piece that still
crashes counts its UTF-8 bytes (no token is shorter than a byte, so the count
never falls short). A text longer than `LONG_TEXT` characters is counted in
pieces from the start: byte-pair encoding of one huge word (a million times
the same letter) takes time and memory that grow faster than its length.
A tokenizer that is linear in every text (bpe-openai) counts long texts whole.
`approximate` counts texts counted in pieces, so the scan reports their example (P305).
`contained` turns such a crash anywhere else into a `DependencyError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import DependencyError

__all__ = ["LONG_TEXT", "PIECE_CHARS", "GuardedCount", "contained", "is_crash"]

#: Longest piece of a text counted in pieces.
PIECE_CHARS = 4096
#: Texts longer than this are counted in pieces (time and memory stay linear in their length).
LONG_TEXT = 1 << 20
_PIECE_END = re.compile(r"\s+(?=\S)")
F = TypeVar("F", bound=Callable[..., Any])


def is_crash(exc: BaseException) -> bool:
    """A BaseException that is not Python's own way of stopping (interrupt, exit, generator close)."""
    return not isinstance(exc, (Exception, KeyboardInterrupt, SystemExit, GeneratorExit))


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, preferably after a run of whitespace."""
    out, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cuts = [m.end() for m in _PIECE_END.finditer(window)]
        end = start + (cuts[-1] if cuts and cuts[-1] > 0 else size)
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return out


class GuardedCount:
    """``count(text) -> tokens`` that survives a crash of the tokenizer (see the module doc)."""

    def __init__(self, count: Callable[[str], int], *, long_text: int | None = LONG_TEXT) -> None:
        """``long_text``: the length from which texts are counted in pieces (None: never, for a linear tokenizer)."""
        self._count = count
        self._long_text = long_text if long_text is not None else 1 << 62
        self.approximate = 0  # texts counted in pieces

    def __call__(self, text: str) -> int:
        if len(text) > self._long_text:
            return self._in_pieces(text)
        try:
            return self._count(text)
        except BaseException as exc:
            if not is_crash(exc) and not isinstance(exc, RecursionError):
                raise
            return self._in_pieces(text)

    def _in_pieces(self, text: str) -> int:
        self.approximate += 1
        return sum(self._piece(p) for p in pieces(text))

    def _piece(self, text: str) -> int:
        try:
            return self._count(text)
        except BaseException as exc:
            if not is_crash(exc) and not isinstance(exc, RecursionError):
                raise
            return len(text.encode("utf-8", "surrogatepass"))


def contained(function: F) -> F:
    """``function`` with a crash of a dependency (a non-Exception BaseException) raised as a `DependencyError`."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as exc:
            if not is_crash(exc):
                raise
            raise DependencyError(
                f"A library prep uses crashed ({type(exc).__module__}.{type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no message'}); this is a bug to report, "
                "with the input that caused it."
            ) from exc

    return wrapper  # type: ignore[return-value]
