"""Counts for gpt-oss with openai-harmony: the harmony format, rendered for training, in o200k_harmony.

openai-harmony's Rust core reads o200k_base's rank file and adds the harmony
special tokens; it looks in the folder named by ``TIKTOKEN_ENCODINGS_BASE``
first (the file is SHA-256 checked), so `load_harmony` points it at the rank
file prep ships (or the ``--tiktoken-dir`` folder): no download.

The conversation is converted as gpt-oss' chat template converts it: the first
system (or developer) message becomes the developer instructions, ``tools``
function tools, assistant reasoning an ``analysis`` message, content a
``final`` message (``commentary`` next to tool calls), each tool call a
``commentary`` message to ``functions.NAME``, and a tool result a message from
``functions.NAME``. The system message holds today's date and the reasoning
effort, as the template's does. A turn's trained tokens run from after
``<|start|>assistant`` to the end of its last message; the analysis of earlier
turns, which the training renderer drops, is left out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import TokenizerUnavailableError, require
from .conversation import Conversation, conversation
from .counts import Counts, RenderError, TokenSpan

__all__ = ["count_harmony", "load_harmony"]

_lock = threading.Lock()
_encoding: Any = None


def load_harmony(rank_files: Path) -> Any:
    """The HarmonyGptOss encoding, loaded once, from ``rank_files/o200k_base.tiktoken``."""
    global _encoding
    harmony = require("openai_harmony", "gpt-oss")
    with _lock:
        if _encoding is None:
            before = os.environ.get("TIKTOKEN_ENCODINGS_BASE")
            os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(rank_files)  # read by the Rust loader, once
            try:
                _encoding = harmony.load_harmony_encoding(harmony.HarmonyEncodingName.HARMONY_GPT_OSS)
            except Exception as exc:
                raise TokenizerUnavailableError(f"Cannot load the harmony encoding from {rank_files}: {exc}.") from None
            finally:
                _restore("TIKTOKEN_ENCODINGS_BASE", before)
        return _encoding


def _restore(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


def count_harmony(
    example: Mapping[str, Any], rank_files: Path, *, effort: str = "medium", date: str | None = None
) -> Counts:
    """Counts for a chat example rendered in the harmony format for training."""
    from openai_harmony import Conversation as HarmonyConversation
    from openai_harmony import RenderOptions, Role

    enc = load_harmony(rank_files)
    try:
        messages, owners, conv = _to_harmony(example, effort, date or dt.date.today().isoformat())
        tokens: list[int] = enc.render_conversation_for_training(HarmonyConversation.from_messages(messages))
    except Exception as exc:  # pydantic and the Rust core raise many classes
        raise RenderError(f"the harmony renderer refuses it: {exc}") from None
    header = len(enc.render_conversation_for_completion(HarmonyConversation.from_messages([]), Role.ASSISTANT))
    options = RenderOptions(conversation_has_function_tools=bool(conv.tools))
    where, exact = _align(enc, options, messages, owners, tokens)
    spans = [
        TokenSpan(i, where[i][0] + header, where[i][1])
        for i, m in enumerate(conv.messages)
        if m.get("role") == "assistant" and i in where and conv.weights[i] != 0
    ]
    notes = conv.notes + (() if exact else ("harmony message bounds not found; some trained tokens left out",))
    return Counts(len(tokens), tuple(spans), (), "harmony", exact and not conv.notes, notes)


def _align(
    enc: Any, options: Any, messages: list[Any], owners: list[int], tokens: list[int]
) -> tuple[dict[int, tuple[int, int]], bool]:
    """Each source message's token range, from each harmony message rendered alone; and whether all were found."""
    where: dict[int, tuple[int, int]] = {}
    pos = 0
    for k, (message, owner) in enumerate(zip(messages, owners, strict=True)):
        part = enc.render(message, options)
        last = int(k == len(messages) - 1)  # the last message closes with <|return|>, not <|end|>
        if tokens[pos : pos + len(part) - last] != part[: len(part) - last]:
            if message.channel == "analysis":
                continue  # dropped by the training renderer
            return where, False
        start = where.get(owner, (pos, pos))[0]
        where[owner] = (start, pos + len(part))
        pos += len(part)
    return where, pos == len(tokens)


def _to_harmony(example: Mapping[str, Any], effort: str, date: str) -> tuple[list[Any], list[int], Conversation]:
    """Harmony messages, the source message of each (-1: the header), and the conversation."""
    from openai_harmony import Author, DeveloperContent, Message, ReasoningEffort, Role, SystemContent, ToolDescription

    conv = conversation(example, parse_arguments=False)
    source, tools = conv.messages, conv.tools or []
    system = SystemContent.new().with_reasoning_effort(ReasoningEffort(effort.capitalize()))
    out: list[Any] = [Message.from_role_and_content(Role.SYSTEM, system.with_conversation_start_date(date))]
    owners = [-1]
    first = 0 if source and source[0].get("role") in ("system", "developer") else None
    if first is not None or tools:
        dev = DeveloperContent.new()
        if first is not None:
            dev = dev.with_instructions(_text(source[0].get("content")))
        if tools:
            fns = [t["function"] for t in tools]
            dev = dev.with_function_tools(
                [ToolDescription.new(f["name"], f.get("description", ""), parameters=f.get("parameters")) for f in fns]
            )
        out.append(Message.from_role_and_content(Role.DEVELOPER, dev))
        owners.append(-1 if first is None else 0)
    for i, m in enumerate(source):
        if i != first:
            parts = _message(m, Author, Message, Role)
            out += parts
            owners += [i] * len(parts)
    return out, owners, conv


def _message(m: Mapping[str, Any], Author: Any, Message: Any, Role: Any) -> list[Any]:
    role = m.get("role")
    if role == "assistant":
        return _assistant(m, Message, Role)
    if role == "tool":
        author = Author.new(Role.TOOL, f"functions.{m.get('name', 'tool')}")
        message = Message.from_author_and_content(author, _text(m.get("content")))
        return [message.with_recipient("assistant").with_channel("commentary")]
    kind = Role.DEVELOPER if role in ("system", "developer") else Role.USER
    return [Message.from_role_and_content(kind, _text(m.get("content")))]


def _assistant(m: Mapping[str, Any], Message: Any, Role: Any) -> list[Any]:
    out = []
    reasoning = m.get("reasoning_content") or m.get("thinking") or m.get("reasoning")
    if reasoning:
        out.append(Message.from_role_and_content(Role.ASSISTANT, reasoning).with_channel("analysis"))
    calls = m.get("tool_calls") or []
    if m.get("content"):  # next to tool calls, content is a preamble (the commentary channel)
        channel = "commentary" if calls else "final"
        out.append(Message.from_role_and_content(Role.ASSISTANT, _text(m["content"])).with_channel(channel))
    for call in calls:
        fn = call["function"]
        args = fn["arguments"] if isinstance(fn["arguments"], str) else json.dumps(fn["arguments"])
        message = Message.from_role_and_content(Role.ASSISTANT, args).with_channel("commentary")
        out.append(message.with_recipient(f"functions.{fn['name']}").with_content_type("<|constrain|>json"))
    return out


def _text(content: Any) -> str:
    return "" if content is None else str(content)
