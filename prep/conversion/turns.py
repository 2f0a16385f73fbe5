"""OpenAI conversations read for targets that hold the system prompt apart (Vertex, Nova), losses reported.

`read_conversation` turns OpenAI messages into a `Conversation`: the system
texts, and turns of parts (text, image, call, result). What such a target
cannot hold is reported on the example's line, never dropped silently
(`Losses`): a ``weight: 0`` turn (dropped or trained, as the user chose), a
``name``, a system message after the start, a refusal, audio or an image's
``detail``, a tool's ``strict``, ``parallel_tool_calls``. What cannot be
converted at all (legacy ``functions``, arguments that are not a JSON object,
a result that answers no call) is a P168 error, and the example is not written.
Pointers name the place in the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records.values import loads
from .examples import RowProblem

__all__ = [
    "ZERO_WEIGHT",
    "Conversation",
    "Losses",
    "Part",
    "Turn",
    "decoded_arguments",
    "input_of",
    "read_conversation",
    "read_tools",
    "reply_texts",
    "result_object",
    "text_of",
]

ZERO_WEIGHT = ("train", "drop")


@dataclass
class Losses:
    """What one example lost on the way (warnings, notes) or could not do (P168 errors), and files to write."""

    provider: str
    problems: list[RowProblem] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (name under --media-dir, content)

    def add(self, code: str, ptr: str, message: str) -> None:
        self.problems.append(RowProblem(code, ptr, message))

    def fail(self, ptr: str, message: str) -> None:
        self.problems.append(RowProblem("P168", ptr, message))

    @property
    def failed(self) -> bool:
        return any(p.code == "P168" for p in self.problems)


@dataclass
class Part:
    """One piece of a turn: ``text``, ``image`` (a URL), ``call`` (name, arguments object, id) or ``result``."""

    kind: str
    ptr: str
    text: str = ""
    name: str = ""
    call_id: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    role: str  # user, assistant or tool
    parts: list[Part]
    ptr: str = ""  # the message in the input


@dataclass
class Conversation:
    system: list[str]
    turns: list[Turn]


def input_of(record: dict[str, Any]) -> dict[str, Any]:
    """The ``input`` of a preference record (empty when it is not an object)."""
    inp = record.get("input")
    return inp if isinstance(inp, dict) else {}


def text_of(content: Any) -> str:
    """A string content, or the text parts of a content list joined by blank lines."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return "\n\n".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))


def read_conversation(messages: list[Any], ptr: str, losses: Losses, zero_weight: str) -> Conversation:
    """The system texts and the turns of OpenAI ``messages`` (``ptr`` is where they are in the input)."""
    out = Conversation([], [])
    calls: dict[str, str] = {}
    for i, msg in enumerate(messages):
        mptr = f"{ptr}/{i}"
        if not isinstance(msg, dict):
            losses.fail(mptr, "A message is not an object; it cannot be converted.")
            continue
        if "name" in msg and msg.get("role") != "function":
            losses.add("P163", f"{mptr}/name", f"{losses.provider} messages have no name; the name was left out.")
        turn = _read_message(msg, mptr, i, out, calls, losses, zero_weight)
        if turn is not None:
            turn.ptr = mptr
            out.turns.append(turn)
    return out


def _read_message(
    msg: dict[str, Any], ptr: str, i: int, out: Conversation, calls: dict[str, str], losses: Losses, zero: str
) -> Turn | None:
    role = msg.get("role")
    if role in ("system", "developer"):
        if out.turns:
            losses.add(
                "P164",
                ptr,
                f"{losses.provider} holds the system prompt apart: this {role} message (message {i + 1}) was "
                "moved into it, and its place in the conversation is lost.",
            )
        out.system.append(text_of(msg.get("content")))
        return None
    if role == "user":
        return Turn("user", list(_user_parts(msg.get("content"), f"{ptr}/content", losses)))
    if role == "assistant":
        return _assistant(msg, ptr, calls, losses, zero)
    if role == "tool":
        return _tool(msg, ptr, calls, losses)
    losses.fail(ptr, f"A {role!r} message cannot be converted (legacy function messages: convert them to tools first).")
    return None


def _user_parts(content: Any, ptr: str, losses: Losses) -> list[Part]:
    if isinstance(content, str):
        return [Part("text", ptr, text=content)]
    parts = []
    for j, part in enumerate(content if isinstance(content, list) else []):
        pptr = f"{ptr}/{j}"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            parts.append(Part("text", f"{pptr}/text", text=part["text"]))
        elif kind == "image_url" and isinstance(part.get("image_url"), dict):
            image = part["image_url"]
            if "detail" in image:
                losses.add(
                    "P166", f"{pptr}/image_url/detail", f"{losses.provider} has no image detail; it was left out."
                )
            parts.append(Part("image", f"{pptr}/image_url/url", text=str(image.get("url", ""))))
        else:
            losses.fail(pptr, f"A content part of type {kind!r} cannot be converted.")
    return parts


def _assistant(msg: dict[str, Any], ptr: str, calls: dict[str, str], losses: Losses, zero: str) -> Turn | None:
    if msg.get("weight") == 0:
        kept = zero == "train"
        what = "is now trained on (--zero-weight drop leaves it out)" if kept else "was left out (--zero-weight drop)"
        losses.add(
            "P162", f"{ptr}/weight", f"{losses.provider} has no per-message weight: this weight-0 message {what}."
        )
        if not kept:
            return None
    for key in ("refusal", "audio"):
        if key in msg:
            losses.add("P166", f"{ptr}/{key}", f"{losses.provider} messages hold no {key}; it was left out.")
    if "function_call" in msg:
        losses.fail(f"{ptr}/function_call", "Legacy function_call cannot be converted; use tool_calls.")
    content = msg.get("content")
    if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "refusal" for p in content):
        losses.add("P166", f"{ptr}/content", f"{losses.provider} has no refusal part; it was left out.")
    parts = [Part("text", f"{ptr}/content", text=text_of(content))] if text_of(content) else []
    tool_calls = msg.get("tool_calls")
    for j, call in enumerate(tool_calls if isinstance(tool_calls, list) else []):
        part = _call(call, f"{ptr}/tool_calls/{j}", losses)
        if part is not None:
            calls[part.call_id] = part.name
            parts.append(part)
    return Turn("assistant", parts)


def _call(call: Any, ptr: str, losses: Losses) -> Part | None:
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
        losses.fail(ptr, "A tool call without a function name cannot be converted.")
        return None
    args = decoded_arguments(fn.get("arguments"), f"{ptr}/function/arguments", losses)
    if args is None:
        return None
    call_id = call.get("id") if isinstance(call.get("id"), str) else ""
    return Part("call", ptr, name=fn["name"], call_id=call_id, args=args)


def decoded_arguments(arguments: Any, ptr: str, losses: Losses) -> dict[str, Any] | None:
    """A call's arguments as an object (a JSON string decoded, an object as it is); None, and a P168, when
    they are not one."""
    value = arguments
    if isinstance(arguments, str):
        try:
            value = loads(arguments or "{}")
        except ValueError:
            value = None
    if isinstance(value, dict):
        return value
    losses.fail(ptr, f"{losses.provider} takes arguments as a JSON object; these are not one.")
    return None


def _tool(msg: dict[str, Any], ptr: str, calls: dict[str, str], losses: Losses) -> Turn | None:
    call_id = msg.get("tool_call_id")
    if not isinstance(call_id, str) or call_id not in calls:
        losses.fail(
            f"{ptr}/tool_call_id", "This tool message answers no earlier tool call, so its function is unknown."
        )
        return None
    return Turn(
        "tool",
        [Part("result", f"{ptr}/content", text=text_of(msg.get("content")), name=calls[call_id], call_id=call_id)],
    )


def read_tools(record: dict[str, Any], ptr: str, losses: Losses) -> list[dict[str, Any]]:
    """The function definitions of ``tools``; ``strict``, ``parallel_tool_calls`` and ``functions`` reported."""
    if "parallel_tool_calls" in record:
        losses.add(
            "P166", f"{ptr}/parallel_tool_calls", f"{losses.provider} has no parallel_tool_calls; it was left out."
        )
    if "functions" in record:
        losses.fail(f"{ptr}/functions", "Legacy functions cannot be converted; define them in tools.")
    out = []
    tools = record.get("tools")
    for i, tool in enumerate(tools if isinstance(tools, list) else []):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(fn, dict):
            losses.fail(f"{ptr}/tools/{i}", "A tool without a function definition cannot be converted.")
            continue
        if "strict" in fn:
            where = f"{ptr}/tools/{i}/function/strict"
            losses.add("P166", where, f"{losses.provider} has no strict function schemas; strict was left out.")
        out.append({k: v for k, v in fn.items() if k in ("name", "description", "parameters")})
    return out


def result_object(text: str) -> tuple[dict[str, Any], bool]:
    """A tool result as an object: the JSON object it holds, else ``{"content": text}``; and whether it was JSON."""
    try:
        value = loads(text)
    except ValueError:
        return {"content": text}, False
    return (value, True) if isinstance(value, dict) else ({"content": text}, False)


def reply_texts(output: Any, ptr: str, losses: Losses) -> list[dict[str, Any]]:
    """The text blocks of a preference output (``[{"text": ...}]``); a tool call in it is a P168 (text only)."""
    messages = output if isinstance(output, list) else []
    for i, msg in enumerate(messages):
        if isinstance(msg, dict) and msg.get("tool_calls"):
            losses.fail(
                f"{ptr}/{i}/tool_calls",
                f"{losses.provider} preference data is text only; tool calls cannot be converted.",
            )
    texts = [text_of(m.get("content")) for m in messages if isinstance(m, dict)]
    return [{"text": t} for t in texts if t]
