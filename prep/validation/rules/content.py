"""Checks of message content: strings, content parts, images and special tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem, escape_pointer
from ...reading.jsonl import type_name
from ...records.values import brief
from ..images import data_url_bytes, image_format
from .context import CheckContext, a_role

__all__ = ["check_content", "check_parts", "check_special_tokens", "count_images"]

_UNSUPPORTED_PARTS = {"input_audio": "audio", "file": "file", "audio": "audio"}
_DETAILS = ("auto", "low", "high")


def check_content(msg: dict[str, Any], ptr: str, role: str, kind: str, ctx: CheckContext) -> Iterator[Problem]:
    """Check ``msg["content"]`` against the role's content kind (see the target profile)."""
    cptr = f"{ptr}/content"
    content = msg.get("content")
    if kind == "optional":
        has_call = bool(msg.get("tool_calls") or msg.get("function_call"))
        if content is None or (isinstance(content, str) and has_call):
            if not has_call:
                yield Problem("P222", cptr, "Assistant message has no content, tool_calls or function_call.")
            return
    elif kind == "nullable":
        if content is not None and not isinstance(content, str):
            yield Problem("P112", cptr, f"content must be a string or null, found {type_name(content)}.")
        return
    elif content is None:
        what = "is missing" if "content" not in msg else "is null"
        yield Problem("P205", cptr, f"content {what}; {a_role(role)} message needs content.")
        return
    if isinstance(content, str):
        if not content.strip():
            yield Problem(
                "P206", cptr, f"content of {a_role(role)} message is {'empty' if not content else 'only whitespace'}."
            )
    elif kind == "string":
        yield Problem("P208", cptr, f"Tool message content must be a string, found {type_name(content)}.")
    elif isinstance(content, list):
        yield from check_parts(content, cptr, role, kind, ctx)
    else:
        yield Problem("P112", cptr, f"content must be a string or an array of parts, found {type_name(content)}.")


def check_parts(parts: list[Any], ptr: str, role: str, kind: str, ctx: CheckContext) -> Iterator[Problem]:
    if not parts:
        yield Problem("P113", ptr, "content is an empty array; give a string or at least one part.")
    for i, part in enumerate(parts):
        pptr = f"{ptr}/{i}"
        ptype = part.get("type") if isinstance(part, dict) else None
        ptype = ptype if isinstance(ptype, str) else None
        if ptype == "text":
            yield from _check_text_part(part, pptr)
        elif ptype == "image_url":
            if role == "assistant":
                yield Problem("P217", pptr, "Images are not allowed in assistant messages.")
            elif kind != "parts" or role not in ctx.target.images.roles:
                yield Problem("P207", pptr, f"{a_role(role).capitalize()} message takes text parts only, not images.")
            else:
                yield from _check_image_part(part, pptr, ctx)
        elif ptype == "refusal" and role == "assistant":
            if not isinstance(part.get("refusal"), str):
                yield Problem("P207", f"{pptr}/refusal", "A refusal part needs a string refusal.")
        elif ptype in _UNSUPPORTED_PARTS:
            yield Problem(
                "P207", pptr, f"{_UNSUPPORTED_PARTS[ptype].capitalize()} input is not supported for fine-tuning."
            )
        elif not isinstance(part, dict):
            yield Problem("P207", pptr, f"A content part must be an object, found {type_name(part)}.")
        else:
            yield Problem(
                "P207",
                f"{pptr}/type",
                f"Unknown content part type {brief(part.get('type'))}; use 'text' or 'image_url'.",
            )


def _check_text_part(part: dict[str, Any], ptr: str) -> Iterator[Problem]:
    for key in [k for k in part if k not in ("type", "text")]:
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in a text part.")
    text = part.get("text")
    if not isinstance(text, str):
        yield Problem("P207", f"{ptr}/text", f"A text part needs a string text, found {type_name(text)}.")
    elif not text.strip():
        yield Problem("P206", f"{ptr}/text", "Text part is empty or only whitespace.")


def _check_image_part(part: dict[str, Any], ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    for key in [k for k in part if k not in ("type", "image_url")]:
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in an image part.")
    image = part.get("image_url")
    if not isinstance(image, dict) or not isinstance(image.get("url"), str):
        yield Problem("P207", f"{ptr}/image_url", 'An image part needs "image_url": {"url": "https://… or data:…"}.')
        return
    for key in [k for k in image if k not in ("url", "detail")]:
        yield Problem("P110", f"{ptr}/image_url{escape_pointer(key)}", f"Unknown key {key!r} in image_url.")
    if "detail" in image and image["detail"] not in _DETAILS:
        yield Problem("P207", f"{ptr}/image_url/detail", f"detail must be one of {', '.join(_DETAILS)}.")
    url: str = image["url"]
    uptr = f"{ptr}/image_url/url"
    sources = ctx.target.images.sources
    if url.startswith("data:"):
        if "data" not in sources:
            yield Problem("P239", uptr, f"{ctx.target.provider} takes images only by URL, not as data URLs.")
        else:
            yield from _check_data_url(url, uptr, ctx)
    elif not url.startswith(("https://", "http://")):
        yield Problem("P207", uptr, "Image URL must be an http(s) URL or a base64 data URL.")
    elif "url" not in sources:
        yield Problem(
            "P239",
            uptr,
            f"{ctx.target.provider} takes images only as base64 data URLs "
            "(data:image/<format>;base64,...); download and encode the image.",
        )


def _check_data_url(url: str, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    header, _, payload = url.partition(",")
    mime = header[5:].split(";")[0].lower()
    allowed = ctx.target.images.formats
    if ";base64" not in header or not payload:
        yield Problem("P220", ptr, "Data URL must be base64-encoded: data:image/<format>;base64,<data>.")
        return
    size = len(payload) * 3 // 4 - payload[-2:].count("=")
    if size > ctx.target.images.max_bytes:
        limit = ctx.target.images.max_bytes / 1024 / 1024
        yield Problem("P219", ptr, f"Image is {size / 1024 / 1024:.1f} MB; the limit is {limit:g} MB.")
    declared = mime.removeprefix("image/").replace("jpg", "jpeg")
    head = data_url_bytes(url, 64)
    if head is None:
        yield Problem("P220", ptr, "Data URL payload is not valid base64.")
        return
    actual = image_format(head)
    if actual not in allowed:
        found = actual or f"declared as {mime or 'nothing'}"
        yield Problem("P220", ptr, f"Image format {found} is not allowed; use {', '.join(sorted(allowed)).upper()}.")
    elif declared != actual:
        yield Problem("P220", ptr, f"Data URL says {mime or 'no type'} but the bytes are {actual.upper()}.")


def count_images(messages: list[Any]) -> int:
    """How many image parts the messages hold."""
    n = 0
    for msg in messages:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):
            n += sum(1 for p in content if isinstance(p, dict) and p.get("type") == "image_url")
    return n


def check_special_tokens(value: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """Every string (and key) of the example that holds a special token, in document order.

    Walks with a stack, not recursion: valid JSON may nest a thousand levels deep.
    """
    stack: list[tuple[str, Any]] = [(ptr, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            match = ctx.special_tokens.search(node)
            if match:
                yield Problem(
                    "P221",
                    where,
                    f"Text holds the special token {match.group()}; {ctx.target.provider} rejects it. "
                    "Remove or escape it.",
                )
        elif isinstance(node, dict):
            for key, item in reversed(list(node.items())):
                stack.append((f"{where}{escape_pointer(key)}", item))
                stack.append((where, key))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", item) for i, item in reversed(list(enumerate(node))))
