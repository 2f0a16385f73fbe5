"""Turn one valid example into one faulty JSONL line of a named kind.

Each corruption touches exactly one line and never adds or removes a line
break, so a checker must report the fault on that line's own number.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable

SPECIAL_TOKEN = "<|endoftext|>"
BAD_ROLES = ("bot", "human", "Assistant", "model", "developer")
JUNK = (b"\xff\xfe", b"\xc3\x28", b"\x80", b"Caf\xe9 ")  # never valid UTF-8


def dumps(example: object, ensure_ascii: bool) -> bytes:
    return json.dumps(example, ensure_ascii=ensure_ascii).encode("utf-8")


def _pick(rng: random.Random, messages: list[dict], want: Callable[[dict], bool]) -> dict:
    return rng.choice([m for m in messages if want(m)])


def _is_text(m: dict) -> bool:
    return m["role"] in ("user", "assistant") and isinstance(m.get("content"), str)


def wrong_role(ex: dict, rng: random.Random) -> None:
    _pick(rng, ex["messages"], lambda m: m["role"] == "user")["role"] = rng.choice(BAD_ROLES)


def missing_content(ex: dict, rng: random.Random) -> None:
    del _pick(rng, ex["messages"], _is_text)["content"]


def bad_weight(ex: dict, rng: random.Random) -> None:
    _pick(rng, ex["messages"], lambda m: m["role"] == "assistant")["weight"] = 2


def special_token(ex: dict, rng: random.Random) -> None:
    msg = _pick(rng, ex["messages"], _is_text)
    cut = rng.randrange(len(msg["content"]) + 1)
    msg["content"] = msg["content"][:cut] + SPECIAL_TOKEN + msg["content"][cut:]


def orphan_tool_call_id(ex: dict, rng: random.Random) -> None:
    messages = ex["messages"]
    at = messages.index(_pick(rng, messages, lambda m: m["role"] == "user")) + 1
    orphan = {"role": "tool", "tool_call_id": f"call_orphan{rng.getrandbits(48):012x}", "content": '{"status": "ok"}'}
    messages.insert(at, orphan)


EXAMPLE_CORRUPTIONS = {
    "wrong_role": wrong_role,
    "missing_content": missing_content,
    "bad_weight": bad_weight,
    "special_token": special_token,
    "orphan_tool_call_id": orphan_tool_call_id,
}


def invalid_json(line: bytes, rng: random.Random) -> bytes:
    text = line.decode("utf-8")
    variant = rng.randrange(3)
    if variant == 0:  # a truncated write
        return text[: rng.randrange(1, len(text))].encode("utf-8")
    if variant == 1:
        return (text[:-1] + ",}").encode("utf-8")  # trailing comma
    return text.replace('"messages"', "'messages'", 1).encode("utf-8")  # Python-repr quoting


def invalid_utf8(line: bytes, rng: random.Random) -> bytes:
    at = line.index(b'"content": "') + len(b'"content": "')
    return line[:at] + rng.choice(JUNK) + line[at:]


def non_object(line: bytes, rng: random.Random) -> bytes:
    return rng.choice((b"[" + line + b"]", b'"messages"', b"null", b"42"))


def blank_line(line: bytes, rng: random.Random) -> bytes:
    return rng.choice((b"", b"   "))


LINE_CORRUPTIONS = {
    "invalid_json": invalid_json,
    "invalid_utf8": invalid_utf8,
    "non_object": non_object,
    "blank_line": blank_line,
}
KINDS = tuple(sorted((*EXAMPLE_CORRUPTIONS, *LINE_CORRUPTIONS)))


def corrupt_line(example: dict, kind: str, rng: random.Random, ensure_ascii: bool = False) -> bytes:
    """The serialized line for `example` with one fault of `kind` (no trailing newline)."""
    if kind in EXAMPLE_CORRUPTIONS:
        example = copy.deepcopy(example)
        EXAMPLE_CORRUPTIONS[kind](example, rng)
        return dumps(example, ensure_ascii)
    return LINE_CORRUPTIONS[kind](dumps(example, ensure_ascii), rng)
