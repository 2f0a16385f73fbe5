"""Column mapping: which column of a table fills which field of a record.

One mapping for every file type (rows become records in `.examples`). Columns are matched to fields by their
common names (``question`` is the user's text, ``answer`` the assistant's, and
so on; see `COMMON_NAMES`) or by ``--map COLUMN=FIELD``. The fields found
decide the kind of record each row becomes:

- ``prompt`` + ``completion``: a legacy prompt/completion record;
- ``user`` + ``assistant`` (alpaca: ``instruction``/``input``/``output``), with an
  optional ``system``: a one-turn chat record;
- ``messages`` (a JSON array of messages), with optional ``system`` and ``tools``: a chat record;
- JSON rows that already are records (they hold ``messages``, preference keys,
  or the keys of the other targets' formats: `prep.reading.detect.RECORD_KEYS`)
  are taken as they are.

A mapping that is ambiguous or incomplete is a `MappingError` whose one sentence
lists the columns found (an unknown field name in ``--map`` is a `UsageError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import MappingError, UsageError
from ..reading.detect import COMMON_NAMES, RECORD_KEYS, common_field, normalize

__all__ = ["COMMON_NAMES", "FIELDS", "ColumnMap", "Kind", "common_field", "normalize", "plan_mapping"]

#: Fields a column can fill (``--map COLUMN=FIELD``), and what each fills.
FIELDS: dict[str, str] = {
    "prompt": "the prompt of a prompt/completion record",
    "completion": "the completion of a prompt/completion record",
    "system": "the system message",
    "user": "the user message (alpaca: instruction)",
    "input": "text added to the user message after a blank line (alpaca: input)",
    "assistant": "the assistant's reply (alpaca: output)",
    "messages": "a JSON array of messages",
    "tools": "a JSON array of tool definitions",
    "ignore": "nothing: the column is left out",
}
_FIELD_ALIASES = {"instruction": "user", "output": "assistant", "-": "ignore"}


class Kind:
    """What each row becomes."""

    COMPLETION = "completion"
    CHAT = "chat"
    MESSAGES = "messages"
    RECORD = "record"


@dataclass(frozen=True)
class ColumnMap:
    """The kind of record each row becomes, and the column of each field."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    unused: tuple[str, ...] = ()


def _columns_found(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:30])
    more = f" and {len(columns) - 30} more" if len(columns) > 30 else ""
    return f"columns found: {shown or 'none'}{more}"


def _field_name(value: str) -> str:
    name = value.strip().lower()
    name = _FIELD_ALIASES.get(name, name)
    if name not in FIELDS:
        raise UsageError(
            f"Unknown field {value!r} in --map; fields: prompt, completion, system, "
            "user (or instruction), input, assistant (or output), messages, tools, ignore."
        )
    return name


def _find_column(wanted: str, columns: Sequence[str], name: str) -> str:
    if wanted in columns:
        return wanted
    matches = [c for c in columns if normalize(c) == normalize(wanted)]
    if len(matches) == 1:
        return matches[0]
    raise MappingError(f"--map names the column {wanted!r}, but {name} has no such column ({_columns_found(columns)}).")


def plan_mapping(
    columns: Sequence[str],
    explicit: Iterable[tuple[str, str]] = (),
    *,
    name: str = "the data",
    tabular: bool = True,
    system: str | None = None,
    chat_output: bool = False,
) -> ColumnMap:
    """Decide which column fills which field; raise `MappingError` (one sentence) when that is unclear."""
    columns = list(columns)
    chosen: dict[str, str] = {}
    for column, value in explicit:
        chosen[_find_column(column, columns, name)] = _field_name(value)
    if not chosen and not tabular and any(k in RECORD_KEYS for k in columns):
        return ColumnMap(Kind.RECORD)
    fields = _fields(columns, chosen, name)
    kind = _kind(fields, columns, name, tabular)
    if kind is Kind.COMPLETION and system is not None and not chat_output:
        raise MappingError(
            f"--system adds a system message to chat records, but {name} holds prompt/completion "
            "columns; convert them with --to chat."
        )
    used = set(fields.values()) | {c for c, f in chosen.items() if f == "ignore"}
    return ColumnMap(kind, fields, tuple(c for c in columns if c not in used))


def _fields(columns: list[str], chosen: dict[str, str], name: str) -> dict[str, str]:
    """field -> column: the explicit choices, then common names for the fields still free."""
    fields = {f: c for c, f in chosen.items() if f != "ignore"}
    if len(fields) < len([f for f in chosen.values() if f != "ignore"]):
        dup = next(f for f in chosen.values() if list(chosen.values()).count(f) > 1)
        cols = [c for c, f in chosen.items() if f == dup]
        raise UsageError(
            f"--map gives the field {dup!r} two columns ({', '.join(map(repr, cols))}); a field takes one column."
        )
    candidates: dict[str, list[str]] = {}
    for column in columns:
        guess = common_field(column)
        if column not in chosen and guess and guess not in fields:
            candidates.setdefault(guess, []).append(column)
    for guess, cols in candidates.items():
        if len(cols) > 1:
            a, b = cols[:2]
            raise MappingError(
                f"Columns {a!r} and {b!r} of {name} could both be the {guess} field; choose with --map, "
                f"e.g. --map {_quote(a)}={guess} --map {_quote(b)}=ignore ({_columns_found(columns)})."
            )
        fields[guess] = cols[0]
    return _roles_from_context(fields)


def _roles_from_context(fields: dict[str, str]) -> dict[str, str]:
    """``prompt`` with a reply column (and no completion) is the user's text; so is ``input`` with no user column."""
    if "user" not in fields and "assistant" in fields and "completion" not in fields and "prompt" in fields:
        fields["user"] = fields.pop("prompt")
    if "user" not in fields and "input" in fields:
        fields["user"] = fields.pop("input")
    return fields


def _kind(fields: dict[str, str], columns: list[str], name: str, tabular: bool) -> str:
    found = _columns_found(columns)
    chat = [f for f in ("user", "assistant", "input") if f in fields]
    legacy = [f for f in ("prompt", "completion") if f in fields]
    if "messages" in fields:
        others = chat + legacy
        if others:
            cols = ", ".join(repr(fields[f]) for f in others)
            raise MappingError(
                f"{name} has a messages column ({fields['messages']!r}) and other text columns ({cols}); "
                f"keep one kind with --map COLUMN=ignore ({found})."
            )
        return Kind.MESSAGES
    if chat and legacy:
        legacy_columns = ", ".join(repr(fields[f]) for f in legacy)
        chat_columns = ", ".join(repr(fields[f]) for f in chat)
        raise MappingError(
            f"{name} has prompt/completion columns ({legacy_columns}) and chat columns ({chat_columns}); "
            f"keep one kind with --map COLUMN=ignore ({found})."
        )
    for kind, pair in ((Kind.COMPLETION, ("prompt", "completion")), (Kind.CHAT, ("user", "assistant"))):
        have = [f for f in pair if f in fields]
        if len(have) == 2:
            return kind
        if have:
            (missing,) = set(pair) - set(have)
            article = "an" if have[0] == "assistant" else "a"
            raise MappingError(
                f"{name} has {article} {have[0]} column ({fields[have[0]]!r}) but no {missing} column; "
                f"name it with --map COLUMN={missing} ({found})."
            )
    headless = tabular and any(not re.fullmatch(r"[A-Z]{1,3}", c) for c in columns)
    raise MappingError(
        f"No column of {name} was recognised as prompt/completion, user/assistant (question/answer, "
        f"instruction/output) or messages; name them with --map COLUMN=FIELD"
        f"{' (or, if the first row is data, add --no-header)' if headless else ''} ({found}).",
        recognised=bool(fields),
    )


def _quote(column: str) -> str:
    return column if re.fullmatch(r"[\w.]+", column) else f"'{column}'"
