"""A fast, exact test that a conversation example has nothing to report.

Almost every line of a real file is clean, and the detailed checks spend most
of their time proving it. `is_clean` proves it in one tight pass, without
building pointers or messages; when it answers False, or meets anything it
does not handle (content parts, legacy functions), the detailed checks run and
say what is wrong. It must never answer True for an example the detailed
checks would flag: a fuzz test holds it to that, over mutated examples.
"""

from __future__ import annotations

from typing import Any

import orjson

from .context import CheckContext
from .messages import weight_ok, without_nulls

__all__ = ["is_clean"]

_CALL_KEYS = frozenset({"id", "type", "function"})
_FUNCTION_KEYS = frozenset({"name", "arguments"})
_TOOL_KEYS = frozenset({"type", "function"})
_LEADING_ROLES = ("system", "developer")


#: Role sequences whose verdict is remembered, per context (enough for any real file; the rest are walked).
MAX_PLAIN_VERDICTS = 4096


def is_clean(example: dict[str, Any], ctx: CheckContext, roles: tuple[str, ...] | None = None) -> bool:
    """True only when `check_conversation` would find nothing in ``example``.

    ``roles``: those of a plain example (only ``messages``, each only a string role and a string content that
    is not blank: `prep.validation.shapes.plain_roles`). Its verdict depends only on its roles: it is the
    remembered verdict of examples with those roles.
    """
    if roles is not None:
        return _plain_verdict(roles, ctx)
    rules = ctx.rules
    keys = example.keys()
    if not rules.required <= keys or (not rules.open and not keys <= rules.keys):
        return False
    if "functions" in rules.keys and "functions" in keys:
        return False  # deprecated: always a warning
    if "parallel_tool_calls" in rules.keys and type(example.get("parallel_tool_calls", True)) is not bool:
        return False
    if "weight" in keys and not (ctx.target.conversation.sample_weight and _clean_sample_weight(example["weight"])):
        return False
    defined: set[str] = set()
    if "tools" in keys and not _clean_tools(example["tools"], ctx, defined):
        return False
    messages = example["messages"]
    return type(messages) is list and bool(messages) and _clean_messages(messages, ctx, defined)


def _plain_verdict(roles: tuple[str, ...], ctx: CheckContext) -> bool:
    """Whether a plain example with these roles and no blank content is clean (remembered per context)."""
    verdicts = ctx.plain_verdicts
    verdict = verdicts.get(roles)
    if verdict is None:
        verdict = is_clean({"messages": [{"role": role, "content": "x"} for role in roles]}, ctx)
        if len(verdicts) < MAX_PLAIN_VERDICTS:
            verdicts[roles] = verdict
    return verdict


def _clean_sample_weight(weight: Any) -> bool:
    return type(weight) in (int, float) and 0 <= weight < float("inf")


def _clean_messages(messages: list[Any], ctx: CheckContext, defined: set[str]) -> bool:
    rules = ctx.rules
    ids: set[str] = set()
    roles: list[str] = []
    for msg in messages:
        role = _clean_message(msg, ctx, ids, defined)
        if role is None:
            return False
        prev = roles[-1] if roles else None
        if (role in _LEADING_ROLES and roles and prev not in _LEADING_ROLES) or (
            role == prev and role in ("user", "assistant")
        ):
            return False
        roles.append(role)
    last = roles[-1]
    if rules.requires_assistant and last != "assistant":
        return False
    if ctx.target.conversation.alternation != "none" and not _alternates(roles):
        return False
    return "user" in roles and (rules.last_role is None or last == rules.last_role)


def _alternates(roles: list[str]) -> bool:
    """User and assistant turns alternate after the leading messages, starting with user
    (a tool message, and an assistant message after it, continue the assistant turn)."""
    turn, previous = None, None
    for role in roles:
        if role in _LEADING_ROLES:
            previous = role
            continue
        this = "assistant" if role == "tool" else role
        continued = role == "tool" or (role == "assistant" and previous == "tool")
        if (turn is None and this != "user") or (this == turn and not continued):
            return False
        turn, previous = this, role
    return True


def _clean_message(msg: Any, ctx: CheckContext, ids: set[str], defined: set[str]) -> str | None:
    """The message's role when the message is clean on its own, else None."""
    if type(msg) is not dict:
        return None
    role = msg.get("role")
    if len(msg) == 2 and type(role) is str and role in ctx.plain_roles and type(msg.get("content")) is str:
        return None if _blank(msg["content"]) else role  # the common message: what the rest would decide
    if type(role) is not str or role not in ctx.rules.roles or not msg.keys() <= ctx.target.roles[role].keys:
        return None
    if "name" in msg and not (type(msg["name"]) is str and ctx.name_ok(msg["name"])):
        return None
    rules = ctx.target.roles[role]
    msg = without_nulls(msg, rules)
    if rules.text_keys and not all(type(msg[k]) is str for k in rules.text_keys & msg.keys()):
        return None
    if "weight" in msg and not _clean_weight(msg["weight"], role, ctx):
        return None
    if role == "assistant":
        return role if _clean_assistant(msg, ctx, ids, defined) else None
    if role == "function" or not _clean_text(msg.get("content")):
        return None  # function messages are legacy: the detailed checks judge them
    answers = "tool_call_id" in msg or "tool_call_id" in rules.required
    if role == "tool" and answers and not (type(msg.get("tool_call_id")) is str and msg["tool_call_id"] in ids):
        return None
    return role


def _clean_weight(weight: Any, role: str, ctx: CheckContext) -> bool:
    rules = ctx.target.conversation
    return role in rules.weight_roles and weight_ok(weight, floats=rules.weight_floats)


def _clean_text(content: Any) -> bool:
    return type(content) is str and not _blank(content)


def _blank(text: str) -> bool:
    """``not text.strip()``, without copying a long text that ends with a line break."""
    return not text or text.isspace()


def _clean_assistant(msg: dict[str, Any], ctx: CheckContext, ids: set[str], defined: set[str]) -> bool:
    if "function_call" in msg or "audio" in msg:
        return False  # a function call is deprecated (always a warning); audio is rare: the detailed checks judge it
    content = msg.get("content")
    if "tool_calls" not in msg:
        return _clean_text(content)
    calls = msg["tool_calls"]  # null is not a list: the spec does not make tool_calls nullable
    if content is not None and type(content) is not str:
        return False
    return type(calls) is list and bool(calls) and all(_clean_call(c, ctx, ids, defined) for c in calls)


def _clean_call(call: Any, ctx: CheckContext, ids: set[str], defined: set[str]) -> bool:
    if type(call) is not dict or not call.keys() <= _CALL_KEYS or call.get("type") != "function":
        return False
    rules = ctx.target.conversation
    call_id, fn = call.get("id"), call.get("function")
    if (rules.tool_call_ids or "id" in call) and (type(call_id) is not str or not call_id):
        return False
    if type(fn) is not dict or fn.keys() != _FUNCTION_KEYS:
        return False
    name, arguments = fn["name"], fn["arguments"]
    if type(name) is not str or name not in defined or not ctx.name_ok(name):
        return False
    if not _clean_arguments(arguments, rules.tool_arguments):
        return False
    if type(call_id) is str:
        ids.add(call_id)
    return True


def _clean_arguments(arguments: Any, kind: str) -> bool:
    if kind == "object":
        return type(arguments) is dict
    if type(arguments) is not str:
        return False
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return False
    return type(value) is not str  # a string: perhaps JSON encoded twice, which the detailed checks tell


def _clean_tools(tools: Any, ctx: CheckContext, defined: set[str]) -> bool:
    if type(tools) is not list:
        return False
    for tool in tools:
        if type(tool) is not dict or not tool.keys() <= _TOOL_KEYS or tool.get("type") != "function":
            return False
        fn = tool.get("function")
        if type(fn) is not dict or not fn.keys() <= ctx.target.conversation.function_keys:
            return False
        name = fn.get("name")
        if type(name) is not str or not ctx.name_ok(name):
            return False
        if (
            ("description" in fn and type(fn["description"]) is not str)
            or ("parameters" in fn and type(fn["parameters"]) is not dict)
            or (fn.get("strict") is not None and type(fn["strict"]) is not bool)
        ):
            return False
        defined.add(name)
    return True
