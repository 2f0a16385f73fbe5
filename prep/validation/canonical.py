"""An example's canonical JSON and its 64-bit hash: a line in, its value, problem, canonical JSON and hash out.

Equal examples have equal canonical JSON whatever their key order, spacing or
escapes, so its hash finds duplicates, train/validation leakage and `prep.split`'s
groups, and fingerprints issues. Canonical JSON writes every printable ASCII
character as itself but a quote and a backslash, so a byte test for one is exact
on it where it is not on the raw line: the special-token mark
(`rules.CheckContext.special_marker`) and images (`tokens.fits_by_size`).
"""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

import orjson

from ..issues import Problem
from ..reading.jsonl import Line, parse_line
from ..records.values import canonical_json

__all__ = ["Parsed", "example_hash", "hash_of", "parse"]


def example_hash(value: dict[str, Any]) -> int:
    """A 64-bit hash of an example's canonical JSON: equal examples hash alike whatever
    their key order or spacing (duplicates, train/validation leakage, `prep.split`)."""
    return hash_of(value)[1]


def hash_of(value: dict[str, Any]) -> tuple[bytes, int]:
    """An example's canonical JSON (keys sorted, no spaces, printable ASCII as itself but ``"`` and ``\\``)
    and its `example_hash`."""
    try:
        canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # a lone surrogate, deep nesting, a big integer, a Python object
        canonical = canonical_json(value)
    return canonical, int.from_bytes(hashlib.blake2b(canonical, digest_size=8).digest(), "little")


class Parsed(NamedTuple):
    """A line's value (a dict, or None with its problem), and its canonical JSON and hash (`hash_of`)."""

    value: Any
    problem: Problem | None
    canonical: bytes = b""
    digest: int = 0


def parse(line: Line) -> Parsed:
    """A line's value, its problem, its canonical JSON and its example hash."""
    value, problem = parse_line(line.data)
    return Parsed(value, problem) if problem is not None else Parsed(value, None, *hash_of(value))
