"""Rows to records: each row of a table becomes a record dict, with the column behind each part.

The `ColumnMap` (`.mapping`) says what each row becomes; here each kind has
a small builder. A cell that cannot become part of a record (unreadable, or not
the JSON it should hold) is a `RowProblem` on its row and column, and counts as
empty; the record's other problems are found by the checks, and `Origin` gives
each of them its column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..reading.table import CellError, Row
from ..reading.xlsx import number_text
from ..records.values import loads
from ..validation.scan import Origin
from .mapping import ColumnMap, Kind

__all__ = ["CONTROL", "Example", "RowProblem", "to_example"]

#: Control characters a cell should not hold: C0 but tab, line feed and carriage return; DEL; C1.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class RowProblem(NamedTuple):
    """A problem found while reading or mapping a row: its record pointer, and the column when known."""

    code: str
    pointer: str
    message: str
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    """A row turned into a record (None when it could not be), with where each part came from."""

    line: int
    record: dict[str, Any] | None
    origin: Origin = field(default_factory=Origin)
    problems: tuple[RowProblem, ...] = ()


class _Row:
    """A row being mapped: reads cells as text, collecting the problems of the cells it uses."""

    def __init__(self, cells: dict[str, Any], problems: list[RowProblem]) -> None:
        self.cells = cells
        self.problems = problems

    def text(self, column: str | None, pointer: str) -> Any:
        """The cell as text (None when empty); a cell that could not be read is a problem and counts as empty."""
        if column is None:
            return None
        value = self.cells.get(column)
        if isinstance(value, CellError):
            self.problems.append(RowProblem(value.code, pointer, value.message, column))
            return None
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return number_text(value)
        if isinstance(value, str) and CONTROL.search(value):
            self.problems.append(RowProblem("P161", pointer, _control_message(value), column))
        return value

    def json(self, column: str, pointer: str, what: str) -> tuple[Any, bool]:
        """A cell holding JSON (text from a table, or a value already parsed); (value, ok)."""
        value = self.text(column, pointer)
        if not isinstance(value, str):
            return value, True
        try:
            return loads(value), True
        except ValueError as exc:
            self.problems.append(
                RowProblem(
                    "P156", pointer, f"Cell should hold {what} as JSON, but it is not valid JSON: {exc}.", column
                )
            )
            return None, False


def _control_message(text: str) -> str:
    found = list(dict.fromkeys(CONTROL.findall(text)))
    listed = ", ".join(f"U+{ord(c):04X}" for c in found[:5]) + (", ..." if len(found) > 5 else "")
    return (
        f"Cell holds control characters ({listed}) that the sheet does not show and the model would learn; "
        "remove them (often left by a paste from another program)."
    )


Builder = Callable[[_Row, ColumnMap, "str | None"], "tuple[dict[str, Any] | None, list[tuple[str, str]]]"]


def _completion(row: _Row, cmap: ColumnMap, system: str | None) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    p, c = cmap.fields["prompt"], cmap.fields["completion"]
    prompt, completion = row.text(p, "/prompt"), row.text(c, "/completion")
    record = {"prompt": "" if prompt is None else prompt, "completion": "" if completion is None else completion}
    return record, [("/prompt", p), ("/completion", c)]


def _chat(row: _Row, cmap: ColumnMap, system: str | None) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    fields, messages, columns = cmap.fields, [], []
    sys_column = fields.get("system")
    text = row.text(sys_column, "/messages/0/content")
    if text is not None and sys_column is not None:
        columns.append(("/messages/0", sys_column))
    text = system if text is None else text
    if text is not None:
        messages.append({"role": "system", "content": text})
    user, extra = row.text(fields["user"], f"/messages/{len(messages)}/content"), None
    if "input" in fields:
        extra = row.text(fields["input"], f"/messages/{len(messages)}/content")
    columns.append(
        (f"/messages/{len(messages)}", fields["user"] if extra is None else f"{fields['user']} + {fields['input']}")
    )
    messages.append(_message("user", _joined(user, extra)))
    columns.append((f"/messages/{len(messages)}", fields["assistant"]))
    messages.append(_message("assistant", row.text(fields["assistant"], f"/messages/{len(messages)}/content")))
    return {"messages": messages}, columns


def _joined(user: Any, extra: Any) -> Any:
    if extra is None:
        return user
    if user is None:
        return extra
    return f"{user}\n\n{extra}"


def _message(role: str, content: Any) -> dict[str, Any]:
    return {"role": role} if content is None else {"role": role, "content": content}


def _messages(row: _Row, cmap: ColumnMap, system: str | None) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    column = cmap.fields["messages"]
    messages, ok = row.json(column, "/messages", "a messages array")
    if not ok:
        return None, []
    record: dict[str, Any] = {"messages": [] if messages is None else messages}
    columns = [("/messages", column)]
    if "tools" in cmap.fields:
        tools, ok = row.json(cmap.fields["tools"], "/tools", "a tools array")
        if not ok:
            return None, []
        if tools is not None:
            record["tools"] = tools
            columns.append(("/tools", cmap.fields["tools"]))
    sys_column = cmap.fields.get("system")
    text = row.text(sys_column, "/messages/0/content")
    if _add_system(record, system if text is None else text) and text is not None and sys_column is not None:
        columns.append(("/messages/0", sys_column))
    return record, columns


def _record(row: _Row, cmap: ColumnMap, system: str | None) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    record = dict(row.cells)
    _add_system(record, system)
    return record, []


def _add_system(record: dict[str, Any], text: str | None) -> bool:
    """Put a system message first in a record's conversation, unless it starts with one; True if added."""
    inner = record.get("input")
    holder: dict[str, Any] = inner if isinstance(inner, dict) else record
    messages = holder.get("messages")
    if text is None or not isinstance(messages, list):
        return False
    first = messages[0] if messages else None
    if isinstance(first, dict) and first.get("role") in ("system", "developer"):
        return False
    holder["messages"] = [{"role": "system", "content": text}, *messages]
    return True


_BUILDERS: dict[str, Builder] = {
    Kind.COMPLETION: _completion,
    Kind.CHAT: _chat,
    Kind.MESSAGES: _messages,
    Kind.RECORD: _record,
}


def to_example(row: Row, cmap: ColumnMap, *, system: str | None = None, sheet: str | None = None) -> Example:
    """Turn one row into a record, with the origin of each part and the problems met."""
    problems = [RowProblem(n.code, "", n.message, n.column) for n in row.notes]
    if row.cells is None:
        return Example(row.line, None, Origin(sheet, index=row.index), tuple(problems))
    record, columns = _BUILDERS[cmap.kind](_Row(row.cells, problems), cmap, system)
    return Example(row.line, record, Origin(sheet, tuple(columns), row.index), tuple(problems))
