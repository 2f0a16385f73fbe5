"""Checks of TRL preference data: ``prompt``, ``chosen`` and ``rejected``.

TRL takes two kinds (targets §8, dataset_formats.md): *standard* (three
strings) and *conversational* (lists of messages, as in chat data, under the
target's message rules). The prompt may be implicit: then ``chosen`` and
``rejected`` are whole conversations that share their beginning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem
from ...reading.jsonl import type_name
from .context import CheckContext
from .conversation import check_keys, check_messages, check_role_order, check_tools, roles_of
from .messages import check_message

__all__ = ["check_trl_preference"]

_KEYS = ("prompt", "chosen", "rejected")


def check_trl_preference(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Keys, one kind (strings or messages) for all three, the messages, and two different replies."""
    rules = ctx.rules
    yield from check_keys(example, "", rules.keys, rules.required, "a preference example", hints=False)
    present = [k for k in _KEYS if k in example]
    conversational = any(isinstance(example[k], list) for k in present)
    for key in present:
        yield from _check_kind(example[key], key, conversational)
    if conversational:
        yield from _check_conversation(example, ctx)
    if "chosen" in example and example.get("chosen") == example.get("rejected"):
        yield Problem(
            "P230", "/rejected", "chosen and rejected are identical; preference training learns nothing from them."
        )


def _check_kind(value: Any, key: str, conversational: bool) -> Iterator[Problem]:
    if conversational and not isinstance(value, list):
        yield Problem(
            "P112", f"/{key}", f"{key} must be a list of messages, as the others are; found {type_name(value)}."
        )
    elif not conversational and not isinstance(value, str):
        yield Problem("P112", f"/{key}", f"{key} must be a string or a list of messages, found {type_name(value)}.")
    elif isinstance(value, str) and not value.strip() and key != "prompt":
        yield Problem("P206", f"/{key}", f"{key} is empty; there is nothing to prefer.")


def _check_conversation(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    prompt = example.get("prompt")
    explicit = isinstance(prompt, list)
    if explicit:
        yield from check_messages(prompt, "/prompt", ctx)
        roles = roles_of(prompt)
        yield from check_role_order(roles, "/prompt", ctx)
        if roles and roles[-1] == ctx.rules.assistant_role:
            yield Problem(
                "P229",
                f"/prompt/{len(roles) - 1}",
                "prompt ends on an assistant message; chosen and rejected should answer the last user turn.",
            )
    for key in ("chosen", "rejected"):
        if isinstance(example.get(key), list):
            yield from _check_reply(example[key], f"/{key}", ctx, explicit=explicit)
    yield from check_tools(example, "", ctx, ctx.rules.keys)


def _check_reply(messages: list[Any], ptr: str, ctx: CheckContext, *, explicit: bool) -> Iterator[Problem]:
    """With an explicit prompt: the reply's messages (assistant, tool); without one: a whole conversation."""
    if not messages:
        yield Problem("P113", ptr, "The list is empty; give at least one assistant message.")
        return
    roles = ctx.rules.output_roles if explicit else ctx.rules.roles
    for i, msg in enumerate(messages):
        yield from check_message(msg, f"{ptr}/{i}", ctx, roles)
    last = roles_of(messages)[-1]
    if last != ctx.rules.assistant_role:
        yield Problem(
            "P231", f"{ptr}/{len(messages) - 1}", f"{ptr[1:]} must end on an assistant message, found {last!r}."
        )
