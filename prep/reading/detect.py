"""Which data format an example, and a file, is in.

Each line votes for a format by its keys:

- ``contents`` (or ``systemInstruction``) is Gemini tuning data on Vertex AI:
  with ``completions`` preference data, with ``references`` reinforcement data;
- ``schemaVersion``, a ``system`` array, or messages whose content is a list
  of Converse blocks (``{"text": ...}``, no ``type``) is Bedrock Nova data:
  preference data when a message holds ``candidates``;
- ``chosen`` / ``rejected`` is TRL preference data;
- ``messages`` is OpenAI chat or reinforcement data (a reinforcement vote needs
  a sign of RFT: a `developer` message, or grader data beside messages and
  tools with a conversation that ends on a user turn); the same line is TRL
  conversational data when the target is TRL: the target decides, not the line;
- the OpenAI preference keys (``input`` only when it holds an object: alpaca's
  ``instruction``/``input``/``output`` rows have a string there), then
  ``prompt``/``completion``, then ``text``.

A line of no format whose keys are the columns of a chat table by their common
names (``question``/``answer``, alpaca's ``instruction``/``output``) is what
`prep convert` makes records of: `table_fields` names them, so the report can say so.

Formats come in families, kept apart in one file: chat and reinforcement are
one (both hold ``messages``), and so are Vertex tuning and reinforcement data.
The file's format is the majority vote of its first lines, restricted to the
formats the target and training method accept; a line of another family is an
error (P109).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..targets.profile import DataFormat

__all__ = [
    "COMMON_NAMES",
    "RECORD_KEYS",
    "SAMPLE_LINES",
    "common_field",
    "decide_format",
    "family",
    "normalize",
    "table_fields",
    "vote",
]

#: How many parsed lines decide the file's format.
SAMPLE_LINES = 1000

_PREFERENCE_KEYS = (
    "input",
    "preferred_output",
    "non_preferred_output",
    "preferred_completion",
    "non_preferred_completion",
)
_CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
_VERTEX_KEYS = ("contents", "systemInstruction", "system_instruction")
_TRL_PREFERENCE_KEYS = ("chosen", "rejected")
#: Keys that make a row of a JSON array a record as it is (not columns to map).
RECORD_KEYS = frozenset(
    {"messages", *_PREFERENCE_KEYS[1:], *_VERTEX_KEYS, "schemaVersion", *_TRL_PREFERENCE_KEYS}
)  # not "input": alpaca's JSON rows have an input column

_FAMILIES = {
    DataFormat.REINFORCEMENT: DataFormat.CHAT,
    DataFormat.VERTEX_REINFORCEMENT: DataFormat.VERTEX,
}


def vote(example: dict[str, Any]) -> DataFormat | None:
    """The format one example looks like, or None when it looks like none (messages first: the common case)."""
    if "messages" in example:
        messages = example["messages"]
        if "schemaVersion" in example or type(example.get("system")) is list or _converse_blocks(messages):
            return DataFormat.NOVA_PREFERENCE if _has_candidates(messages) else DataFormat.NOVA
        grader_data = not example.keys() <= _CHAT_KEYS
        return DataFormat.REINFORCEMENT if _looks_reinforcement(messages, grader_data) else DataFormat.CHAT
    if "contents" in example or "systemInstruction" in example or "system_instruction" in example:
        return _vertex(example)
    if "schemaVersion" in example:
        return DataFormat.NOVA
    if any(k in example for k in _PREFERENCE_KEYS[1:]) or isinstance(example.get("input"), dict):
        return DataFormat.PREFERENCE
    if "chosen" in example or "rejected" in example:
        return DataFormat.TRL_PREFERENCE
    if "prompt" in example or "completion" in example:
        return DataFormat.COMPLETION
    if "text" in example:
        return DataFormat.TEXT
    return None


def _vertex(example: dict[str, Any]) -> DataFormat:
    if "completions" in example:
        return DataFormat.VERTEX_PREFERENCE
    if "references" in example:
        return DataFormat.VERTEX_REINFORCEMENT
    return DataFormat.VERTEX


def _converse_blocks(messages: Any) -> bool:
    """Whether the first message's content is a list of Converse blocks (``{"text": ...}``, no ``type``)."""
    first = messages[0] if type(messages) is list and messages else None
    content = first.get("content") if type(first) is dict else None
    if type(content) is not list or not content:
        return False
    block = content[0]
    return type(block) is dict and bool(block) and "type" not in block


def _has_candidates(messages: Any) -> bool:
    return isinstance(messages, list) and any(isinstance(m, dict) and "candidates" in m for m in messages)


def _looks_reinforcement(messages: Any, grader_data: bool) -> bool:
    if not isinstance(messages, list) or not messages:
        return False
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    return "developer" in roles or (grader_data and roles[-1] == "user")


def family(fmt: DataFormat) -> DataFormat:
    """Formats that one file may mix: chat and reinforcement are conversations; so are Vertex SFT and RL data."""
    return _FAMILIES.get(fmt, fmt)


def decide_format(votes: Iterable[DataFormat | None], allowed: tuple[DataFormat, ...]) -> DataFormat | None:
    """The file's format: the most common allowed vote (first seen wins a tie).

    Within a family the more common member wins; when the target takes no
    member that was voted for, it takes the family's first member it allows
    (TRL's conversational data is OpenAI chat data under the TRL rules). When
    only one format is allowed, that is the answer.
    """
    if len(allowed) == 1:
        return allowed[0]
    counts = Counter(v for v in votes if v is not None)
    if not counts:
        return None
    families: Counter[DataFormat] = Counter()
    for fmt, n in counts.items():
        families[family(fmt)] += n
    for fam, _ in families.most_common():
        members = [f for f in counts if family(f) is fam and f in allowed]
        if members:
            return max(members, key=lambda f: counts[f])
        kin = [f for f in allowed if family(f) is fam]
        if kin:
            return kin[0]
    return allowed[0]


# -- columns of a table, by their common names (`prep.conversion.mapping` maps them) -----------------------

#: Column names recognised without --map (lower case; spaces and dashes read as underscores). Plurals are
#: recognised too, as spreadsheets title their columns (Questions, Answers, User messages, Replies): see `common_field`.
COMMON_NAMES: dict[str, str] = {
    "prompt": "prompt",
    "completion": "completion",
    "system": "system",
    "system_prompt": "system",
    "system_message": "system",
    "user": "user",
    "user_message": "user",
    "question": "user",
    "query": "user",
    "instruction": "user",
    "human": "user",
    "input": "input",
    "context": "input",
    "assistant": "assistant",
    "assistant_message": "assistant",
    "answer": "assistant",
    "response": "assistant",
    "reply": "assistant",
    "output": "assistant",
    "messages": "messages",
    "tools": "tools",
}


def normalize(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def common_field(column: str) -> str | None:
    """The field a column's name is a common name of, singular or plural (``Questions`` -> user); None if none."""
    name = normalize(column)
    if name in COMMON_NAMES:
        return COMMON_NAMES[name]
    head, _, last = name.rpartition("_")
    singular = last[:-3] + "y" if last.endswith("ies") else last[:-1] if re.search(r"[^su]s$", last) else None
    return COMMON_NAMES.get(f"{head}_{singular}" if head else singular) if singular else None


def table_fields(example: dict[str, Any]) -> dict[str, str]:
    """{key: field} when an object's keys are the columns of a one-turn chat table by their common names (a user
    and an assistant column, such as ``question`` and ``answer``): what `prep convert` makes a chat record of; else
    an empty dict."""
    fields = {k: f for k in example if isinstance(k, str) and (f := common_field(k)) in _TURN_FIELDS}
    return fields if {"user", "assistant"} <= set(fields.values()) else {}


_TURN_FIELDS = ("system", "user", "input", "assistant")
