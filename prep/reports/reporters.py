"""Reporters turn a `Report` into text; they never check or decide anything.

Every reporter is a function ``(report, stream, *, max_issues=None) -> None``
registered in `REPORTERS`, whose keys are the ``--format`` choices. What comes
from data or file names is escaped (`.escape`): one issue is one line, and no
line is a forged issue, a GitHub workflow command or a terminal escape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any, TextIO

import orjson

from ..issues import Issue, Severity
from ..targets.budget import Budget
from ..targets.profile import DataFormat
from .codes import code_counts
from .escape import json_safe, visible
from .html import report_html
from .markdown import report_markdown
from .prices import price_words
from .report import FileReport, Report
from .sarif import sarif_log

__all__ = [
    "REPORTERS",
    "Reporter",
    "format_annotation",
    "format_issue",
    "issue_dict",
    "report_dict",
    "report_statistics",
    "statistics_table",
]

Reporter = Callable[..., None]


def issue_dict(issue: Issue) -> dict[str, Any]:
    """The issue as the JSON report holds it (`prep.Issue.to_dict`)."""
    return issue.to_dict()


def report_dict(report: Report, *, max_issues: int | None = None) -> dict[str, Any]:
    """The JSON report (described by ``schemas/report.schema.json``): `prep.Report.to_dict`."""
    return report.to_dict(max_issues=max_issues)


def report_json(report: Report, stream: TextIO, *, max_issues: int | None = None) -> None:
    stream.write(report.to_json(max_issues=max_issues) + "\n")


#: ANSI styles of the text report on a colour terminal: each severity's code, and the last line.
STYLES = {Severity.ERROR: "1;31", Severity.WARNING: "33", Severity.INFO: "36", "where": "1", "ok": "1;32"}


def paint(text: str, style: str, color: bool) -> str:
    """``text`` in an ANSI ``style`` when ``color``, else as it is."""
    return f"\x1b[{style}m{text}\x1b[0m" if color else text


def format_issue(issue: Issue, *, color: bool = False) -> str:
    """``path:line: CODE message (place)``; with ``color``, the code in its severity's colour (data escaped)."""
    where = visible(issue.path or "")
    if issue.line is not None:
        where += f":{issue.line}"
    code = paint(issue.code, STYLES[issue.severity], color)
    return f"{paint(where + ':', STYLES['where'], color)} {code} {visible(issue.message)}{_place(issue)}"


def _place(issue: Issue) -> str:
    """`` (index I, sheet S, column C, /pointer)``, or "" when the issue has no place inside its line."""
    place = visible(issue.pointer)
    if issue.column is not None:
        place = f"column {visible(issue.column)}" + (f", {place}" if place else "")
    if issue.sheet is not None:
        place = f"sheet {visible(issue.sheet)}" + (f", {place}" if place else "")
    if issue.index is not None:
        place = f"index {issue.index!r}" + (f", {place}" if place else "")
    return f" ({place})" if place else ""


def _tagged(report: Report, fmt: Callable[[Issue], str]) -> Callable[[Issue], str]:
    """``fmt`` followed by the targets an issue applies to, when several were checked and not all of them."""
    every = len(report.verdicts)
    if every < 2:
        return fmt
    return lambda issue: fmt(issue) + (f" [{', '.join(issue.targets)}]" if 0 < len(issue.targets) < every else "")


def _issue_lines(report: Report, max_issues: int | None, fmt: Callable[[Issue], str]) -> Iterator[str]:
    """Each shown issue as ``fmt`` formats it, and after each file how many were not shown."""
    for f, issues in zip(report.files, report.shown(max_issues), strict=True):
        for issue in issues:
            yield fmt(issue) + "\n"
        hidden = sum(f.severities.values()) - len(issues)
        if hidden:
            yield f"{_path(f.path)}: … {hidden:,} more issue(s) not shown\n"


def report_text(report: Report, stream: TextIO, *, max_issues: int | None = None, color: bool = False) -> None:
    """One line per issue, then each file's summary and statistics; ``color`` paints severities (ANSI)."""
    fmt = _tagged(report, lambda issue: format_issue(issue, color=color))
    stream.write("".join(_issue_lines(report, max_issues, fmt)))
    _text_summary(report, stream, color=color)


def report_statistics(report: Report, stream: TextIO, *, max_issues: int | None = None, color: bool = False) -> None:
    """``--statistics``: a count per issue code instead of each issue, then the summary as in text."""
    stream.write(statistics_table(report, color=color))
    _text_summary(report, stream, color=color)


def statistics_table(report: Report, *, color: bool = False) -> str:
    """Count, code, severity and meaning of every code found, errors first, then the most frequent."""
    rows = code_counts(report)
    if not rows:
        return ""
    width = max(len("count"), *(len(f"{r.count:,}") for r in rows))
    lines = [f"{'count':>{width}}  code  severity  meaning"]
    lines += [
        f"{r.count:>{width},}  {paint(r.code, STYLES[r.severity], color)}  {r.severity.value:8}  {r.summary}"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def _text_summary(report: Report, stream: TextIO, *, color: bool = False) -> None:
    """Each file's summary and statistics, the verdicts, the notes and the last line."""
    w = stream.write
    for f in report.files:
        w(_file_summary(f))
        if f.stats is not None and f.budget is not None:
            w(_stats_table(f))
    if not report.tokens_checked and not report.tokenizer_error:
        w("Token limits were not checked (--no-tokens).\n")
    if len(report.verdicts) > 1:
        w(verdict_table(report))
    for v in report.verdicts:
        if v.notice:
            w(f"note: {v.notice}\n")
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    verdict = paint("ok", STYLES["ok"], color) if report.ok else paint("FAILED", STYLES[Severity.ERROR], color)
    w(f"{verdict}: {len(report.files)} file(s), {errors:,} error(s), {warnings:,} warning(s)\n")


def _path(path: str) -> str:
    """A file name for the start of a line: escaped, and never starting with "::" (a GitHub command)."""
    shown = visible(path)
    return f"./{shown}" if shown.startswith(":") else shown


def verdict_table(report: Report) -> str:
    """Target × verdict × errors × warnings × the first reasons (the most frequent codes, errors first)."""
    width = max(len("target"), *(len(v.name) for v in report.verdicts))
    lines = [f"{'target':{width}}  verdict  {'errors':>7}  {'warnings':>8}  first reasons"]
    for v in report.verdicts:
        shown = ", ".join(f"{code} ×{n:,}" for code, n in v.reasons()[:4]) or "-"
        verdict = "passes" if v.ok else "fails"
        lines.append(f"{v.name:{width}}  {verdict:7}  {v.errors:>7,}  {v.warnings:>8,}  {shown}")
    return "\n".join(lines) + "\n"


def _file_summary(f: FileReport) -> str:
    state = "ok" if f.ok else f"{f.errors:,} error(s)"
    if not f.checked:
        return f"{_path(f.path)}: not checked, {state}\n"
    fmt = f.format.value if f.format else "unknown format"
    return f"{_path(f.path)}: {fmt}, {f.examples:,} example(s), {state}, {f.warnings:,} warning(s)\n"


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


_WIDTHS = (9, 10, 11, 10, 10, 10, 13)


def _stats_table(f: FileReport) -> str:
    s = f.stats_summary()
    assert s is not None
    header = ("min", "max", "mean", "median", "p10", "p90", "total")
    lines = [f"  {'':18}" + "".join(f"{h:>{w}}" for h, w in zip(header, _WIDTHS, strict=True))]
    for label, key in (("tokens", "tokens"), ("assistant tokens", "assistant_tokens"), ("messages", "messages")):
        d = s[key]
        if d["min"] is None:
            continue
        cells = [_num(d[k]) for k in ("min", "max", "mean", "median", "p10", "p90", "total")]
        lines.append(f"  {label:18}" + "".join(f"{c:>{w}}" for c, w in zip(cells, _WIDTHS, strict=True)))
    budget = f.budget
    assert budget is not None
    e = s["estimate"]
    lines.append(f"  {budget_line(budget, f.format, exact=s['exact'])}")
    if budget.estimate:
        lines.append(f"  an estimate: {budget.estimate}")
    if s["truncation"] is not None:
        lines.append(_truncation_line(s["truncation"], budget.token_limit))
    lines.append(
        f"  over the limit: {s['over_limit']:,} · without system: {s['without_system']:,} · "
        f"without user: {s['without_user']:,}"
    )
    lines.append(
        f"  estimate: {e['epochs']} epoch(s) × {e['billed_tokens']:,} billed tokens = "
        f"{e['trained_tokens']:,} trained tokens"
    )
    lines.append(f"  price: {price_words(e)}")
    return "\n".join(lines) + "\n"


def budget_line(budget: Budget, fmt: DataFormat | None, *, exact: bool | None = None) -> str:
    """What was counted with which tokenizer, against which limit, and for which models that limit is safe
    (``exact``: whether the counts were exact, when the statistics know better than the budget)."""
    counted = f"{'counted' if (budget.exact if exact is None else exact) else 'estimated'} with {budget.counted_with}"
    if not budget.is_default:
        if budget.trainer_limit:
            return f"{budget.model or 'custom'}: {counted}, {budget.token_limit:,}-token --max-seq-length"
        if budget.limit_set:
            return f"{budget.model or 'no --model'}: {counted} against {budget.limit_phrase()}"
        return f"{budget.model}: {counted}, {budget.token_limit:,}-token limit"
    head = f"no --model: {counted} against {budget.token_limit:,} tokens"
    if budget.covers:
        n, others = len(budget.covers), len(budget.others)
        more = f"; {others} more count{'s' if others == 1 else ''} with another tokenizer" if others else ""
        models = f"model{'s' if n > 1 else ''} that take{'s' if n == 1 else ''}"
        return f"{head}, safe for the {n} current {budget.provider} {models} {fmt} data{more}"
    if budget.former:
        return f"{head}, the limit of {', '.join(budget.former)} (no current {budget.provider} model takes {fmt} data)"
    if fmt is None:
        return f"{head}, the profile's default (the data's format was not recognised)"
    return f"{head}, the profile's default (no {budget.provider} model takes {fmt} data)"


def _truncation_line(t: dict[str, Any], limit: int) -> str:
    """What the limit cuts: examples losing trained tokens, examples keeping none, the share of trained tokens lost."""
    lost = f"{t['trained_tokens_lost']:,} of {t['trained_tokens']:,} trained tokens ({t['trained_share_lost']:.1%})"
    line = (
        f"  cut at {limit:,} tokens: {t['examples_losing_trained']:,} example(s) lose trained tokens, "
        f"{t['examples_losing_all']:,} keep none; {lost} lost"
    )
    if t["examples_estimated"]:
        line += f" · {t['examples_estimated']:,} example(s) estimated"
    return line


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_ANNOTATION_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_annotation(issue: Issue) -> str:
    """A GitHub Actions workflow command: ``::error file=F,line=N,title=prep P201::P201 message``."""
    props = []
    if issue.path:
        props.append(f"file={_escape_property(visible(issue.path))}")
    if issue.line is not None:
        props.append(f"line={issue.line}")
    props.append(f"title={_escape_property('prep ' + issue.code)}")
    message = _escape_data(f"{issue.code} {visible(issue.message, lines=False)}{_place(issue)}")
    return f"::{_ANNOTATION_LEVELS[issue.severity]} {','.join(props)}::{message}"


#: Annotations of each level GitHub shows for one step; the rest are listed as plain lines of the log.
ANNOTATIONS_PER_LEVEL = 10


def report_github(report: Report, stream: TextIO, *, max_issues: int | None = None) -> None:
    """Workflow annotations, at most `ANNOTATIONS_PER_LEVEL` errors, warnings and notices (GitHub shows no
    more for one step): the other issues are plain lines of the log, and a closing notice says how many."""
    w = stream.write
    left = dict.fromkeys(Severity, ANNOTATIONS_PER_LEVEL)
    left[Severity.INFO] -= 1  # room for the closing notice
    plain: Counter[Severity] = Counter()

    def annotate(issue: Issue) -> str:
        if left[issue.severity] > 0:
            left[issue.severity] -= 1
            return format_annotation(issue)
        plain[issue.severity] += 1
        return format_issue(issue)

    w("".join(_issue_lines(report, max_issues, _tagged(report, annotate))))
    if plain:
        w(_left_out_notice(plain))
    for f in report.files:
        w(_file_summary(f))
    if len(report.verdicts) > 1:
        w(verdict_table(report))
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    verdict = "ok" if report.ok else "FAILED"
    w(f"{verdict}: {len(report.files)} file(s), {errors:,} error(s), {warnings:,} warning(s)\n")


def _left_out_notice(plain: Counter[Severity]) -> str:
    counts = ", ".join(f"{plain[s]:,} {s.value}(s)" for s in Severity if plain[s])
    return (
        f"::notice title=prep::{counts} not annotated: GitHub shows {ANNOTATIONS_PER_LEVEL} annotations of each "
        "level per step; this log lists every issue.\n"
    )


def report_sarif(report: Report, stream: TextIO, *, max_issues: int | None = None) -> None:
    """A SARIF 2.1.0 log (for GitHub code scanning and other SARIF viewers)."""
    from .._version import version

    log = json_safe(sarif_log(chain.from_iterable(report.shown(max_issues)), version=version()))
    stream.write(orjson.dumps(log, option=orjson.OPT_INDENT_2).decode())
    stream.write("\n")


REPORTERS: dict[str, Reporter] = {
    "text": report_text,
    "json": report_json,
    "github": report_github,
    "sarif": report_sarif,
    "markdown": report_markdown,
    "html": report_html,
}
