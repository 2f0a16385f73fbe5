"""Checks of one message: role, keys, content, weight, name and calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ...issues import Problem, escape_pointer
from ...reading.jsonl import type_name
from ...records.values import brief
from ...targets.profile import RoleRules
from .content import check_content
from .context import CheckContext, a_role

__all__ = ["check_call", "check_message", "check_messages_list", "encoded_twice", "weight_ok", "without_nulls"]


def check_messages_list(value: Any, ptr: str) -> Iterator[Problem]:
    """`messages` must be a non-empty array."""
    if not isinstance(value, list):
        yield Problem("P112", ptr, f"messages must be an array of messages, found {type_name(value)}.")
    elif not value:
        yield Problem("P113", ptr, "messages is empty; an example needs at least one message.")


def check_message(msg: Any, ptr: str, ctx: CheckContext, roles: frozenset[str]) -> Iterator[Problem]:
    """Check one message against the rules of its role; ``roles`` are those the format allows."""
    if not isinstance(msg, dict):
        yield Problem("P112", ptr, f"A message must be an object, found {type_name(msg)}.")
        return
    role = msg.get("role")
    if not isinstance(role, str) or role not in ctx.target.roles:
        yield _role_problem(role, ptr, roles)
        return
    rules = ctx.target.roles[role]
    msg = without_nulls(msg, rules)
    if role not in roles:
        allowed = ", ".join(sorted(roles))
        yield Problem(
            "P203", f"{ptr}/role", f"Role {brief(role)} is not allowed in {ctx.format} examples; allowed: {allowed}."
        )
    yield from _check_keys(msg, ptr, role, rules)
    yield from check_content(msg, ptr, role, rules.content, ctx)
    if "weight" in msg:
        yield from _check_weight(msg["weight"], role, f"{ptr}/weight", ctx)
    if "name" in msg:
        yield from _check_name(msg["name"], f"{ptr}/name", ctx)
    if "tool_call_id" in msg and not isinstance(msg["tool_call_id"], str):
        yield Problem("P112", f"{ptr}/tool_call_id", "tool_call_id must be a string.")
    if "tool_calls" in msg:
        yield from _check_tool_calls(msg["tool_calls"], f"{ptr}/tool_calls", ctx)
    if "function_call" in msg:
        yield from check_call(msg["function_call"], f"{ptr}/function_call", ctx)
    if "audio" in msg and "audio" in rules.keys:
        yield from _check_audio(msg["audio"], f"{ptr}/audio")


def without_nulls(msg: dict[str, Any], rules: RoleRules) -> dict[str, Any]:
    """``msg`` without the keys that hold null where the role's rules make them nullable.

    The OpenAPI spec's ``nullable`` keys (an assistant's refusal, audio and
    function_call) are null in what the SDK's ``model_dump()`` writes; a null
    one is a key that is not there. Returns ``msg`` itself when it has none.
    """
    if not any(msg.get(key, 0) is None for key in rules.nullable):
        return msg
    return {k: v for k, v in msg.items() if v is not None or k not in rules.nullable}


def _check_audio(audio: Any, ptr: str) -> Iterator[Problem]:
    """An assistant's audio: ``{"id": "<a previous audio response>"}`` (the spec's only key, required)."""
    if not isinstance(audio, dict) or not isinstance(audio.get("id"), str):
        yield Problem("P112", ptr, f'audio must be null or {{"id": "<audio id>"}}, found {type_name(audio)}.')
        return
    for key in [k for k in audio if k != "id"]:
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in audio (allowed: id).")


def _check_keys(msg: dict[str, Any], ptr: str, role: str, rules: RoleRules) -> Iterator[Problem]:
    """Unknown and missing keys, and keys that must hold a string (reasoning)."""
    for key in [k for k in msg if k not in rules.keys and k != "weight"]:
        hint = " (model_dump(exclude_none=True) leaves out the nulls the SDK writes)" if msg[key] is None else ""
        yield Problem(
            "P110",
            f"{ptr}{escape_pointer(key)}",
            f"Unknown key {key!r} in {a_role(role)} message; allowed: {', '.join(sorted(rules.keys))}{hint}.",
        )
    for key in sorted(rules.required - msg.keys()):
        yield Problem("P111", f"{ptr}/{key}", f"{a_role(role).capitalize()} message needs {key!r}.")
    for key in sorted(rules.text_keys & msg.keys()):
        if not isinstance(msg[key], str):
            found = type_name(msg[key])
            yield Problem("P112", f"{ptr}{escape_pointer(key)}", f"{key} must be a string, found {found}.")


def _role_problem(role: Any, ptr: str, roles: frozenset[str]) -> Problem:
    allowed = ", ".join(sorted(roles))
    if role is None:
        return Problem("P201", f"{ptr}/role", f"Message has no role; use one of: {allowed}.")
    if isinstance(role, str) and role.strip().lower() in roles:
        return Problem(
            "P202",
            f"{ptr}/role",
            f"Unknown role {brief(role)}: roles are exact and lowercase ({role.strip().lower()!r}).",
        )
    return Problem("P202", f"{ptr}/role", f"Unknown role {brief(role)}; use one of: {allowed}.")


def _check_weight(weight: Any, role: str, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    rules = ctx.target.conversation
    if not rules.weight_roles:
        yield Problem("P210", ptr, f"{ctx.target.provider} takes no per-message weight; remove it.")
    elif role not in rules.weight_roles:
        allowed = ", ".join(sorted(rules.weight_roles))
        yield Problem(
            "P210",
            ptr,
            f"{ctx.target.provider} takes weight on {allowed} messages only, not on {a_role(role)} message.",
        )
    elif not weight_ok(weight, floats=rules.weight_floats):
        what = "0 or 1" if rules.weight_floats else "the integer 0 or 1"
        yield Problem("P209", ptr, f"weight must be {what}, found {brief(weight, 40)}.")


def weight_ok(weight: Any, *, floats: bool) -> bool:
    """A message weight: the integer 0 or 1 (or 0.0 and 1.0 where ``floats``); never a boolean."""
    kinds = (int, float) if floats else (int,)
    return type(weight) in kinds and weight in (0, 1)


def _check_name(name: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(name, str):
        yield Problem("P112", ptr, f"name must be a string, found {type_name(name)}.")
    elif not ctx.name_ok(name):
        yield Problem("P215", ptr, f"Name {name!r} does not match {ctx.target.name_pattern.pattern}.")


def _check_tool_calls(calls: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if calls is None:  # the OpenAPI spec makes content, refusal, audio and function_call nullable, not tool_calls
        yield Problem(
            "P112",
            ptr,
            "tool_calls must be an array of calls, found null; leave the key out when there are no calls "
            "(model_dump(exclude_none=True) does).",
        )
        return
    if not isinstance(calls, list):
        yield Problem("P112", ptr, f"tool_calls must be an array, found {type_name(calls)}.")
        return
    if not calls:
        yield Problem("P113", ptr, "tool_calls is empty; remove it or add a call.")
    for i, call in enumerate(calls):
        item = f"{ptr}/{i}"
        if not isinstance(call, dict):
            yield Problem("P212", item, f"A tool call must be an object, found {type_name(call)}.")
            continue
        for key in [k for k in call if k not in ("id", "type", "function")]:
            yield Problem("P110", f"{item}{escape_pointer(key)}", f"Unknown key {key!r} in a tool call.")
        if ("id" in call or ctx.target.conversation.tool_call_ids) and (
            not isinstance(call.get("id"), str) or not call["id"]
        ):
            yield Problem("P212", f"{item}/id", "A tool call needs a non-empty string id.")
        if call.get("type") != "function":
            yield Problem("P212", f"{item}/type", 'A tool call needs "type": "function".')
        yield from check_call(call.get("function"), f"{item}/function", ctx)


def check_call(call: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """A function call: ``{"name": str, "arguments": ...}``, the arguments as the target takes them
    (a JSON-encoded string, or a JSON object)."""
    if not isinstance(call, dict):
        yield Problem(
            "P212", ptr, f"A function call must be an object with name and arguments, found {type_name(call)}."
        )
        return
    for key in [k for k in call if k not in ("name", "arguments")]:
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in a function call.")
    name = call.get("name")
    if not isinstance(name, str):
        yield Problem("P212", f"{ptr}/name", "A function call needs a string name.")
    elif not ctx.name_ok(name):
        yield Problem(
            "P215", f"{ptr}/name", f"Function name {name!r} does not match {ctx.target.name_pattern.pattern}."
        )
    objects = ctx.target.conversation.tool_arguments == "object"
    if "arguments" not in call:
        what = "a JSON object" if objects else "a JSON-encoded string"
        yield Problem("P212", f"{ptr}/arguments", f"A function call needs arguments ({what}).")
    elif objects:
        yield from _check_object_arguments(call["arguments"], f"{ptr}/arguments", ctx)
    else:
        yield from _check_string_arguments(call["arguments"], f"{ptr}/arguments")


def _check_string_arguments(arguments: Any, ptr: str) -> Iterator[Problem]:
    if not isinstance(arguments, str):
        yield Problem(
            "P213",
            ptr,
            f"arguments must be a JSON-encoded string, found {type_name(arguments)}; encode it with json.dumps.",
        )
        return
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError as exc:
        yield Problem("P214", ptr, f"arguments is not valid JSON: {exc}.")
        return
    if encoded_twice(value):
        yield Problem(
            "P240",
            ptr,
            "arguments is JSON-encoded twice: its JSON value is a string that holds JSON again, so the model "
            "learns to write the arguments as a quoted string; encode the arguments once (json.dumps(args), "
            "not json.dumps(json.dumps(args))).",
        )


def encoded_twice(value: Any) -> bool:
    """Whether the decoded value of an arguments string is a string holding a JSON object or array."""
    if not isinstance(value, str) or value.lstrip()[:1] not in ("{", "["):
        return False
    try:
        return isinstance(orjson.loads(value), (dict, list))
    except orjson.JSONDecodeError:
        return False


def _check_object_arguments(arguments: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if isinstance(arguments, dict):
        return
    hint = "; decode it with json.loads" if type(arguments) is str else ""
    yield Problem(
        "P241", ptr, f"{ctx.target.provider} takes arguments as a JSON object, found {type_name(arguments)}{hint}."
    )
