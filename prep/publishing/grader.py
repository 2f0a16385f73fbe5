"""What a reinforcement job's grader reads from each example: every ``{{ item.X }}`` it names must be there.

The spec (rulebook §1.5, S6 FineTuneReinforcementRequestInput): "`messages` and `tools` are the only reserved
keywords. Any other arbitrary key-value data can be included on training datapoints and will be available to
reference during grading under the `{{ item.XXX }}` template variable." A grader that names a field an example
lacks has nothing to compare with. In: the grader (any JSON, nested graders and message templates included) and
the checked files; out: one P249 on each example that lacks a field, added to the file's report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..conversion.tables import open_examples
from ..issues import Issue, Severity, escape_pointer
from ..reading.table import TableOptions
from ..reports.report import FileReport
from ..validation.options import CheckOptions
from .types import PublishedFile

__all__ = ["add_grader_issues", "item_fields"]

#: ``{{ item.reference_answer }}``, ``{{item.meta.label}}``: the path after ``item.``.
_ITEM = re.compile(r"\{\{\s*item\.([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")


def item_fields(grader: Any) -> list[str]:
    """Every ``item.`` path the grader's strings name (keys and values, however nested), in first-seen order."""
    found: dict[str, None] = {}
    for text in _strings(grader):
        found.update((m.group(1), None) for m in _ITEM.finditer(text))
    return list(found)


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(reversed([*node.keys(), *node.values()]))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _holds(record: dict[str, Any], path: str) -> bool:
    node: Any = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def add_grader_issues(files: Sequence[PublishedFile], grader: Any, options: CheckOptions | None = None) -> None:
    """Add P249 to each file's report (``file.report``) on every example that lacks a field the grader reads,
    unless ``options`` (those the file was checked with) leave P249 out; their severity for it applies."""
    fields = item_fields(grader)
    options = options or CheckOptions()
    if not fields or not options.reports("P249"):
        return
    severity = dict(options.severity).get("P249", Severity.ERROR)
    for file in files:
        if file.report is not None:
            _check_file(file, file.report, fields, severity)


def _check_file(file: PublishedFile, report: FileReport, fields: list[str], severity: Severity) -> None:
    with open_examples(file.path, TableOptions()) as examples:
        for example in examples.items:
            if example.record is None:
                continue  # an unreadable row is already reported
            for path in fields:
                if not _holds(example.record, path):
                    _add(report, example.line, path, severity)


def _add(report: FileReport, line: int, path: str, severity: Severity) -> None:
    message = (
        f"The grader reads {{{{ item.{path} }}}}, which this example does not hold; add {path.split('.')[0]!r} "
        "beside messages to every example (training and validation), or change the grader."
    )
    report.issues.append(Issue("P249", severity, message, line, escape_pointer(*path.split(".")), report.path))
    report.codes["P249"] += 1
    report.severities[severity] += 1
