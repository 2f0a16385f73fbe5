"""The legacy recommendations (`.legacy`) as issues of the rows they are about.

``prep convert`` reports them (and ``--apply`` applies them); ``prep check`` reports the same ones on
prompt/completion data, from the same functions, so the two commands never disagree. In: the examples of a
source (`Example`) and the target; out: ``(line, RowProblem, Origin)`` triples to add to a scan (a line of
None is about the whole file). Only the prompt/completion pairs are kept in memory, as ``prepare_data`` did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..targets.profile import DataFormat, Target
from ..validation.group import ScanGroup
from ..validation.scan import Origin
from .examples import Example, RowProblem
from .legacy import Finding, Pair, recommend

__all__ = [
    "CHECKED_ANYWAY",
    "Extra",
    "Pairs",
    "add_legacy_issues",
    "completion_models",
    "finding_issues",
    "pair_of",
]

Extra = tuple[int | None, RowProblem, Origin]
#: What ``prep check`` leaves out of the recommendations: the checks report empty content (P206) and duplicates
#: (P403) on their own.
CHECKED_ANYWAY = ("P206", "P403")


def completion_models(target: Target, today: dt.date) -> str:
    """Which of the target's models take prompt/completion data today, in words, with the way out when none does."""
    phrase = target.current_for(DataFormat.COMPLETION, today)
    if target.current_models(DataFormat.COMPLETION, today):
        return phrase
    return f"{phrase}: prep convert --to chat makes chat data of it"


def pair_of(example: Example) -> Pair | None:
    """The prompt/completion pair of an example whose record is exactly that, both strings; else None."""
    r = example.record
    if r is None or example.problems or set(r) != {"prompt", "completion"}:
        return None
    if not isinstance(r["prompt"], str) or not isinstance(r["completion"], str):
        return None
    return Pair(r["prompt"], r["completion"])


@dataclass
class Pairs:
    """The prompt/completion pairs of a source as its examples go by (an ``after`` of `scan_examples`)."""

    examples: list[Example] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    def __call__(self, example: Example, ok: bool = True) -> None:
        pair = pair_of(example)
        if pair is not None:
            self.examples.append(Example(example.line, None, example.origin))
            self.pairs.append(pair)

    def extend(self, examples: Iterable[Example]) -> Pairs:
        for example in examples:
            self(example)
        return self


def finding_issues(findings: list[Finding], examples: list[Example], skip: tuple[str, ...]) -> Iterator[Extra]:
    """Each finding as an issue on each row it names, or once about the whole file."""
    for f in findings:
        if f.code in skip:
            continue
        pointer = f"/{f.field}" if f.field else ""
        if f.rows:
            for i in f.rows:
                yield examples[i].line, RowProblem(f.code, pointer, f.message), examples[i].origin
        elif examples:
            yield None, RowProblem(f.code, pointer, f.message), examples[0].origin


def add_legacy_issues(group: ScanGroup, pairs: Pairs, today: dt.date) -> None:
    """Add the recommendations to each scan that checks the source as prompt/completion data (per target: the
    classification advice names that target's models)."""
    for scan in group.scans:
        if scan.plan.ctx is None or scan.plan.ctx.format is not DataFormat.COMPLETION or not pairs.pairs:
            continue
        findings = recommend(pairs.pairs, completion_models(scan.plan.target, today))
        for line, problem, origin in finding_issues(findings, pairs.examples, skip=CHECKED_ANYWAY):
            scan.add(problem.code, line, problem.pointer, problem.message, origin)
