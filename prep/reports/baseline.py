"""Baselines: known issues that later checks do not report again.

JSONL has no comments, so issues cannot be silenced inline; a baseline file
records the issues of a dataset as it is, and later checks report only the new
ones. Each issue is keyed by its file (relative to the baseline's folder), code,
JSON pointer and the fingerprint of its line's content, not by its line number:
inserting or removing other lines does not invalidate the baseline, while
editing the line does. Issues about the whole file (and the rare line issue
without a fingerprint) are keyed by code and message, with numbers masked, so
that "File has 7 examples" still matches after one more example.

A baseline hides as many occurrences of a key as it recorded: a new exact copy
of a baselined problem still shows.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..issues import Issue
from .report import FileReport

__all__ = ["BASELINE_VERSION", "Baseline", "issue_key", "load_baseline", "write_baseline"]

BASELINE_VERSION = 1
_NUMBER = re.compile(r"\d[\d,.]*")

Key = tuple[str, str, str, str]


def _relative(path: str, folder: Path) -> str:
    return Path(os.path.relpath(Path(path).absolute(), folder)).as_posix()


def issue_key(issue: Issue, path: str) -> Key:
    """What identifies an issue across edits: (path, code, pointer, content fingerprint or masked message)."""
    return _key(path, issue.code, issue.pointer, issue.fingerprint if issue.line is not None else None, issue.message)


def _key(path: str, code: str, pointer: str, fingerprint: str | None, message: str) -> Key:
    return (path, code, pointer, fingerprint or "message:" + _NUMBER.sub("#", message))


@dataclass
class Baseline:
    """The known issues recorded in one baseline file."""

    path: Path
    counts: Counter[Key] = field(default_factory=Counter)
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.absolute().parent

    def filter(self, file: FileReport) -> tuple[FileReport, int]:
        """The file's report without its known issues, and how many were hidden."""
        left = self.counts.copy()
        path = _relative(file.path, self.folder)
        kept: list[Issue] = []
        codes, severities = file.codes.copy(), file.severities.copy()
        for issue in file.issues:
            key = issue_key(issue, path)
            if left[key] > 0:
                left[key] -= 1
                codes[issue.code] -= 1
                severities[issue.severity] -= 1
            else:
                kept.append(issue)
        hidden = len(file.issues) - len(kept)
        if not hidden:
            return file, 0
        return replace(file, issues=kept, codes=+codes, severities=+severities), hidden


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; a missing file is an empty baseline."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Baseline(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the baseline {path}: {exc}.") from None
    usable = isinstance(data, dict) and data.get("version") == BASELINE_VERSION and isinstance(data.get("issues"), list)
    if not usable:
        raise ConfigError(
            f"{path} is not a prep baseline (version {BASELINE_VERSION}); write it again with --write-baseline."
        )
    counts: Counter[Key] = Counter()
    for entry in data["issues"]:
        try:
            counts[_entry_key(entry)] += 1
        except (KeyError, TypeError, AttributeError):
            raise ConfigError(f"{path} holds a malformed entry: {entry!r}.") from None
    return Baseline(path, counts, data["issues"])


def _entry_key(entry: dict[str, Any]) -> Key:
    fingerprint = entry.get("example") if entry.get("line") is not None else None
    pointer = str(entry.get("pointer", ""))
    return _key(str(entry["path"]), str(entry["code"]), pointer, fingerprint, str(entry["message"]))


def _entry(issue: Issue, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {"path": path, "line": issue.line, "code": issue.code, "pointer": issue.pointer}
    if issue.fingerprint:
        out["example"] = issue.fingerprint
    out["message"] = issue.message
    return out


def write_baseline(path: str | os.PathLike[str], files: Sequence[FileReport]) -> int:
    """Record the issues of ``files`` in the baseline at ``path``; return how many it holds for them.

    Entries of files not in ``files`` are kept, so a baseline can be updated
    from a run over some of the files. Written atomically, one issue a line.
    """
    from ..io import atomic_write_text

    baseline = load_baseline(path)
    folder = baseline.folder
    checked = {_relative(f.path, folder) for f in files}
    entries = [e for e in baseline.entries if e.get("path") not in checked]
    new = [_entry(i, _relative(f.path, folder)) for f in files for i in f.issues]
    entries.extend(new)
    entries.sort(key=lambda e: (e["path"], e.get("line") or 0, e["code"], e.get("pointer", "")))
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, _render(entries))
    except OSError as exc:
        raise ConfigError(f"Cannot write the baseline {path}: {exc.strerror or exc}.") from None
    return len(new)


def _render(entries: Iterable[dict[str, Any]]) -> str:
    lines = ",\n".join("    " + json.dumps(e, ensure_ascii=False) for e in entries)
    body = f"\n{lines}\n  " if lines else ""
    return (
        "{\n"
        f'  "version": {BASELINE_VERSION},\n'
        '  "comment": "Known issues that prep check does not report. Update: prep check --write-baseline FILES",\n'
        f'  "issues": [{body}]\n'
        "}\n"
    )
