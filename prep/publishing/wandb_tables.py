"""The W&B Tables of an uploaded file, built in one streaming pass over it.

- the *compatible* table, the one ``WandbLogger._make_table`` builds (columns
  ``role: system``, ``role: user``, ``role: assistant``; only when every
  record has exactly 3 messages), so the dataset artifact's digest equals the
  one W&B's own sync computes (shared/docs/wandb-artifacts.md §2.2);
- prep's *examples* table, one row per example of any format, with its line.

Memory is bounded whatever the file: lines are read one at a time and a line
over `MAX_LINE_BYTES` is never held (it is counted; the compatible table is
then left out); the examples table keeps at most ``max_rows`` rows, each text
cell cut to `MAX_CELL_CHARS`; the compatible table (which must hold whole
contents) is built only for files up to `MAX_COMPAT_BYTES`. Nothing the
secret scan flagged goes into either table: those examples' rows are
replaced by a note (``redacted_lines``).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..reading.jsonl import iter_lines
from ..records.values import loads

if TYPE_CHECKING:
    import wandb

__all__ = [
    "EXAMPLE_COLUMNS",
    "MAX_COMPAT_BYTES",
    "MAX_TABLE_ROWS",
    "TABLE_COLUMNS",
    "FileTables",
    "example_row",
    "read_tables",
]

TABLE_COLUMNS: list[str | int] = ["role: system", "role: user", "role: assistant"]
EXAMPLE_COLUMNS: list[str | int] = ["line", "system", "user", "assistant", "rejected", "messages", "example"]
#: Rows of a run Table that W&B keeps (``wandb.Table.MAX_ROWS``).
MAX_TABLE_ROWS = 10_000
#: Longest text kept in one cell of the examples table.
MAX_CELL_CHARS = 20_000
#: Largest file given the compatible table (it holds every record's contents in memory).
MAX_COMPAT_BYTES = 256 << 20
#: Longest line read for a table.
MAX_LINE_BYTES = 64 << 20
REDACTED = "[left out: the secret scan flagged this example]"


@dataclass
class FileTables:
    """What one pass over a file gives: its record count and its two tables (None when left out)."""

    items: int
    compat: wandb.Table | None
    examples: wandb.Table | None
    rows: int = 0
    truncated: bool = False


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_CELL_CHARS:
        return text
    return text[:MAX_CELL_CHARS] + f"... [{len(text) - MAX_CELL_CHARS:,} more characters]"


def _text(content: Any) -> str | None:
    """Message content as text: text parts joined, images as [image]."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict) and part.get("type") == "image_url":
                parts.append("[image]")
        return "\n".join(parts)
    return json.dumps(content, ensure_ascii=False)


def _last(messages: list[Any], *roles: str) -> str | None:
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") in roles:
            if m.get("content") is None and m.get("tool_calls") is not None:
                return json.dumps(m["tool_calls"], ensure_ascii=False)
            return _text(m.get("content"))
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def example_row(line: int, value: Any, text: str) -> list[Any]:
    """One row of prep's examples Table, for any data format (text cells cut to `MAX_CELL_CHARS`)."""
    if not isinstance(value, dict):
        return [line, None, None, None, None, None, _cut(text)]
    if ("prompt" in value or "completion" in value) and "messages" not in value:
        return [
            line,
            None,
            _cut(_text(value.get("prompt"))),
            _cut(_text(value.get("completion"))),
            None,
            None,
            _cut(text),
        ]
    inp: dict[str, Any] = value["input"] if isinstance(value.get("input"), dict) else value
    messages: list[Any] = inp["messages"] if isinstance(inp.get("messages"), list) else []
    rejected = None
    assistant = _last(messages, "assistant")
    if "preferred_output" in value:
        assistant = _last(_list(value.get("preferred_output")), "assistant")
        rejected = _last(_list(value.get("non_preferred_output")), "assistant")
    system = next(
        (_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") in ("system", "developer")),
        None,
    )
    cells = [_cut(c) for c in (system, _last(messages, "user"), assistant, rejected)]
    return [line, *cells, len(messages), _cut(text)]


def _compat_row(value: Any) -> list[Any] | None:
    """The row ``WandbLogger._make_table`` adds for a record, or None where it raises."""
    try:
        m = value["messages"]
        if len(m) != 3:
            return None
        return [m[0]["content"], m[1]["content"], m[2]["content"]]
    except (KeyError, TypeError, IndexError):
        return None


def read_tables(
    path: str | Path, *, examples: bool = True, max_rows: int = MAX_TABLE_ROWS, redacted_lines: Collection[int] = ()
) -> FileTables:
    """Count the records of ``path`` and build its tables, reading it once, line by line."""
    import wandb

    path = Path(path)
    compat: wandb.Table | None = wandb.Table(columns=TABLE_COLUMNS) if path.stat().st_size <= MAX_COMPAT_BYTES else None
    out = FileTables(0, compat, wandb.Table(columns=EXAMPLE_COLUMNS) if examples else None)
    with path.open("rb") as fp:
        for line in iter_lines(fp, max_line_bytes=MAX_LINE_BYTES):
            if line.length:  # over the bound: counted, never held
                out.items, out.compat = out.items + 1, None
                continue
            try:
                text = line.data.decode("utf-8")
            except UnicodeDecodeError:
                text, out.compat = line.data.decode("utf-8", errors="replace"), None
            if not text.strip():
                continue
            out.items += 1
            _add(out, line.number, text.strip(), max_rows, line.number in redacted_lines)
    return out


def _add(out: FileTables, number: int, text: str, max_rows: int, redacted: bool) -> None:
    try:
        value = loads(text)
    except ValueError:
        value = None
    if out.compat is not None:
        row = None if redacted else _compat_row(value)
        if row is None:
            out.compat = None
        else:
            out.compat.add_data(*row)
    if out.examples is None:
        return
    if out.rows == max_rows:
        out.truncated = True
        return
    out.examples.add_data(
        *([number, None, None, None, None, None, REDACTED] if redacted else example_row(number, value, text))
    )
    out.rows += 1
