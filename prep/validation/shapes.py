"""What measurements need of an example, whatever its shape: its turns, whether it has a system prompt, its media.

OpenAI's formats hold ``messages`` (a preference example in ``input``); Vertex
data holds ``contents`` and a separate ``systemInstruction``; Nova data holds
``messages`` of Converse blocks and a separate ``system``; TRL preference data
holds a ``prompt``. Values of the wrong type count as empty: the rules report them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..targets.profile import DataFormat

__all__ = ["Media", "Shape", "media_of", "shape_of", "turns_of"]

_VERTEX = (DataFormat.VERTEX, DataFormat.VERTEX_PREFERENCE, DataFormat.VERTEX_REINFORCEMENT)
_NOVA = (DataFormat.NOVA, DataFormat.NOVA_PREFERENCE)
_FLAT = (DataFormat.COMPLETION, DataFormat.TEXT)


class Media(NamedTuple):
    """One media item of an example: ``image``, ``video`` or ``file``, and where it is."""

    kind: str
    uri: str


class Shape(NamedTuple):
    """An example's turns (each with its role, or None), and whether a system prompt stands apart or first."""

    roles: list[str | None]
    system: bool


def turns_of(value: dict[str, Any], fmt: DataFormat) -> list[Any]:
    """The turns of the conversation (the input of a preference example, the prompt of a TRL one)."""
    if fmt in _FLAT:
        return []
    if fmt is DataFormat.PREFERENCE:
        inp = value.get("input")
        value = inp if isinstance(inp, dict) else {}
    key = "contents" if fmt in _VERTEX else "prompt" if fmt is DataFormat.TRL_PREFERENCE else "messages"
    turns = value.get(key)
    return turns if isinstance(turns, list) else []


def shape_of(value: dict[str, Any], fmt: DataFormat) -> Shape:
    """The roles of the turns, and whether the example has a system prompt (first, or apart)."""
    roles = [_role(t) for t in turns_of(value, fmt)]
    apart = fmt in _VERTEX and any(k in value for k in ("systemInstruction", "system_instruction"))
    apart = apart or (fmt in _NOVA and bool(value.get("system")))
    return Shape(roles, apart or "system" in roles or "developer" in roles)


def _role(turn: Any) -> str | None:
    role = turn.get("role") if isinstance(turn, dict) else None
    return role if isinstance(role, str) else None


def plain_roles(value: dict[str, Any]) -> tuple[str, ...] | None:
    """The roles of a plain chat example, else None: one walk over the messages of the commonest example.

    Plain: ``messages`` is its only key, a non-empty list of messages that each hold
    only a string ``role`` and a string ``content`` that is not blank. Such an example
    votes chat (or reinforcement, with a developer message), holds no media and no
    tools, is clean when examples of its roles are (`rules.fastpath.is_clean`), and
    counts as `TokenCounter.plain_chat` counts it.
    """
    messages = value.get("messages")
    if len(value) != 1 or type(messages) is not list or not messages:
        return None
    roles = []
    for msg in messages:
        if type(msg) is not dict or len(msg) != 2:
            return None
        role, content = msg.get("role"), msg.get("content")
        if type(role) is not str or type(content) is not str or not content or content.isspace():
            return None
        roles.append(role)
    return tuple(roles)


def media_of(value: dict[str, Any], fmt: DataFormat) -> list[Media]:
    """Every image, video or file an example refers to, in order."""
    if fmt in _VERTEX:
        return list(_vertex_media(turns_of(value, fmt)))
    if fmt in _NOVA:
        return list(_nova_media(turns_of(value, fmt)))
    return list(_openai_media(turns_of(value, fmt)))


def _items(turns: list[Any], key: str) -> Iterator[dict[str, Any]]:
    for turn in turns:
        blocks = turn.get(key) if isinstance(turn, dict) else None
        if isinstance(blocks, list):
            yield from (b for b in blocks if isinstance(b, dict))


def _openai_media(turns: list[Any]) -> Iterator[Media]:
    for part in _items(turns, "content"):
        image = part.get("image_url") if part.get("type") == "image_url" else None
        if image is not None:
            url = image.get("url") if isinstance(image, dict) else None
            yield Media("image", url if isinstance(url, str) else "")


def _vertex_media(turns: list[Any]) -> Iterator[Media]:
    for part in _items(turns, "parts"):
        data = part.get("fileData")
        if isinstance(data, dict):
            mime, uri = data.get("mimeType"), data.get("fileUri")
            kind = mime.split("/")[0] if isinstance(mime, str) else ""
            yield Media(kind if kind in ("image", "video") else "file", uri if isinstance(uri, str) else "")


def _nova_media(turns: list[Any]) -> Iterator[Media]:
    for block in _items(turns, "content"):
        for kind in ("image", "video", "document"):
            item = block.get(kind)
            if isinstance(item, dict):
                yield Media(kind if kind != "document" else "file", _s3_uri(item))


def _s3_uri(item: dict[str, Any]) -> str:
    source = item.get("source")
    location = source.get("s3Location") if isinstance(source, dict) else None
    uri = location.get("uri") if isinstance(location, dict) else None
    return uri if isinstance(uri, str) else ""
