"""One run of lines scanned for several targets: each line read, parsed and hashed once, then scanned per target."""

from __future__ import annotations

from typing import Any

from ..reading.jsonl import Line
from .canonical import Parsed, hash_of, parse
from .counters import Tokenizers
from .exact import ExactScan
from .scan import FileScan, Origin, Plan

__all__ = ["ScanGroup", "scan_for"]


def scan_for(plan: Plan, tokenizers: Tokenizers) -> FileScan:
    """The scan of a file for one target: `ExactScan` when a model's own tokenizer counts, else `FileScan`."""
    exact = plan.budget is not None and plan.budget.source is not None
    return (ExactScan if exact else FileScan)(plan, tokenizers)


class ScanGroup:
    """One run of lines scanned for several targets: each line is read, parsed and hashed once,
    and token counts are shared (`TokenCounter` remembers the last example it counted)."""

    def __init__(self, plans: list[Plan], tokenizers: Tokenizers) -> None:
        self.scans = [scan_for(plan, tokenizers) for plan in plans]

    def feed(self, line: Line) -> None:
        if len(self.scans) == 1:
            self.scans[0].feed(line)
            return
        parsed = parse(line) if not line.length else Parsed(None, None)
        for scan in self.scans:
            scan.feed(line, parsed)

    def feed_value(self, number: int, value: dict[str, Any], origin: Origin | None = None) -> None:
        hashed = hash_of(value)
        for scan in self.scans:
            scan.feed_value(number, value, origin=origin, hashed=hashed)

    def add(self, code: str, line: int | None, pointer: str, message: str, origin: Origin | None = None) -> None:
        for scan in self.scans:
            scan.add(code, line, pointer, message, origin)

    def merge(self, other: ScanGroup, line_offset: int = 0) -> None:
        for mine, theirs in zip(self.scans, other.scans, strict=True):
            mine.merge(theirs, line_offset)

    @property
    def lines(self) -> int:
        return self.scans[0].lines
