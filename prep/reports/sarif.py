"""Issues as a SARIF 2.1.0 log, the format of GitHub code scanning and other viewers.

Each issue is a result: its code is the rule, its severity the level (info is
"note"), its file and line the location (issues about a whole file have no
region), its JSON pointer a property, and its line-content fingerprint a
partial fingerprint, so that code scanning follows an issue when lines move.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..issues import CODES, Issue, Severity

__all__ = ["SARIF_SCHEMA", "sarif_log"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """The file's URI; a name that is not UTF-8 is percent-encoded from its own bytes."""
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(os.fsencode(p.as_posix()))


def _rule(code: str) -> dict[str, Any]:
    info = CODES.get(code)
    rule: dict[str, Any] = {"id": code}
    if info is not None:
        rule["shortDescription"] = {"text": info.summary}
        rule["defaultConfiguration"] = {"level": _LEVELS[info.severity]}
    return rule


def _result(issue: Issue, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": issue.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[issue.severity],
        "message": {"text": issue.message},
    }
    if issue.path:
        location: dict[str, Any] = {"artifactLocation": {"uri": _uri(issue.path)}}
        if issue.line is not None:
            location["region"] = {"startLine": issue.line}
        result["locations"] = [{"physicalLocation": location}]
    if issue.fingerprint:
        result["partialFingerprints"] = {"prepLineContent/v1": issue.fingerprint}
    properties = {k: v for k, v in (("pointer", issue.pointer), ("column", issue.column), ("sheet", issue.sheet)) if v}
    if properties:
        result["properties"] = properties
    return result


def sarif_log(issues: Iterable[Issue], *, version: str) -> dict[str, Any]:
    """One SARIF run of the ``prep`` tool holding ``issues``."""
    rules: dict[str, int] = {}
    results = []
    for issue in issues:
        index = rules.setdefault(issue.code, len(rules))
        results.append(_result(issue, index))
    driver = {"name": "prep", "version": version, "rules": [_rule(code) for code in rules]}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
