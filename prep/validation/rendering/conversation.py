"""OpenAI fine-tuning messages in, the messages and tools that chat templates (and TRL) take out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from ...records.values import loads

__all__ = ["Conversation", "conversation", "to_conversation"]

Message = dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    """Messages and tools in the shape Hugging Face chat templates expect, with each message's OpenAI weight."""

    messages: list[Message]
    tools: list[Any] | None
    weights: list[Any]
    notes: tuple[str, ...] = ()


def to_conversation(
    messages: Sequence[Any], tools: Any = None, functions: Any = None, *, parse_arguments: bool = True
) -> Conversation:
    """Convert OpenAI messages (and ``tools``, or legacy ``functions``).

    - ``weight`` is taken out of each message and kept in ``weights``;
    - tool-call ``arguments`` strings become objects, TRL's shape (kept as the
      string when not valid JSON); legacy ``function_call`` becomes one tool
      call, and role ``function`` becomes ``tool``;
    - a ``tool`` message gets the ``name`` of the call it answers;
    - content parts become their texts joined by newlines (vLLM's rule for
      string templates); images are left out and noted, since their tokens
      depend on the model's image processor;
    - keys whose value is null are dropped, as transformers drops them.
    """
    notes: list[str] = []
    names: dict[Any, Any] = {}
    out: list[Message] = []
    weights: list[Any] = []
    for raw in messages:
        if not isinstance(raw, Mapping):
            continue
        msg = {k: v for k, v in raw.items() if k != "weight" and v is not None}
        weights.append(raw.get("weight"))
        out.append(_message(msg, names, notes, parse_arguments))
    if tools is None and isinstance(functions, list):
        tools = [{"type": "function", "function": f} for f in functions]
    return Conversation(out, list(tools) if isinstance(tools, list) else None, weights, tuple(dict.fromkeys(notes)))


def _message(msg: Message, names: dict[Any, Any], notes: list[str], parse_arguments: bool) -> Message:
    if msg.get("role") == "function":
        msg["role"] = "tool"
    if isinstance(msg.get("content"), list):
        msg["content"], dropped = _parts_text(msg["content"])
        if dropped:
            notes.append(f"{dropped} non-text content part(s) not counted")
    if "function_call" in msg:
        msg["tool_calls"] = [{"type": "function", "function": msg.pop("function_call")}]
    if isinstance(msg.get("tool_calls"), list):
        msg["tool_calls"] = [_tool_call(c, parse_arguments) for c in msg["tool_calls"]]
        for call in msg["tool_calls"]:
            if "id" in call and isinstance(call.get("function"), dict):
                names[call["id"]] = call["function"].get("name")
    call_id = msg.get("tool_call_id")
    if msg.get("role") == "tool" and "name" not in msg and isinstance(call_id, str) and call_id in names:
        msg["name"] = names[call_id]
    return msg


def conversation(example: Mapping[str, Any], *, parse_arguments: bool = True) -> Conversation:
    """The conversation of a chat-shaped example (``messages``, ``tools`` or legacy ``functions``)."""
    messages = example.get("messages")
    return to_conversation(
        messages if isinstance(messages, list) else [],
        example.get("tools"),
        example.get("functions"),
        parse_arguments=parse_arguments,
    )


def _parts_text(parts: list[Any]) -> tuple[str, int]:
    texts = [p["text"] for p in parts if isinstance(p, dict) and p.get("type") == "text" and _is_str(p.get("text"))]
    return "\n".join(texts), len(parts) - len(texts)


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _tool_call(call: Any, parse_arguments: bool) -> Any:
    if not isinstance(call, Mapping):
        return call
    out = {k: v for k, v in call.items() if v is not None}
    fn = dict(out["function"]) if isinstance(out.get("function"), Mapping) else {}
    args = fn.get("arguments")
    if parse_arguments and isinstance(args, str):
        with suppress(ValueError):
            fn["arguments"] = loads(args)
    out["function"] = fn
    return out
