"""Counting examples of the other providers' shapes: Vertex and Nova turns of blocks, TRL preference data.

These targets count with tokenizers prep does not have (Gemini's, Nova's, each
open model's), so their counts are estimates (the profiles say
``exact_tokens = false``): each turn counts 3 tokens plus its text, as an
OpenAI message does; a function call or tool use counts its name and its
arguments as JSON plus 3; declarations count as their JSON; media count
nothing. The trained part is the model's (assistant's) turns; for preference
data the two replies, each after the shared conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from ..targets.profile import DataFormat
from .tally import Tally

__all__ = ["BLOCK_FORMATS", "block_tallies"]

PER_TURN = 3
PER_CALL = 3

_VERTEX = (DataFormat.VERTEX, DataFormat.VERTEX_PREFERENCE, DataFormat.VERTEX_REINFORCEMENT)
_NOVA = (DataFormat.NOVA, DataFormat.NOVA_PREFERENCE)
BLOCK_FORMATS = frozenset({*_VERTEX, *_NOVA, DataFormat.TRL_PREFERENCE})

Conversation = Callable[[dict[str, Any], Iterable[Any], "Tally | None"], Tally]


def block_tallies(example: dict[str, Any], fmt: DataFormat, conversation: Conversation) -> tuple[list[Tally], Tally]:
    """The token sequences of an example (two for preference data) and its trained part.

    ``conversation`` counts OpenAI-shaped messages (`TokenCounter.conversation`), for TRL data.
    """
    if fmt is DataFormat.TRL_PREFERENCE:
        return _trl(example, conversation)
    key, content, answer = ("contents", "parts", "model") if fmt in _VERTEX else ("messages", "content", "assistant")
    turns = _list(example.get(key))
    replies = _replies(example, fmt, turns)
    if replies:
        turns = turns[:-1] if fmt is DataFormat.NOVA_PREFERENCE else turns
    shared, trained = Tally(PER_TURN), Tally()
    trains = not replies and fmt is not DataFormat.VERTEX_REINFORCEMENT  # reinforcement: a prompt, nothing trained
    _system(example, shared)
    for turn in turns:
        if isinstance(turn, dict):
            _blocks(_list(turn.get(content)), shared, trained if trains and turn.get("role") == answer else None)
    if not replies:
        return [shared], trained
    sequences = []
    for blocks in replies:
        sequence = Tally(shared.constant)
        sequence.texts = list(shared.texts)
        _blocks(blocks, sequence, trained)
        sequences.append(sequence)
    return sequences, trained


def _replies(example: dict[str, Any], fmt: DataFormat, turns: list[Any]) -> list[list[Any]]:
    """The blocks of each reply of a preference example (Vertex completions, Nova candidates); [] otherwise."""
    if fmt is DataFormat.VERTEX_PREFERENCE:
        items = [c.get("completion") for c in _list(example.get("completions")) if isinstance(c, dict)]
        return [_list(t.get("parts")) for t in items if isinstance(t, dict)]
    if fmt is DataFormat.NOVA_PREFERENCE and turns and isinstance(turns[-1], dict):
        return [_list(c.get("content")) for c in _list(turns[-1].get("candidates")) if isinstance(c, dict)]
    return []


def _system(example: dict[str, Any], tally: Tally) -> None:
    system = example.get("systemInstruction", example.get("system_instruction"))
    blocks = _list(system.get("parts")) if isinstance(system, dict) else _list(example.get("system"))
    if blocks:
        tally.constant += PER_TURN
        _blocks(blocks, tally, None)
    for extra in ("tools", "toolConfig"):
        if extra in example:
            tally.texts.append(orjson.dumps(example[extra]).decode())


def _blocks(blocks: list[Any], tally: Tally, trained: Tally | None) -> None:
    tally.constant += PER_TURN
    for block in blocks:
        for t in (tally, trained) if trained is not None else (tally,):
            for text, calls in _texts(block):
                t.texts.append(text)
                t.constant += PER_CALL * calls


def _texts(block: Any) -> Iterator[tuple[str, int]]:
    """(text, calls) of a block: its text, or a call's name and JSON (one call each)."""
    if not isinstance(block, dict):
        return
    if isinstance(block.get("text"), str):
        yield block["text"], 0
    reasoning = block.get("reasoningContent")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("reasoningText"), dict):
        text = reasoning["reasoningText"].get("text")
        if isinstance(text, str):
            yield text, 0
    for key, body in (("functionCall", "args"), ("functionResponse", "response"), ("toolUse", "input")):
        call = block.get(key)
        if isinstance(call, dict):
            yield f"{call.get('name', '')}{orjson.dumps(call.get(body, {})).decode()}", 1
    result = block.get("toolResult")
    if isinstance(result, dict):
        yield orjson.dumps(result.get("content", [])).decode(), 1


def _trl(example: dict[str, Any], conversation: Conversation) -> tuple[list[Tally], Tally]:
    prompt = example.get("prompt")
    sequences, trained = [], Tally()
    for key in ("chosen", "rejected"):
        reply = example.get(key)
        if isinstance(reply, list):
            base = {"messages": prompt if isinstance(prompt, list) else [], "tools": example.get("tools")}
            sequences.append(conversation(base, reply, None))
            trained.constant += PER_TURN * len(reply)
            trained.texts.extend(_message_texts(reply))
        else:
            sequence = Tally()
            sequence.texts.extend(s for s in (prompt, reply) if isinstance(s, str))
            trained.texts.extend(s for s in (reply,) if isinstance(s, str))
            sequences.append(sequence)
    return sequences, trained


def _message_texts(messages: list[Any]) -> Iterator[str]:
    for msg in messages:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            yield content


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
