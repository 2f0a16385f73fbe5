"""The recommendations of OpenAI's retired ``prepare_data`` tool, for prompt/completion data.

``openai tools fine_tunes.prepare_data`` (openai-python up to 2.34.0; rulebook
§4) looked at a whole prompt/completion dataset and suggested fixes: a common
separator at the end of prompts, a whitespace at the start of completions, a
common stop sequence at their end, no duplicates, no very long examples, and it
recognised classification data. Here each recommendation is a small pure
function over the whole dataset that returns `Finding`s; a finding may carry a
`Fix`, and `apply_fixes` applies them (``prep convert --apply``), in the tool's
order, to the output only. The thresholds and suggested strings are the tool's.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

__all__ = [
    "RECOMMENDATIONS",
    "Applied",
    "Finding",
    "Fix",
    "Pair",
    "apply_fixes",
    "common_prefix",
    "common_suffix",
    "recommend",
    "recommendations",
    "task_type",
]

#: Separators the tool suggests for the end of prompts, first unused one wins (" ->" only without newlines).
SEPARATORS = (" ->", "\n\n###\n\n", "\n\n===\n\n", "\n\n---\n\n", "\n\n===>\n\n", "\n\n--->\n\n")
SEPARATOR_FALLBACK = "\n\n### =>\n\n"
#: Stop sequences the tool suggests for the end of completions, first unused one wins.
STOPS = ("\n", ".", " END", "***", "+++", "&&&", "$$$", "@@@", "%%%")
STOP_FALLBACK = " [END]"
MAX_CHARS = 10_000  # prompt + completion characters
LONG_XFIX = 10  # a common separator or stop sequence longer than this is "very long"
MAX_PROMPT_PREFIX = 12
MIN_COMPLETION_PREFIX = 5
CLASSIFICATION_THRESHOLD = 3  # fewer distinct completions than examples / 3 is classification

OPEN_ENDED, CLASSIFICATION, CONDITIONAL = "open-ended generation", "classification", "conditional generation"


class Pair(NamedTuple):
    prompt: str
    completion: str


@dataclass(frozen=True)
class Fix:
    """What ``--apply`` does about a finding: drop rows, and/or edit every row."""

    action: str
    drop: frozenset[int] = frozenset()
    edit: Callable[[Pair], Pair] | None = None


@dataclass(frozen=True)
class Finding:
    """A recommendation: about some rows (one issue each) or, when ``rows`` is empty, the whole dataset."""

    code: str
    message: str
    field: str | None = None
    rows: tuple[int, ...] = ()
    fix: Fix | None = None


Recommendation = Callable[[Sequence[Pair], str], Iterator[Finding]]


def show(text: str) -> str:
    """A string as it would be written in JSON, so newlines show as \\n."""
    return json.dumps(text, ensure_ascii=False)


def common_prefix(texts: Sequence[str]) -> str:
    return os.path.commonprefix(list(texts)) if texts else ""  # noqa: RUF071 - character by character is meant


def common_suffix(texts: Sequence[str]) -> str:
    return common_prefix([t[::-1] for t in texts])[::-1]


def task_type(pairs: Sequence[Pair]) -> str:
    """The tool's guess: open-ended generation (no prompts), classification (few distinct completions), or else."""
    if not any(p.prompt for p in pairs):
        return OPEN_ENDED
    if len({p.completion for p in pairs}) < len(pairs) / CLASSIFICATION_THRESHOLD:
        return CLASSIFICATION
    return CONDITIONAL


def _first_unused(options: Sequence[str], texts: Sequence[str], fallback: str) -> str:
    for option in options:
        if option == " ->" and any("\n" in t for t in texts):
            continue
        if not any(option in t for t in texts):
            return option
    return fallback


# -- the recommendations, in the tool's order --------------------------------------------


def duplicates(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    first: dict[Pair, int] = {}
    repeats = [i for i, p in enumerate(pairs) if first.setdefault(p, i) != i]
    if repeats:
        yield Finding(
            "P403",
            "Prompt and completion repeat an earlier row (prepare_data removes duplicates; --apply does too).",
            None,
            tuple(repeats),
            Fix(f"removed {len(repeats)} duplicate row(s)", frozenset(repeats)),
        )


def long_examples(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    if task == OPEN_ENDED:
        return
    long = [i for i, p in enumerate(pairs) if len(p.prompt) + len(p.completion) > MAX_CHARS]
    for i in long:
        n = len(pairs[i].prompt) + len(pairs[i].completion)
        yield Finding(
            "P350",
            f"Prompt and completion hold {n:,} characters, over the {MAX_CHARS:,} prepare_data "
            "accepts; legacy models train on at most 2,048 tokens per example (--apply removes it).",
            "completion",
            (i,),
            Fix(f"removed {len(long)} row(s) over {MAX_CHARS:,} characters", frozenset(long)),
        )


def uppercase(name: str) -> Recommendation:
    def check(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
        texts = [getattr(p, name) for p in pairs]
        upper = sum(1 for t in texts for c in t if c.isalpha() and c.isupper())
        lower = sum(1 for t in texts for c in t if c.isalpha() and c.islower())
        if upper * 2 > lower:
            yield Finding(
                "P458",
                f"More than a third of the letters in the {name}s are uppercase; mixed-case text "
                f"like normal language trains better (--apply lowercases the {name}s).",
                name,
                fix=Fix(f"lowercased every {name}", edit=lambda p: p._replace(**{name: getattr(p, name).lower()})),
            )

    check.__name__ = f"uppercase_{name}s"
    return check


def prompt_separator(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    if task == OPEN_ENDED:
        return
    prompts = [p.prompt for p in pairs]
    suffix = common_suffix(prompts)
    if len(pairs) > 1 and all(p == suffix for p in prompts):
        yield Finding(
            "P455",
            f"All prompts are identical ({show(suffix)}); make them differ, or leave them empty "
            "for open-ended generation.",
            "prompt",
        )
        return
    suggested = _first_unused(SEPARATORS, prompts, SEPARATOR_FALLBACK)
    if not suffix:
        yield Finding(
            "P450",
            "Prompts do not end with a common separator, so the model cannot tell where the "
            f"completion starts; end every prompt with one, such as {show(suggested)} "
            "(--apply adds it).",
            "prompt",
            fix=Fix(
                f"added the separator {show(suggested)} to every prompt",
                edit=lambda p: p._replace(prompt=p.prompt + suggested),
            ),
        )
        return
    yield from _xfix_advice("P451", "prompts", "separator", suffix, prompts, suggested)


def _xfix_advice(
    code: str, texts_name: str, what: str, suffix: str, texts: Sequence[str], suggested: str
) -> Iterator[Finding]:
    column = texts_name[:-1]
    if len(suffix) > LONG_XFIX:
        yield Finding(
            code,
            f"All {texts_name} end with the {what} {show(suffix)}, which is very long; a shorter one "
            f"such as {show(suggested)} works as well.",
            column,
        )
    if any(suffix in t[: -len(suffix)] for t in texts):
        yield Finding(
            code,
            f"All {texts_name} end with the {what} {show(suffix)}, but some also hold it elsewhere; "
            f"use a {what} that appears only at the end.",
            column,
        )


def prompt_prefix(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    prompts = [p.prompt for p in pairs]
    prefix = common_prefix(prompts)
    if len(prefix) <= MAX_PROMPT_PREFIX or all(p == prefix for p in prompts):
        return
    yield Finding(
        "P456",
        f"All prompts start with {show(prefix)}; fine-tuning does not need the task instruction "
        "or a few-shot example in every prompt, only the input (--apply removes the prefix).",
        "prompt",
        fix=Fix(
            f"removed the prefix {show(prefix)} from every prompt",
            edit=lambda p: p._replace(prompt=p.prompt[len(prefix) :]),
        ),
    )


def completion_prefix(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    completions = [p.completion for p in pairs]
    prefix = common_prefix(completions)
    if len(prefix) < MIN_COMPLETION_PREFIX or all(c == prefix for c in completions):
        return
    keep = " " if prefix.startswith(" ") else ""
    yield Finding(
        "P457",
        f"All completions start with {show(prefix)}; put only the output in the completion "
        "(--apply removes the prefix" + (", keeping the leading space)." if keep else ")."),
        "completion",
        fix=Fix(
            f"removed the prefix {show(prefix)} from every completion",
            edit=lambda p: p._replace(completion=keep + p.completion[len(prefix) :]),
        ),
    )


def stop_sequence(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    if task in (OPEN_ENDED, CLASSIFICATION):
        return
    completions = [p.completion for p in pairs]
    suffix = common_suffix(completions)
    if len(pairs) > 1 and all(c == suffix for c in completions):
        yield Finding(
            "P455",
            f"All completions are identical ({show(suffix)}); the model would only learn to repeat it.",
            "completion",
        )
        return
    suggested = _first_unused(STOPS, completions, STOP_FALLBACK)
    if not suffix:
        yield Finding(
            "P453",
            "Completions do not end with a common stop sequence, so the model cannot tell where "
            f"to stop; end every completion with one, such as {show(suggested)}, and pass it as "
            "stop= when sampling (--apply adds it).",
            "completion",
            fix=Fix(
                f"added the stop sequence {show(suggested)} to every completion",
                edit=lambda p: p._replace(completion=p.completion + suggested),
            ),
        )
        return
    yield from _xfix_advice("P454", "completions", "stop sequence", suffix, completions, suggested)


def leading_space(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
    missing = sum(1 for p in pairs if not p.completion.startswith(" "))
    if pairs and missing:
        yield Finding(
            "P452",
            f"{missing} of {len(pairs)} completions do not start with a whitespace; with the "
            "legacy tokenizer, completions work better starting with one (--apply adds it).",
            "completion",
            fix=Fix(
                f"added a space at the start of {missing} completion(s)",
                edit=lambda p: p if p.completion.startswith(" ") else p._replace(completion=" " + p.completion),
            ),
        )


def classification(models: str) -> Recommendation:
    """Classification data; ``models`` says which models take such data today (the tool named ada and babbage,
    long shut down: the advice comes from the target's dates, `Target.current_for`)."""

    def check(pairs: Sequence[Pair], task: str) -> Iterator[Finding]:
        if task != CLASSIFICATION:
            return
        counts = Counter(p.completion for p in pairs)
        top = counts.most_common(1)[0][0]
        where = f"; {models}" if models else ""
        yield Finding(
            "P459",
            f"Completions take only {len(counts)} distinct values over {len(pairs)} examples, so this "
            "looks like classification: keep a validation set to measure accuracy and make each class one "
            f"short completion (most frequent class: {show(top)}){where}.",
            "completion",
        )

    return check


def recommendations(models: str = "") -> tuple[Recommendation, ...]:
    """The recommendations in the tool's order (after empty completions, which are removed first)."""
    return (classification(models), *RECOMMENDATIONS)


#: The recommendations that need nothing beyond the data, in the tool's order.
RECOMMENDATIONS: tuple[Recommendation, ...] = (
    duplicates,
    long_examples,
    uppercase("prompt"),
    uppercase("completion"),
    prompt_separator,
    prompt_prefix,
    completion_prefix,
    stop_sequence,
    leading_space,
)


def recommend(pairs: Sequence[Pair], models: str = "") -> list[Finding]:
    """Every recommendation for a dataset, in the tool's order; rows are indices into ``pairs``.

    ``models`` is the target's word on which models take prompt/completion data today."""
    empty = [i for i, p in enumerate(pairs) if not p.completion.strip()]
    findings = []
    if empty:
        findings.append(
            Finding(
                "P206",
                "completion is empty (prepare_data removes such rows; --apply does too).",
                "completion",
                tuple(empty),
                Fix(f"removed {len(empty)} row(s) with an empty completion", frozenset(empty)),
            )
        )
    dropped = set(empty)
    kept = [i for i in range(len(pairs)) if i not in dropped]
    rest = [pairs[i] for i in kept]
    task = task_type(rest)
    for rec in recommendations(models):
        findings.extend(_renumber(f, kept) for f in rec(rest, task))
    return findings


def _renumber(finding: Finding, index: list[int]) -> Finding:
    if not finding.rows and (finding.fix is None or not finding.fix.drop):
        return finding
    fix = finding.fix
    if fix is not None and fix.drop:
        fix = replace(fix, drop=frozenset(index[i] for i in fix.drop))
    return replace(finding, rows=tuple(index[i] for i in finding.rows), fix=fix)


@dataclass
class Applied:
    """The outcome of `apply_fixes`: the rows kept (original indices) with their new pairs, and each fix applied."""

    rows: list[tuple[int, Pair]] = field(default_factory=list)
    fixes: list[tuple[Finding, Fix]] = field(default_factory=list)


def apply_fixes(pairs: Sequence[Pair], findings: Sequence[Finding]) -> Applied:
    """Apply every fix: drop the rows first, then edit each kept row in the findings' order."""
    fixes: dict[str, tuple[Finding, Fix]] = {}
    for f in findings:
        if f.fix is not None:
            fixes.setdefault(f.fix.action, (f, f.fix))
    drop = frozenset().union(*(fix.drop for _, fix in fixes.values()))
    edits = [fix.edit for _, fix in fixes.values() if fix.edit is not None]
    out = Applied(fixes=list(fixes.values()))
    for i, pair in enumerate(pairs):
        if i in drop:
            continue
        for edit in edits:
            pair = edit(pair)
        out.rows.append((i, pair))
    return out
