"""The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched).

Its numbers come from the JSON report (`Report.to_dict`), each in an element whose
``data-key`` is its path in that report (``summary.errors``, ``files.0.stats.tokens.mean``),
so the page and the JSON can be compared; its histograms come from the exact
histograms of each file (`.charts`), with the limit of every target drawn.
Everything from data or file names goes through `html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Any, TextIO

from .._version import version
from ..issues import Issue
from .charts import histogram_svg
from .codes import CodeCount, code_counts
from .html_parts import STYLE, cell, figure_rows, issue_sections, place_of, where
from .prices import price_words
from .report import FileReport, Report

__all__ = ["report_html"]

#: Issues listed per code in the first-places column of the codes table.
FIRST = 3
#: What the page shows in places of its own; any other figure of a file or its statistics (what newer
#: reports add) is listed in a table under them.
FILE_SHOWN = frozenset({"path", "format", "method", "examples", "ok", "errors", "warnings", "issues", "stats"})
STATS_SHOWN = frozenset(
    {"model", "encoding", "token_limit", "default_limit", "tokens", "assistant_tokens", "messages", "estimate"}
)


def report_html(report: Report, stream: TextIO, *, max_issues: int | None = None) -> None:
    """The whole page into ``stream``; ``max_issues`` caps the full list of issues (the counts stay exact)."""
    data = report.to_dict(max_issues=max_issues)
    shown = report.shown(max_issues)
    anchors = {id(issue): f"i{n}" for n, issue in enumerate(i for issues in shown for i in issues)}
    body = [
        _header(data),
        _verdicts(report, data),
        _codes(code_counts(report, first=FIRST), data, anchors),
        *(_file(report, i, f, data["files"][i], anchors) for i, f in enumerate(report.files)),
        issue_sections(report, shown, anchors),
    ]
    title = f"prep check: {'passed' if data['ok'] else 'FAILED'}"
    stream.write(
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
        f"<body>{''.join(body)}<footer>prep {escape(version())}</footer></body></html>\n"
    )


def _header(data: dict[str, Any]) -> str:
    s = data["summary"]
    state = '<span class="pass">passed</span>' if data["ok"] else '<span class="fail">FAILED</span>'
    counts = " · ".join(
        f"{cell(s[k], f'summary.{k}', tag='span')} {label}"
        for k, label in (
            ("files", "file(s)"),
            ("examples", "example(s)"),
            ("errors", "error(s)"),
            ("warnings", "warning(s)"),
        )
    )
    tokens = "" if data["tokens_checked"] else '<p class="note">Token limits were not checked.</p>'
    return f'<header id="summary"><h1>prep check: {state}</h1><p>{counts}</p>{tokens}</header>'


def _verdicts(report: Report, data: dict[str, Any]) -> str:
    if not data["targets"]:
        return ""
    rows = []
    for i, (target, v) in enumerate(zip(report.verdicts, data["targets"], strict=True)):
        reasons = target.reasons()[:4]
        why = ", ".join(f'<a href="#code-{escape(c)}">{escape(c)}</a> ×{n:,}' for c, n in reasons) or "-"
        verdict = '<span class="pass">passes</span>' if v["ok"] else '<span class="fail">fails</span>'
        notice = f'<div class="note">{escape(v["notice"])}</div>' if v["notice"] else ""
        rows.append(
            f"<tr><td><b>{escape(v['name'])}</b> {escape(v['title'])}{notice}</td><td>{escape(v['status'])}</td>"
            f"<td>{verdict}</td>{cell(v['errors'], f'targets.{i}.errors')}"
            f"{cell(v['warnings'], f'targets.{i}.warnings')}<td>{why}</td></tr>"
        )
    head = "<tr><th>target</th><th>status</th><th>verdict</th><th>errors</th><th>warnings</th><th>reasons</th></tr>"
    return f'<section id="verdicts"><h2>Verdict per target</h2><table>{head}{"".join(rows)}</table></section>'


def _codes(rows: list[CodeCount], data: dict[str, Any], anchors: dict[int, str]) -> str:
    if not rows:
        return '<section id="codes"><h2>Issues by code</h2><p>No issues.</p></section>'
    out = []
    for i, (row, entry) in enumerate(zip(rows, data["codes"], strict=True)):
        first = ", ".join(_link(issue, anchors) for issue in row.first) or "-"
        out.append(
            f'<tr><td><a href="#code-{escape(row.code)}">{escape(row.code)}</a></td>'
            f'<td class="sev-{row.severity.value}">{row.severity.value}</td>'
            f"{cell(entry['count'], f'codes.{i}.count')}{cell(entry['files'], f'codes.{i}.files')}"
            f"<td>{escape(row.summary)}</td><td>{first}</td></tr>"
        )
    head = "<tr><th>code</th><th>severity</th><th>count</th><th>files</th><th>meaning</th><th>first</th></tr>"
    return f'<section id="codes"><h2>Issues by code</h2><table>{head}{"".join(out)}</table></section>'


def _link(issue: Issue, anchors: dict[int, str]) -> str:
    text = escape(where(issue))
    anchor = anchors.get(id(issue))
    return f'<a href="#{anchor}">{text}</a>' if anchor else text


def _file(report: Report, i: int, f: FileReport, d: dict[str, Any], anchors: dict[int, str]) -> str:
    key = f"files.{i}"
    state = '<span class="pass">ok</span>' if d["ok"] else '<span class="fail">errors</span>'
    facts = (
        f"{escape(d['format'] or ('not checked' if not f.checked else 'unknown format'))} · "
        f"{cell(d['examples'], f'{key}.examples', tag='span')} example(s) · "
        f"{cell(d['errors'], f'{key}.errors', tag='span')} error(s) · "
        f"{cell(d['warnings'], f'{key}.warnings', tag='span')} warning(s)"
    )
    parts = [f'<section class="file" id="file-{i}"><h2>{escape(f.path)} {state}</h2><p>{facts}</p>']
    if d["stats"] is not None and f.stats is not None:
        parts += [_charts(report, f), _stats(d["stats"], key), _estimate(d["stats"], key)]
    parts += [figure_rows(d, key, FILE_SHOWN), _highlights(f, anchors)]
    return "".join(parts) + "</section>"


def _charts(report: Report, f: FileReport) -> str:
    assert f.stats is not None
    limits = _limits(report, f)
    total = histogram_svg(f.stats.tokens.hist, limits, title="Tokens per example")
    trained = histogram_svg(f.stats.assistant_tokens.hist, limits, title="Trained tokens per example")
    return f'<div class="charts">{total}{trained}</div>'


def _limits(report: Report, f: FileReport) -> list[tuple[str, int]]:
    """Each target's token limit for this file (one line per distinct limit, its targets named)."""
    by_limit: dict[int, list[str]] = {}
    for v in report.verdicts:
        mine = next((x for x in v.files if x.path == f.path and x.role == f.role), None)
        if mine is not None and mine.budget is not None:
            by_limit.setdefault(mine.budget.token_limit, []).append(v.name)
    if not by_limit and f.budget is not None:
        by_limit[f.budget.token_limit] = ["limit"]
    return [(", ".join(names), limit) for limit, names in sorted(by_limit.items())]


def _stats(s: dict[str, Any], key: str) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("", "min", "max", "mean", "median", "p10", "p90", "total"))
    rows = [
        f"<tr><th>{label}</th>"
        + "".join(
            cell(s[name][k], f"{key}.stats.{name}.{k}") for k in ("min", "max", "mean", "median", "p10", "p90", "total")
        )
        + "</tr>"
        for label, name in (("tokens", "tokens"), ("trained tokens", "assistant_tokens"), ("messages", "messages"))
        if s[name]["min"] is not None
    ]
    who = f"{escape(s['model'] or 'no --model: the smallest limit of the current models')}, {escape(s['encoding'])}"
    more = figure_rows(s, f"{key}.stats", STATS_SHOWN)
    return (
        f'<table class="stats"><caption>{who}, limit {cell(s["token_limit"], f"{key}.stats.token_limit", tag="span")}'
        f" tokens</caption>{head}{''.join(rows)}</table>{more}"
    )


def _estimate(s: dict[str, Any], key: str) -> str:
    e, k = s["estimate"], f"{key}.stats.estimate"
    return (
        f'<p class="estimate"><b>Estimate:</b> {cell(e["epochs"], f"{k}.epochs", tag="span")} epoch(s) × '
        f"{cell(e['billed_tokens'], f'{k}.billed_tokens', tag='span')} billed tokens = "
        f"{cell(e['trained_tokens'], f'{k}.trained_tokens', tag='span')} trained tokens. "
        f"<b>Price:</b> {escape(price_words(e))}.</p>"
    )


#: What the file's section lists on its own, beside the full list: (codes, heading).
HIGHLIGHTS = ((("P301",), "Examples over the limit"), (("P403",), "Duplicates"), (("P404",), "Leakage"))


def _highlights(f: FileReport, anchors: dict[int, str]) -> str:
    out = []
    for codes, heading in HIGHLIGHTS:
        if codes == ("P404",) and f.role != "valid":  # leakage is looked for in a validation file
            continue
        count = sum(f.codes[c] for c in codes)
        issues = [i for i in f.issues if i.code in codes][:5]
        listed = "".join(f"<li>{_link(i, anchors)}: {escape(i.message)}{place_of(i)}</li>" for i in issues)
        more = f"<li>… {count - len(issues):,} more</li>" if count > len(issues) else ""
        out.append(f"<h3>{heading}: {count:,}</h3>" + (f"<ul>{listed}{more}</ul>" if count else ""))
    return f'<div class="highlights">{"".join(out)}</div>'
