"""OpenAI records as Gemini tuning data on Vertex AI (``prep convert --to vertex``), as targets §11 says.

- system (and developer) messages -> ``systemInstruction`` parts, in order;
- user -> a ``user`` turn; assistant -> a ``model`` turn; content -> text parts;
- images -> ``fileData``: a data URL is written out (``--media-dir``) and
  referred to by ``--media-prefix``; an http(s) URL is kept, typed by its name;
- ``tool_calls`` -> ``functionCall`` parts (``args``: the decoded arguments);
  tool messages -> a ``user`` turn of ``functionResponse`` parts (the function's
  name found by ``tool_call_id``; a result that is a JSON object is the
  response, other text becomes ``{"content": text}``); consecutive tool
  messages share one turn;
- ``tools`` -> one tool of ``functionDeclarations``;
- preference -> ``contents`` and two ``completions`` scored 1 and 0 (text only);
- reinforcement -> ``contents`` and ``references`` (strings: other values as JSON text).

What Vertex cannot hold is reported on the line (`.turns.Losses`).
"""

from __future__ import annotations

import json
from typing import Any

from ..issues import escape_pointer
from .media import Settings, image_ref
from .turns import Conversation, Losses, Part, input_of, read_conversation, read_tools, reply_texts, result_object

__all__ = ["vertex_preference", "vertex_reinforcement", "vertex_sft"]


def vertex_sft(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A chat record as a supervised tuning example."""
    conversation = read_conversation(record.get("messages") or [], "/messages", losses, settings.zero_weight)
    out = _system(conversation)
    out["contents"] = _contents(conversation, settings, losses)
    tools = read_tools(record, "", losses)
    if tools:
        out["tools"] = [{"functionDeclarations": tools}]
    return out


def _system(conversation: Conversation) -> dict[str, Any]:
    texts = [t for t in conversation.system if t]
    return {"systemInstruction": {"parts": [{"text": t} for t in texts]}} if texts else {}


def _contents(conversation: Conversation, settings: Settings, losses: Losses) -> list[dict[str, Any]]:
    contents: list[dict[str, Any]] = []
    previous = None
    for turn in conversation.turns:
        parts = [p for p in (_part(part, settings, losses) for part in turn.parts) if p is not None]
        if turn.role == "tool" and previous == "tool":
            contents[-1]["parts"].extend(parts)  # the results of one turn's calls answer together
        else:
            contents.append({"role": "model" if turn.role == "assistant" else "user", "parts": parts})
        previous = turn.role
    return contents


def _part(part: Part, settings: Settings, losses: Losses) -> dict[str, Any] | None:
    if part.kind == "text":
        return {"text": part.text}
    if part.kind == "call":
        return {"functionCall": {"name": part.name, "args": part.args}}
    if part.kind == "result":
        return {"functionResponse": {"name": part.name, "response": result_object(part.text)[0]}}
    image = image_ref(part.text, part.ptr, settings, losses)
    return {"fileData": {"mimeType": image.mime, "fileUri": image.uri}} if image else None


def vertex_preference(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A preference record as a preference tuning example (text only)."""
    inp = input_of(record)
    conversation = read_conversation(inp.get("messages") or [], "/input/messages", losses, settings.zero_weight)
    if "tools" in inp:
        losses.add("P166", "/input/tools", f"{losses.provider} preference data holds no tools; they were left out.")
    for turn in conversation.turns:
        for part in turn.parts:
            if part.kind != "text":
                losses.fail(
                    part.ptr, f"{losses.provider} preference data is text only; this {part.kind} cannot be converted."
                )
    out = _system(conversation)
    out["contents"] = _contents(conversation, settings, losses)
    out["completions"] = [
        {"score": score, "completion": {"role": "model", "parts": reply_texts(record.get(key), f"/{key}", losses)}}
        for key, score in (("preferred_output", 1), ("non_preferred_output", 0))
    ]
    return out


def vertex_reinforcement(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A reinforcement record as a reinforcement tuning example: the prompt, and its grader data as references."""
    out = vertex_sft({k: v for k, v in record.items() if k in ("messages", "tools")}, settings, losses)
    references = {}
    for key, value in record.items():
        if key in ("messages", "tools"):
            continue
        if not isinstance(value, str):
            where = escape_pointer(key)
            losses.add("P166", where, f"{losses.provider} references are strings: {key!r} was written as JSON text.")
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        references[key] = value
    out["references"] = references
    return out
