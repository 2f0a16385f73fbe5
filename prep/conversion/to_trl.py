"""OpenAI records for a target that takes OpenAI-shaped messages under its own rules (``prep convert --to trl``).

Messages stay messages; what changes is read from the target's profile:

- each tool call's ``arguments`` is decoded into an object where the target
  takes them so (``tool_arguments = "object"``: TRL), and kept otherwise;
- a tool message gets the ``name`` of the function it answers, where the
  target's tool messages hold one;
- ``weight`` goes where the target takes no weight: a weight-0 message is left
  out or kept and trained (``--zero-weight``), reported either way;
- a key a message of that role cannot hold (``refusal``, ``audio``, ``name``
  on a system message...) and a top-level key the format does not take
  (``parallel_tool_calls``) are left out and reported;
- preference -> ``prompt`` (the input's messages), ``chosen`` and ``rejected``
  (the outputs), ``tools``.
"""

from __future__ import annotations

from typing import Any

from ..issues import escape_pointer
from ..targets.profile import DataFormat, Target
from .media import Settings
from .turns import Losses, decoded_arguments, input_of

__all__ = ["trl_chat", "trl_preference"]


def trl_chat(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A chat record for the target's chat format."""
    target = settings.target
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "messages":
            out[key] = _messages(value, "/messages", settings, losses)
        elif key in target.formats[DataFormat.CHAT].keys:
            out[key] = value
        elif key == "functions":
            losses.fail("/functions", "Legacy functions cannot be converted; define them in tools.")
        else:
            losses.add("P166", escape_pointer(key), f"{target.provider} examples hold no {key}; it was left out.")
    return out


def _messages(messages: Any, ptr: str, settings: Settings, losses: Losses) -> list[Any]:
    out = []
    names: dict[str, str] = {}
    for i, msg in enumerate(messages if isinstance(messages, list) else []):
        mptr = f"{ptr}/{i}"
        if not isinstance(msg, dict) or msg.get("role") not in settings.target.roles:
            losses.fail(
                mptr, f"A message of role {msg.get('role') if isinstance(msg, dict) else None!r} cannot be converted."
            )
            continue
        new = _message(msg, mptr, settings, losses, names)
        if new is not None:
            out.append(new)
    return out


def _message(
    msg: dict[str, Any], ptr: str, settings: Settings, losses: Losses, names: dict[str, str]
) -> dict[str, Any] | None:
    target, role = settings.target, msg["role"]
    keys = target.roles[role].keys
    new: dict[str, Any] = {}
    for key, value in msg.items():
        if key == "weight" and key not in keys:
            if value == 0 and not _zero_weight(ptr, settings, losses):
                return None
        elif key == "tool_calls":
            new[key] = [_call(c, f"{ptr}/tool_calls/{j}", target, losses, names) for j, c in enumerate(value or [])]
        elif key == "function_call":
            losses.fail(f"{ptr}/function_call", "Legacy function_call cannot be converted; use tool_calls.")
        elif key in keys:
            new[key] = value
        else:
            code = "P163" if key == "name" else "P166"
            losses.add(
                code,
                f"{ptr}{escape_pointer(key)}",
                f"{target.provider} {role} messages hold no {key}; it was left out.",
            )
    if role == "tool" and "name" in keys and "name" not in new and msg.get("tool_call_id") in names:
        new["name"] = names[msg["tool_call_id"]]
    return new


def _zero_weight(ptr: str, settings: Settings, losses: Losses) -> bool:
    """Report a weight-0 message for a target without weights; True when it is kept (and trained)."""
    kept = settings.zero_weight == "train"
    what = "is now trained on (--zero-weight drop leaves it out)" if kept else "was left out (--zero-weight drop)"
    losses.add(
        "P162", f"{ptr}/weight", f"{settings.target.provider} has no per-message weight: this weight-0 message {what}."
    )
    return kept


def _call(call: Any, ptr: str, target: Target, losses: Losses, names: dict[str, str]) -> Any:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        return call
    if isinstance(call.get("id"), str) and isinstance(fn.get("name"), str):
        names[call["id"]] = fn["name"]
    arguments = fn.get("arguments")
    if target.conversation.tool_arguments != "object" or not isinstance(arguments, str):
        return call
    decoded = decoded_arguments(arguments, f"{ptr}/function/arguments", losses)
    if decoded is None:
        return call
    return {**call, "function": {**fn, "arguments": decoded}}


def trl_preference(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A preference record as ``prompt`` / ``chosen`` / ``rejected`` (and the input's ``tools``)."""
    inp = input_of(record)
    out: dict[str, Any] = {"prompt": _messages(inp.get("messages"), "/input/messages", settings, losses)}
    out["chosen"] = _messages(record.get("preferred_output"), "/preferred_output", settings, losses)
    out["rejected"] = _messages(record.get("non_preferred_output"), "/non_preferred_output", settings, losses)
    if "tools" in inp:
        out["tools"] = inp["tools"]
    if "parallel_tool_calls" in inp:
        losses.add(
            "P166",
            "/input/parallel_tool_calls",
            f"{settings.target.provider} has no parallel_tool_calls; it was left out.",
        )
    return out
