"""Checks of conversations made of content blocks: Vertex ``contents`` of ``parts``, Nova ``messages``.

A turn is ``{"role": ..., <content key>: [block, ...]}``; each block holds
exactly one kind (``{"text": ...}``, ``{"fileData": {...}}``, ``{"toolUse": {...}}``),
one that the role's ``blocks`` in the target profile names. What each kind
must hold is the caller's (a table of `BlockKind` per kind name), and so is
what a whole example must hold; the roles and their order are checked as for
OpenAI messages (`conversation.check_role_order`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from ...issues import Problem, escape_pointer
from ...reading.jsonl import type_name
from .context import CheckContext, a_role

__all__ = [
    "BlockKind",
    "check_block",
    "check_closed",
    "check_string",
    "check_text",
    "check_turn",
    "check_turns",
]


class BlockKind(NamedTuple):
    """How to check one kind of block: ``check(value, pointer, role, ctx)``; ``media`` kinds never come from
    the role trained on."""

    check: Callable[[Any, str, str, CheckContext], Iterator[Problem]]
    media: bool = False


Kinds = Mapping[str, BlockKind]


def check_turns(turns: Any, ptr: str, ctx: CheckContext, content_key: str, kinds: Kinds) -> Iterator[Problem]:
    """The array of turns, and each turn in it (not their order: `check_role_order` does that)."""
    name = ptr.rsplit("/", 1)[-1]
    if not isinstance(turns, list):
        yield Problem("P112", ptr, f"{name} must be an array of turns, found {type_name(turns)}.")
        return
    if not turns:
        yield Problem("P113", ptr, f"{name} is empty; an example needs at least one turn.")
    for i, turn in enumerate(turns):
        yield from check_turn(turn, f"{ptr}/{i}", ctx, content_key, kinds)


def check_turn(
    turn: Any,
    ptr: str,
    ctx: CheckContext,
    content_key: str,
    kinds: Kinds,
    *,
    roles: frozenset[str] | None = None,
    keys: frozenset[str] | None = None,
    required: frozenset[str] | None = None,
) -> Iterator[Problem]:
    """One turn: its role (among ``roles``, default the format's), keys and required keys (default the
    role's) and blocks."""
    if not isinstance(turn, dict):
        yield Problem("P112", ptr, f"A turn must be an object, found {type_name(turn)}.")
        return
    allowed = roles if roles is not None else ctx.rules.roles
    role = turn.get("role")
    if not isinstance(role, str) or role not in ctx.target.roles or role not in allowed:
        yield _role_problem(role, f"{ptr}/role", allowed)
        return
    rules = ctx.target.roles[role]
    yield from check_closed(turn, ptr, keys if keys is not None else rules.keys, f"{a_role(role)} turn")
    for key in sorted((rules.required if required is None else required) - turn.keys()):
        yield Problem("P111", f"{ptr}/{key}", f"{a_role(role).capitalize()} turn needs {key!r}.")
    if content_key in turn:
        yield from _check_blocks(turn[content_key], f"{ptr}/{content_key}", role, rules.blocks, ctx, kinds)


def _role_problem(role: Any, ptr: str, allowed: frozenset[str]) -> Problem:
    names = ", ".join(sorted(allowed))
    if role is None:
        return Problem("P201", ptr, f"Turn has no role; use one of: {names}.")
    if isinstance(role, str) and role.strip().lower() in allowed:
        return Problem("P202", ptr, f"Unknown role {role!r}: roles are exact and lowercase ({role.strip().lower()!r}).")
    return Problem("P202", ptr, f"Unknown role {role!r} here; use one of: {names}.")


def _check_blocks(
    blocks: Any, ptr: str, role: str, allowed: frozenset[str], ctx: CheckContext, kinds: Kinds
) -> Iterator[Problem]:
    if not isinstance(blocks, list):
        yield Problem("P112", ptr, f"Must be an array of content blocks, found {type_name(blocks)}.")
        return
    if not blocks:
        yield Problem("P113", ptr, "The list of content blocks is empty; a turn needs at least one.")
    for j, block in enumerate(blocks):
        yield from check_block(block, f"{ptr}/{j}", role, allowed, ctx, kinds)


def check_block(
    block: Any, ptr: str, role: str, allowed: frozenset[str], ctx: CheckContext, kinds: Kinds
) -> Iterator[Problem]:
    """One block: exactly one kind, one the role may hold, and what that kind must hold."""
    if not isinstance(block, dict):
        yield Problem("P207", ptr, f"A content block must be an object, found {type_name(block)}.")
        return
    known = sorted(k for k in allowed if k in kinds)
    present = [k for k in block if k in kinds]
    for key in [k for k in block if k not in kinds]:
        yield Problem(
            "P207",
            f"{ptr}{escape_pointer(key)}",
            f"Unknown content block kind {key!r}; use one of: {', '.join(known)}.",
        )
    if len(present) > 1:
        shown = ", ".join(present)
        yield Problem("P245", ptr, f"A content block holds exactly one kind; this one holds {shown}: split it.")
    elif not block:
        yield Problem("P245", ptr, f"Content block is empty; it needs one of: {', '.join(known)}.")
    for kind in present:
        yield from _check_kind(block[kind], f"{ptr}{escape_pointer(kind)}", kind, role, allowed, ctx, kinds)


def _check_kind(
    value: Any, ptr: str, kind: str, role: str, allowed: frozenset[str], ctx: CheckContext, kinds: Kinds
) -> Iterator[Problem]:
    if kind in allowed:
        yield from kinds[kind].check(value, ptr, role, ctx)
    elif kinds[kind].media and role == ctx.rules.assistant_role:
        yield Problem("P217", ptr, f"{kind} is not allowed in {a_role(role)} turn: media come from the user.")
    else:
        yield Problem(
            "P207", ptr, f"{a_role(role).capitalize()} turn cannot hold {kind}; it takes: {', '.join(sorted(allowed))}."
        )


def check_closed(value: dict[str, Any], ptr: str, keys: frozenset[str], where: str) -> Iterator[Problem]:
    """Keys outside ``keys`` (a closed set)."""
    for key in [k for k in value if k not in keys]:
        allowed = ", ".join(sorted(keys)) or "none"
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in {where}; allowed: {allowed}.")


def check_string(value: Any, ptr: str, what: str, *, code: str = "P112") -> Iterator[Problem]:
    """A non-empty string."""
    if not isinstance(value, str):
        yield Problem(code, ptr, f"{what} must be a string, found {type_name(value)}.")
    elif not value.strip():
        yield Problem(code, ptr, f"{what} is empty.")


def check_text(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    """A text block: a non-empty string, free of the words the target reserves in this role's text."""
    if not isinstance(value, str):
        yield Problem("P207", ptr, f"text must be a string, found {type_name(value)}.")
        return
    if not value.strip():
        yield Problem("P206", ptr, f"Text of {a_role(role)} turn is {'empty' if not value else 'only whitespace'}.")
    reserved = ctx.target.reserved
    if role in reserved.roles:
        word = reserved.find(value)
        if word is not None:
            case = " (in any letter case)" if reserved.ignore_case else ""
            yield Problem(
                "P248",
                ptr,
                f"Text holds {word!r}{case}, a word {ctx.target.provider} reserves: the job fails on it. "
                "Reword or remove it.",
            )
