"""Pieces of the HTML report (`.html`): its style, a number cell, an issue's place, the full list of issues,
and the figures of a file's statistics that the page has no section of its own for."""

from __future__ import annotations

from html import escape
from typing import Any

from ..issues import Issue
from .codes import code_counts
from .report import Report

__all__ = ["STYLE", "cell", "figure_rows", "issue_sections", "place_of", "where"]

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:1180px;margin:0 auto;
padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;
padding-bottom:4px;overflow-wrap:anywhere}h3{font-size:15px;margin:14px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{padding:3px 10px;border-bottom:1px solid #e6e8eb;
text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;color:#57606a;padding:2px 0}.pass{color:#067647;font-weight:600}
.fail{color:#b42318;font-weight:600}.sev-error{color:#b42318}.sev-warning{color:#b54708}.sev-info{color:#475467}
.note{color:#57606a;font-size:13px}.charts{display:flex;flex-wrap:wrap;gap:12px}
.histogram{border:1px solid #e6e8eb;border-radius:6px;background:#fff;max-width:100%;height:auto}
.bar{fill:#4c78a8}.bar:hover{fill:#2d5a8a}.axis{stroke:#8c959f}.limit{stroke:#d92d20;stroke-width:1.5;
stroke-dasharray:5 3}.limit-label{fill:#d92d20;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}
.tick,.axis-label{fill:#57606a;font-size:11px;text-anchor:middle}.axis-label{text-anchor:end}
.chart-title{font-size:13px;font-weight:600;fill:#1f2328}
code,.where{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;overflow-wrap:anywhere}
.issues td{font-size:13px}footer{margin-top:32px;color:#8c959f;font-size:12px}a{color:#0969da}
"""


def cell(value: Any, key: str, *, tag: str = "td") -> str:
    """A number of the JSON report in an element that names its path there (``data-key``)."""
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.1f}"
    else:
        text = escape(str(value))
    css = ' class="n"' if tag == "td" else ""
    return f'<{tag}{css} data-key="{escape(key)}">{text}</{tag}>'


def where(issue: Issue) -> str:
    """``path:line`` (or the path alone for an issue about the whole file); not escaped."""
    return f"{issue.path or ''}" + (f":{issue.line}" if issue.line is not None else "")


def place_of(issue: Issue) -> str:
    """`` (sheet S, column C, /pointer)`` escaped, or "" when the issue has no place inside its line."""
    parts = [f"index {issue.index!r}" if getattr(issue, "index", None) is not None else ""]
    parts += [f"sheet {issue.sheet}" if issue.sheet is not None else ""]
    parts += [f"column {issue.column}" if issue.column is not None else "", issue.pointer]
    place = ", ".join(p for p in parts if p)
    return f" <code>({escape(place)})</code>" if place else ""


def figure_rows(values: dict[str, Any], key: str, shown: frozenset[str]) -> str:
    """Every figure of ``values`` not in ``shown`` (counts, and whatever newer reports add), as a table."""
    rows = []
    for name, value in values.items():
        if name in shown:
            continue
        if isinstance(value, dict):
            rows += [_figure(f"{name} {sub}", v, f"{key}.{name}.{sub}") for sub, v in value.items()]
        else:
            rows.append(_figure(name, value, f"{key}.{name}"))
    return f'<table class="figures">{"".join(rows)}</table>' if rows else ""


def _figure(label: str, value: Any, key: str) -> str:
    shown = cell(value, key) if value is None or isinstance(value, (int, float)) else f"<td>{escape(str(value))}</td>"
    return f"<tr><th>{escape(label.replace('_', ' '))}</th>{shown}</tr>"


def issue_sections(report: Report, shown: list[list[Issue]], anchors: dict[int, str]) -> str:
    """The listed issues, one table per code (``#code-P201``), each issue with its anchor."""
    listed = [i for issues in shown for i in issues]
    every = len(report.verdicts)
    out = ['<section id="issues"><h2>Every issue listed, by code</h2>']
    for row in code_counts(report):
        mine = [i for i in listed if i.code == row.code]
        out.append(f'<h3 id="code-{escape(row.code)}">{escape(row.code)} · {escape(row.summary)} · {row.count:,}</h3>')
        lines = []
        for i in mine:
            tags = f' <span class="note">[{escape(", ".join(i.targets))}]</span>' if 0 < len(i.targets) < every else ""
            lines.append(
                f'<tr id="{anchors[id(i)]}"><td class="where">{escape(where(i))}</td>'
                f"<td>{escape(i.message)}{place_of(i)}{tags}</td></tr>"
            )
        if row.count > len(mine):
            lines.append(f'<tr><td colspan="2" class="note">… {row.count - len(mine):,} more not listed</td></tr>')
        out.append(f'<table class="issues">{"".join(lines)}</table>')
    return "".join(out) + "</section>"
