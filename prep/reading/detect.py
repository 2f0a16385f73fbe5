"""Which data format an example, and a file, is in.

Each line votes for a format by its keys. Chat and reinforcement examples are
one family (both hold `messages`); a reinforcement vote needs a sign of RFT: a
`developer` message, or grader data (keys beside messages and tools) with a
conversation that ends on a user turn. The file's
format is the majority vote of its first lines, restricted to the formats the
training method accepts; a line of another family is an error (P109).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..targets.profile import DataFormat

__all__ = ["SAMPLE_LINES", "decide_format", "family", "vote"]

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


def vote(example: dict[str, Any]) -> DataFormat | None:
    """The format one example looks like, or None when it looks like none."""
    if "messages" in example:
        grader_data = not example.keys() <= _CHAT_KEYS
        return DataFormat.REINFORCEMENT if _looks_reinforcement(example["messages"], grader_data) else DataFormat.CHAT
    if any(k in example for k in _PREFERENCE_KEYS):
        return DataFormat.PREFERENCE
    if "prompt" in example or "completion" in example:
        return DataFormat.COMPLETION
    if "text" in example:
        return DataFormat.TEXT
    return None


def _looks_reinforcement(messages: Any, grader_data: bool) -> bool:
    if not isinstance(messages, list) or not messages:
        return False
    roles = [m.get("role") if isinstance(m, dict) else None for m in messages]
    return "developer" in roles or (grader_data and roles[-1] == "user")


def family(fmt: DataFormat) -> DataFormat:
    """Chat and reinforcement share a family: both are conversations."""
    return DataFormat.CHAT if fmt is DataFormat.REINFORCEMENT else fmt


def decide_format(votes: Iterable[DataFormat | None], allowed: tuple[DataFormat, ...]) -> DataFormat | None:
    """The file's format: the most common allowed vote (first seen wins a tie).

    Within the conversation family the more common of chat and reinforcement
    wins. When only one format is allowed, that is the answer.
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
    return allowed[0]
