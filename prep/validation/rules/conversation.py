"""Checks of a whole conversation: keys, messages, tools, roles and their order.

Used by the chat (supervised) and reinforcement formats, and by the `input` of
a preference example; which keys and roles are allowed comes from the target.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem, escape_pointer
from ...reading.jsonl import type_name
from ...records.values import brief
from .content import count_images
from .context import CheckContext
from .messages import check_message, check_messages_list, without_nulls

__all__ = [
    "check_function_definition",
    "check_keys",
    "check_messages",
    "check_role_order",
    "check_tool_calls_answered",
    "check_tools",
]

_KEY_HINTS = {
    "weight": "weight belongs inside assistant messages",
    "role": "role belongs inside each message",
    "content": "content belongs inside each message",
}


def check_keys(
    example: dict[str, Any],
    ptr: str,
    keys: frozenset[str],
    required: frozenset[str],
    where: str,
    *,
    hints: bool = True,
) -> Iterator[Problem]:
    """A closed key set, as the service enforces it ("Example 1 contains an extra ..."); ``hints`` says where
    an OpenAI message key belongs."""
    for key in [k for k in example if k not in keys]:
        hint = (_KEY_HINTS if hints else {}).get(key, f"allowed: {', '.join(sorted(keys))}")
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in {where} ({hint}).")
    for key in sorted(required - example.keys()):
        yield Problem("P111", f"{ptr}/{key}", f"{where.capitalize()} needs the key {key!r}.")


def check_messages(messages: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """The messages array and each message in it."""
    problems = list(check_messages_list(messages, ptr))
    yield from problems
    if problems and not isinstance(messages, list):
        return
    roles = ctx.rules.roles
    for i, msg in enumerate(messages):
        yield from check_message(msg, f"{ptr}/{i}", ctx, roles)
    images = count_images(messages)
    if images > ctx.target.images.max_per_example:
        yield Problem(
            "P218", ptr, f"Example has {images} images; at most {ctx.target.images.max_per_example} are allowed."
        )


def roles_of(messages: Any) -> list[str | None]:
    """Each message's role, or None where a message has no string role."""
    if not isinstance(messages, list):
        return []
    return [_role(m) for m in messages]


def _role(msg: Any) -> str | None:
    role = msg.get("role") if isinstance(msg, dict) else None
    return role if isinstance(role, str) else None


def check_role_order(roles: list[Any], ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """What the rules require of the roles' presence and order, and what they advise.

    The role trained on is the format's ``assistant_role`` (Vertex: ``model``).
    """
    rules = ctx.rules
    answer = rules.assistant_role
    if not roles:
        return
    if rules.requires_assistant and answer not in roles:
        yield Problem("P204", ptr, f"Example has no {answer} message, so there is nothing to train on.")
    if rules.last_role and roles[-1] != rules.last_role:
        yield Problem(
            "P231",
            f"{ptr}/{len(roles) - 1}",
            f"Last message is {brief(roles[-1])}; {ctx.target.provider} needs a {ctx.format} example "
            f"to end on {rules.last_role!r}.",
        )
    if not all(role in rules.roles for role in roles):
        return  # the advice below is noise while a role is wrong
    if "user" not in roles:
        yield Problem("P223", ptr, "Example has no user message.")
    yield from _system_position(roles, ptr, ctx)
    if ctx.target.conversation.alternation == "after_system":
        yield from _alternation(roles, ptr, ctx)
    else:
        yield from _repeats(roles, ptr, answer)
    if rules.requires_assistant and answer in roles and roles[-1] != answer and rules.last_role is None:
        last = len(roles) - 1 - roles[::-1].index(answer)
        yield Problem(
            "P226", f"{ptr}/{last + 1}", f"Messages after the last {answer} message are not trained on; remove them."
        )


_LEADING = ("system", "developer")


def _system_position(roles: list[str], ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """A system (or developer) message after the start: advice, or an error where the target says so."""
    first_only = ctx.target.conversation.system_position == "first"
    for i, role in enumerate(roles):
        if role not in _LEADING or i == 0 or roles[i - 1] in _LEADING:
            continue
        if first_only:
            yield Problem(
                "P236",
                f"{ptr}/{i}",
                f"{ctx.target.provider} takes a {role} message only as the first message; this one is message {i + 1}.",
            )
        else:
            yield Problem("P224", f"{ptr}/{i}", f"{role.capitalize()} message at position {i + 1} is not at the start.")


def _repeats(roles: list[str], ptr: str, answer: str) -> Iterator[Problem]:
    for i, role in enumerate(roles):
        if role in ("user", answer) and i > 0 and roles[i - 1] == role:
            yield Problem("P225", f"{ptr}/{i}", f"Two {role} messages in a row (messages {i} and {i + 1}).")


def _alternation(roles: list[str], ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """After the leading system messages, user and assistant turns alternate, starting with user.

    A tool message, and an assistant message right after one, belong to the assistant turn
    whose call they answer. System messages later on are the position rule's to report.
    """
    who = ctx.target.provider
    answer = ctx.rules.assistant_role
    after = " after the system message" if ctx.rules.roles & set(_LEADING) else ""
    turn: str | None = None
    previous: str | None = None
    for i, role in enumerate(roles):
        if role in _LEADING:
            previous = role
            continue
        this = answer if role == "tool" else role
        continued = role == "tool" or (role == answer and previous == "tool")
        if turn is None and this != "user":
            yield Problem(
                "P235",
                f"{ptr}/{i}",
                f"{who} needs the conversation to start with a user turn{after}; message {i + 1} is {role!r}.",
            )
        elif this == turn and not continued:
            yield Problem(
                "P235",
                f"{ptr}/{i}",
                f"Two {role} turns in a row (messages {i} and {i + 1}); "
                f"{who} needs user and {answer} to alternate{after}.",
            )
        turn, previous = this, role


def check_tool_calls_answered(messages: Any, ptr: str) -> Iterator[Problem]:
    """Every tool message answers a tool_calls id of an earlier assistant message."""
    if not isinstance(messages, list):
        return
    ids: set[str] = set()
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            continue
        calls = msg.get("tool_calls")
        if isinstance(calls, list):
            ids.update(c["id"] for c in calls if isinstance(c, dict) and isinstance(c.get("id"), str))
        call_id = msg.get("tool_call_id")
        if msg.get("role") == "tool" and isinstance(call_id, str) and call_id not in ids:
            yield Problem(
                "P211",
                f"{ptr}/{i}/tool_call_id",
                f"tool_call_id {brief(call_id)} answers no earlier tool call in this example.",
            )


def check_tools(example: dict[str, Any], ptr: str, ctx: CheckContext, keys: frozenset[str]) -> Iterator[Problem]:
    """`tools`, `functions` and `parallel_tool_calls` (those of ``keys``), and calls to undefined functions."""
    defined: set[str] = set()
    if "tools" in example:
        yield from _check_definitions(example["tools"], f"{ptr}/tools", ctx, defined, wrapped=True)
    if "functions" in example and "functions" in keys:
        yield Problem("P216", f"{ptr}/functions", "functions is deprecated; use tools.")
        yield from _check_definitions(example["functions"], f"{ptr}/functions", ctx, defined, wrapped=False)
    if "parallel_tool_calls" in keys and not isinstance(example.get("parallel_tool_calls", True), bool):
        yield Problem("P112", f"{ptr}/parallel_tool_calls", "parallel_tool_calls must be true or false.")
    messages = example.get("messages")
    if isinstance(messages, list):
        has_definitions = "tools" in example or "functions" in example
        yield from _check_called_names(messages, f"{ptr}/messages", defined, has_definitions)
        if "functions" not in example:
            yield from _check_function_call_deprecated(messages, f"{ptr}/messages", ctx)


def _check_function_call_deprecated(messages: list[Any], ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    """The first function call (a null one, where the role makes it nullable, is no call)."""
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        rules = ctx.target.roles.get(role) if isinstance(role, str) else None
        if rules is not None and "function_call" in without_nulls(msg, rules):
            yield Problem("P216", f"{ptr}/{i}/function_call", "function_call is deprecated; use tool_calls.")
            return


def _check_definitions(
    defs: Any, ptr: str, ctx: CheckContext, defined: set[str], *, wrapped: bool
) -> Iterator[Problem]:
    if not isinstance(defs, list):
        yield Problem("P112", ptr, f"Must be an array of definitions, found {type_name(defs)}.")
        return
    for i, item in enumerate(defs):
        iptr = f"{ptr}/{i}"
        if wrapped:
            if (
                not isinstance(item, dict)
                or item.get("type") != "function"
                or not isinstance(item.get("function"), dict)
            ):
                yield Problem("P232", iptr, 'A tool must be {"type": "function", "function": {"name": …}}.')
                continue
            yield from _extra_keys(item, iptr, ("type", "function"), "a tool")
            item, iptr = item["function"], f"{iptr}/function"
        yield from check_function_definition(item, iptr, ctx, defined)


def check_function_definition(fn: Any, ptr: str, ctx: CheckContext, defined: set[str]) -> Iterator[Problem]:
    """One function definition (its keys are the target's ``function_keys``); its name is added to ``defined``."""
    if not isinstance(fn, dict):
        yield Problem("P232", ptr, f"A function definition must be an object, found {type_name(fn)}.")
        return
    yield from _extra_keys(fn, ptr, tuple(sorted(ctx.target.conversation.function_keys)), "a function definition")
    name = fn.get("name")
    if not isinstance(name, str):
        yield Problem("P232", f"{ptr}/name", "A function definition needs a string name.")
    else:
        defined.add(name)
        if not ctx.name_ok(name):
            yield Problem(
                "P215", f"{ptr}/name", f"Function name {name!r} does not match {ctx.target.name_pattern.pattern}."
            )
    if "description" in fn and not isinstance(fn["description"], str):
        yield Problem("P232", f"{ptr}/description", "description must be a string.")
    if "parameters" in fn and not isinstance(fn["parameters"], dict):
        yield Problem("P232", f"{ptr}/parameters", "parameters must be a JSON Schema object.")
    if fn.get("strict") is not None and not isinstance(fn["strict"], bool):  # FunctionObject: nullable
        yield Problem("P232", f"{ptr}/strict", "strict must be true, false or null.")


def _extra_keys(obj: dict[str, Any], ptr: str, allowed: tuple[str, ...], where: str) -> Iterator[Problem]:
    for key in [k for k in obj if k not in allowed]:
        yield Problem("P110", f"{ptr}{escape_pointer(key)}", f"Unknown key {key!r} in {where}.")


def _check_called_names(messages: list[Any], ptr: str, defined: set[str], has_definitions: bool) -> Iterator[Problem]:
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            continue
        for cptr, name in _called_names(msg, f"{ptr}/{i}"):
            if name not in defined:
                where = "the example's tools" if has_definitions else "any tool definition (the example has none)"
                yield Problem("P233", cptr, f"Call to {brief(name)}, which is not in {where}.")


def _called_names(msg: dict[str, Any], ptr: str) -> Iterator[tuple[str, str]]:
    calls = msg.get("tool_calls")
    if isinstance(calls, list):
        for j, call in enumerate(calls):
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("name"), str):
                yield f"{ptr}/tool_calls/{j}/function/name", fn["name"]
    fc = msg.get("function_call")
    if isinstance(fc, dict) and isinstance(fc.get("name"), str):
        yield f"{ptr}/function_call/name", fc["name"]
