"""The Markdown report: a summary to read in a pull request or a GitHub job summary.

Verdicts per target, a table of issue codes with their first places, the first
problems and one row per file with its estimate. What comes from data or file
names is escaped: it is shown as text, never read as Markdown or HTML.
"""

from __future__ import annotations

import re
from typing import TextIO

from ..issues import Issue, Severity
from .codes import CodeCount, code_counts
from .escape import visible
from .prices import price_words
from .report import FileReport, Report

__all__ = ["FIRST_PROBLEMS", "markdown_text", "place_of", "report_markdown"]

#: Issues listed under "First problems" when --max-issues does not say.
FIRST_PROBLEMS = 20

# What starts Markdown or HTML inside a line (emphasis, code, links, tables, tags, entities, math, strike-through)
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$#!])")
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def markdown_text(text: str) -> str:
    """``text`` on one line, every character that Markdown or HTML would read backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", visible(_BREAKS.sub(" ", text)))  # controls, ANSI, surrogates: escapes


def place_of(issue: Issue) -> str:
    """Where in its line an issue is: "sheet S, column C, /pointer" (each part only when known)."""
    parts = [f"sheet {issue.sheet}" if issue.sheet is not None else ""]
    parts += [f"column {issue.column}" if issue.column is not None else "", issue.pointer]
    return ", ".join(p for p in parts if p)


def _where(issue: Issue) -> str:
    line = f":{issue.line}" if issue.line is not None else ""
    return markdown_text(f"{issue.path or ''}{line}")


def report_markdown(report: Report, stream: TextIO, *, max_issues: int | None = None) -> None:
    """The whole Markdown report into ``stream``."""
    stream.write("\n".join(markdown_sections(report, max_issues=max_issues)))


def markdown_sections(report: Report, *, max_issues: int | None = None) -> list[str]:
    """The report's sections, each ending with a newline."""
    sections = [_headline(report), _verdicts(report), _codes(code_counts(report))]
    sections += [_problems(report, FIRST_PROBLEMS if max_issues is None else max_issues), _files(report)]
    return [s for s in sections if s]


def _headline(report: Report) -> str:
    errors, warnings = report.count(Severity.ERROR), report.count(Severity.WARNING)
    verdict = "passed" if report.ok else "FAILED"
    examples = sum(f.examples for f in report.files)
    notes = "".join(f"\n> {markdown_text(v.notice)}\n" for v in report.verdicts if v.notice)
    return (
        f"## prep check: {verdict}\n\n{len(report.files):,} file(s), {examples:,} example(s): "
        f"{errors:,} error(s), {warnings:,} warning(s).\n{notes}"
    )


def _verdicts(report: Report) -> str:
    if not report.verdicts:
        return ""
    rows = ["| target | verdict | errors | warnings | first reasons |", "| --- | --- | ---: | ---: | --- |"]
    for v in report.verdicts:
        reasons = ", ".join(f"{code} ×{n:,}" for code, n in v.reasons()[:4]) or "-"
        verdict = "passes" if v.ok else "**fails**"
        rows.append(f"| {markdown_text(v.title)} | {verdict} | {v.errors:,} | {v.warnings:,} | {reasons} |")
    return "### Verdicts\n\n" + "\n".join(rows) + "\n"


def _codes(rows: list[CodeCount]) -> str:
    if not rows:
        return ""
    table = ["| code | severity | count | files | meaning | first |", "| --- | --- | ---: | ---: | --- | --- |"]
    for r in rows:
        first = ", ".join(_where(i) for i in r.first) or "-"
        table.append(
            f"| {r.code} | {r.severity.value} | {r.count:,} | {r.files:,} | {markdown_text(r.summary)} | {first} |"
        )
    return "### Issues by code\n\n" + "\n".join(table) + "\n"


def _problems(report: Report, limit: int) -> str:
    issues = [i for f in report.files for i in f.issues]
    if not issues or limit == 0:
        return ""
    lines, every = [], len(report.verdicts)
    for issue in issues[:limit]:
        place = f" ({markdown_text(place_of(issue))})" if place_of(issue) else ""
        some = 0 < len(issue.targets) < every  # several targets checked, and not all of them have it
        tags = f" \\[{markdown_text(', '.join(issue.targets))}\\]" if some else ""
        lines.append(f"- {_where(issue)}: **{issue.code}** {markdown_text(issue.message)}{place}{tags}")
    total = sum(sum(f.severities.values()) for f in report.files)
    if total > len(lines):
        lines.append(f"- … and {total - len(lines):,} more (the text report lists every one)")
    return "### First problems\n\n" + "\n".join(lines) + "\n"


def _files(report: Report) -> str:
    table = [
        "| file | format | examples | errors | warnings | tokens | trained tokens (estimate) | price |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    table += [_file_row(f) for f in report.files]
    return "### Files\n\n" + "\n".join(table) + "\n"


def _file_row(f: FileReport) -> str:
    fmt = f.format.value if f.format else ("not checked" if not f.checked else "-")
    s = f.stats_summary()
    tokens = f"{s['tokens']['total']:,}" if s else "-"
    estimate = f"{s['estimate']['trained_tokens']:,} ({s['estimate']['epochs']} epochs)" if s else "-"
    price = markdown_text(price_words(s["estimate"])) if s else "-"
    counts = f"{f.examples:,} | {f.errors:,} | {f.warnings:,}"
    return f"| {markdown_text(f.path)} | {fmt} | {counts} | {tokens} | {estimate} | {price} |"
