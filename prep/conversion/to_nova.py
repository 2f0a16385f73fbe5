"""OpenAI records as Amazon Bedrock Nova data (``prep convert --to nova``), as targets §11 says.

- ``"schemaVersion": "bedrock-conversation-2024"``;
- system (and developer) messages -> the ``system`` array, in order;
- each message's content -> Converse blocks (``{"text": ...}``);
- images -> ``image`` blocks read from S3: a data URL is written out
  (``--media-dir``) and referred to by ``--media-prefix`` (``s3://bucket/path/``);
  Nova reads no other URL;
- ``tool_calls`` -> ``toolUse`` blocks (``input``: the decoded arguments);
  tool messages -> a ``user`` turn of ``toolResult`` blocks (``{"json": ...}``
  when the result is a JSON object, else ``{"text": ...}``); ``tools`` ->
  ``toolConfig`` (Nova 2 SFT trains on none: the check says so);
- turns of one role in a row are merged into one, as Nova needs user and
  assistant to alternate (the results of one turn's calls belong together);
- preference -> the input's messages, then an assistant message whose
  ``candidates`` are the two outputs, ``preferred`` and ``non-preferred``.

What Nova cannot hold is reported on the line (`.turns.Losses`).
"""

from __future__ import annotations

from typing import Any

from .media import Settings, image_ref
from .turns import Conversation, Losses, Part, input_of, read_conversation, read_tools, reply_texts, result_object

__all__ = ["SCHEMA_VERSION", "nova_preference", "nova_sft"]

SCHEMA_VERSION = "bedrock-conversation-2024"


def nova_sft(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A chat record as a Nova supervised example."""
    conversation = read_conversation(record.get("messages") or [], "/messages", losses, settings.zero_weight)
    out = _header(conversation)
    out["messages"] = _messages(conversation, settings, losses)
    tools = read_tools(record, "", losses)
    if tools:
        out["toolConfig"] = {"tools": [{"toolSpec": _spec(fn)} for fn in tools]}
    return out


def _header(conversation: Conversation) -> dict[str, Any]:
    out: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION}
    texts = [t for t in conversation.system if t]
    if texts:
        out["system"] = [{"text": t} for t in texts]
    return out


def _spec(fn: dict[str, Any]) -> dict[str, Any]:
    schema = fn.get("parameters") if isinstance(fn.get("parameters"), dict) else {"type": "object", "properties": {}}
    spec = {"name": fn.get("name"), "description": fn.get("description", ""), "inputSchema": {"json": schema}}
    return spec


def _messages(conversation: Conversation, settings: Settings, losses: Losses) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    previous = None
    for turn in conversation.turns:
        role = "assistant" if turn.role == "assistant" else "user"
        blocks = [b for b in (_block(part, settings, losses) for part in turn.parts) if b is not None]
        if messages and messages[-1]["role"] == role:
            if not (turn.role == "tool" and previous == "tool"):
                losses.add(
                    "P165",
                    turn.ptr,
                    f"{losses.provider} needs user and assistant turns to alternate: this {turn.role} message was "
                    f"merged into the {role} turn before it.",
                )
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})
        previous = turn.role
    return messages


def _block(part: Part, settings: Settings, losses: Losses) -> dict[str, Any] | None:
    if part.kind == "text":
        return {"text": part.text}
    if part.kind == "call":
        return {"toolUse": {"toolUseId": part.call_id, "name": part.name, "input": part.args}}
    if part.kind == "result":
        value, is_json = result_object(part.text)
        return {
            "toolResult": {"toolUseId": part.call_id, "content": [{"json": value} if is_json else {"text": part.text}]}
        }
    image = image_ref(part.text, part.ptr, settings, losses)
    if image is None:
        return None
    return {"image": {"format": image.format, "source": {"s3Location": {"uri": image.uri}}}}


def nova_preference(record: dict[str, Any], settings: Settings, losses: Losses) -> dict[str, Any]:
    """A preference record as a Nova DPO example: the outputs become the last message's candidates."""
    inp = input_of(record)
    conversation = read_conversation(inp.get("messages") or [], "/input/messages", losses, settings.zero_weight)
    if "tools" in inp:
        losses.add("P166", "/input/tools", f"{losses.provider} preference data holds no tools; they were left out.")
    out = _header(conversation)
    out["messages"] = _messages(conversation, settings, losses)
    labels = (("preferred_output", "preferred"), ("non_preferred_output", "non-preferred"))
    candidates = [
        {"content": reply_texts(record.get(key), f"/{key}", losses), "preferenceLabel": label} for key, label in labels
    ]
    out["messages"].append({"role": "assistant", "candidates": candidates})
    return out
