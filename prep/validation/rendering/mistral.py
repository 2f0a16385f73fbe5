"""Counts for Mistral models with mistral-common, the tokenizer Mistral's own trainers use.

mistral-common's wheel ships its tokenizers (`bundled`): SentencePiece v1, v2,
v3 and v7 (these need the ``sentencepiece`` package) and two tekken files. A
conversation is encoded with ``encode_chat_completion`` in fine-tuning mode
(the last message must be the assistant's). The trained tokens are what
``encode_assistant_message`` makes of each assistant message (content, tool
calls and the closing EOS), found in order in the whole sequence; ``weight: 0``
messages are left out (mistral-finetune's rule). Mistral wants tool-call ids of
nine characters ``[a-zA-Z0-9]``: other ids (OpenAI's ``call_...``) are replaced
by stable nine-character ids, so the count is an estimate by those ids' tokens.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import TokenizerUnavailableError, require
from .counts import Counts, RenderError, TokenSpan

__all__ = ["bundled", "count_mistral", "load_mistral"]

_MISTRAL_ID = re.compile(r"^[a-zA-Z0-9]{9}$")
_hook = threading.Lock()


def bundled() -> dict[str, Path]:
    """The tokenizer files inside the mistral-common wheel, by name with and without extension."""
    root = Path(str(require("mistral_common", "mistral").__file__)).parent / "data"
    files = {p.name: p for p in sorted(root.iterdir()) if p.is_file() and ("tekken" in p.name or "model" in p.name)}
    return {**{name.removesuffix(".json"): p for name, p in files.items()}, **files}


@lru_cache(maxsize=8)
def load_mistral(path: str) -> Any:
    """A MistralTokenizer in fine-tuning validation mode, loaded once per file."""
    require("mistral_common", "mistral")
    from mistral_common.protocol.instruct.validator import ValidationMode
    from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

    try:
        return MistralTokenizer.from_file(path, mode=ValidationMode.finetuning)
    except ImportError as exc:  # a SentencePiece file without the sentencepiece package
        needs = exc.name or "sentencepiece"
        hint = "pip install 'finetune-prep[mistral]'"
        raise TokenizerUnavailableError(f"{Path(path).name} needs {needs}: {hint}.") from None
    except Exception as exc:
        raise TokenizerUnavailableError(f"Cannot load the Mistral tokenizer {path}: {exc}.") from None


def count_mistral(example: Mapping[str, Any], path: str, *, honor_weights: bool = True) -> Counts:
    """Counts for a chat example (``messages``, ``tools``) with a Mistral tokenizer file."""
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    tok = load_mistral(path)
    try:
        messages, tools, notes = _to_mistral(example)
        request: Any = ChatCompletionRequest(messages=messages, tools=tools or None)
        tokens, produced = _encode(tok, request)
    except Exception as exc:  # mistral-common's validation errors (roles, ids, content) are many classes
        raise RenderError(f"mistral-common refuses it: {_first_line(exc)}") from None
    runs = _assistant_runs(example.get("messages") or [])
    if len(runs) != len(produced):
        runs, notes = [(-1, None)] * len(produced), (*notes, "assistant messages merged; weights not applied")
    spans = _locate(tokens, produced)
    if spans is None:
        return Counts(len(tokens), (), (), "mistral", False, (*notes, "assistant tokens not found in order"))
    trained = tuple(
        TokenSpan(first, start, end)
        for (first, weight), (start, end) in zip(runs, spans, strict=True)
        if end > start and not (honor_weights and weight == 0)
    )
    return Counts(len(tokens), trained, (), "mistral", not notes, notes)


def _encode(tok: Any, request: Any) -> tuple[list[int], list[list[int]]]:
    """The tokens of the request, and those of each assistant message as ``encode_assistant_message`` made them."""
    instruct = tok.instruct_tokenizer
    produced: list[list[int]] = []
    original = instruct.encode_assistant_message

    def recording(message: Any, is_before_last_user_message: bool) -> list[int]:
        out: list[int] = original(message, is_before_last_user_message)
        produced.append(out)
        return out

    with _hook:  # an instance attribute of a shared tokenizer: one count at a time
        instruct.encode_assistant_message = recording
        try:
            tokens: list[int] = tok.encode_chat_completion(request).tokens
        finally:
            del instruct.encode_assistant_message
    return tokens, produced


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _assistant_runs(messages: list[Any]) -> list[tuple[int, Any]]:
    """Consecutive assistant messages of one weight, which mistral-common merges: (first index, weight)."""
    runs: list[tuple[int, Any]] = []
    previous: tuple[Any, Any] = (None, None)
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping):
            continue
        key = (m.get("role"), m.get("weight"))
        if m.get("role") == "assistant" and key != previous:
            runs.append((i, m.get("weight")))
        previous = key
    return runs


def _locate(tokens: list[int], parts: list[list[int]]) -> list[tuple[int, int]] | None:
    """Where each part is in ``tokens``, in order (each ends with EOS, which no text makes)."""
    found, pos = [], 0
    for part in parts:
        at = _find(tokens, part, pos)
        if at < 0:
            return None
        pos = at + len(part)
        found.append((at, pos))
    return found


def _find(tokens: list[int], part: list[int], start: int) -> int:
    if not part:
        return start
    for i in range(start, len(tokens) - len(part) + 1):
        if tokens[i] == part[0] and tokens[i : i + len(part)] == part:
            return i
    return -1


def _to_mistral(example: Mapping[str, Any]) -> tuple[list[Any], list[Any], tuple[str, ...]]:
    """OpenAI messages and tools as mistral-common objects (``developer`` as ``system``), and notes."""
    from mistral_common.protocol.instruct.messages import (
        FinetuningAssistantMessage,
        SystemMessage,
        ToolMessage,
        UserMessage,
    )
    from mistral_common.protocol.instruct.tool_calls import Function, FunctionCall, Tool, ToolCall

    notes: list[str] = []
    ids = _Ids(notes)
    out: list[Any] = []
    for m in example.get("messages") or []:
        role, content = m.get("role"), _text(m.get("content"), notes)
        if role == "assistant":
            calls = [
                ToolCall(id=ids(c.get("id")) or "null", function=FunctionCall(**c["function"]))
                for c in m.get("tool_calls") or []
            ]
            out.append(FinetuningAssistantMessage(content=content, tool_calls=calls or None, weight=m.get("weight")))
        elif role == "tool":
            out.append(ToolMessage(content=content or "", tool_call_id=ids(m.get("tool_call_id"))))
        elif role in ("system", "developer"):
            out.append(SystemMessage(content=content or ""))
        else:
            out.append(UserMessage(content=content or ""))
    tools = [Tool(function=Function(**t["function"])) for t in example.get("tools") or []]
    return out, tools, tuple(dict.fromkeys(notes))


class _Ids:
    """Nine-character tool-call ids, the same for the same OpenAI id."""

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes
        self.ids: dict[str, str] = {}

    def __call__(self, call_id: str | None) -> str | None:
        if call_id is None or _MISTRAL_ID.match(call_id):
            return call_id
        if call_id not in self.ids:
            self.ids[call_id] = hashlib.sha1(call_id.encode()).hexdigest()[:9]
            self.notes.append("tool-call ids replaced by 9-character ids, as Mistral requires")
        return self.ids[call_id]


def _text(content: Any, notes: list[str]) -> str | None:
    if not isinstance(content, list):
        return content if isinstance(content, str) else None
    texts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
    if len(texts) < len(content):
        notes.append("non-text content parts not counted")
    return "\n".join(texts)
