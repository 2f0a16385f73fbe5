"""Checks of one example, per data format (OpenAI's here; Vertex, Nova and TRL preference data in their modules).

Each check is a small pure function ``(example, ctx) -> Iterator[Problem]``: no
I/O, no printing, no severities (the target assigns those). `CHECKS` lists the
checks of each format; `check_example` runs them all, so every problem in an
example is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ...issues import Problem
from ...reading.jsonl import type_name
from ...records.values import brief
from ...targets.profile import DataFormat
from .content import check_parts, check_special_tokens
from .context import CheckContext
from .conversation import check_keys, check_messages, check_role_order, check_tool_calls_answered, check_tools, roles_of
from .fastpath import is_clean
from .messages import check_message
from .nova import check_nova
from .secrets import check_secrets
from .trl import check_trl_preference
from .vertex import check_completions, check_references, check_vertex

__all__ = ["CHECKS", "CheckContext", "check_example"]

Check = Callable[[dict[str, Any], CheckContext], Iterator[Problem]]


def check_conversation(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Chat (supervised) and reinforcement examples: keys, messages, tools, role order."""
    rules = ctx.rules
    if rules.open:
        yield from check_keys(example, "", frozenset(example), rules.required, f"a {ctx.format} example")
    else:
        yield from check_keys(example, "", rules.keys, rules.required, f"a {ctx.format} example")
    messages = example.get("messages")
    if "messages" in example:
        yield from check_messages(messages, "/messages", ctx)
    yield from check_role_order(roles_of(messages), "/messages", ctx)
    yield from check_tool_calls_answered(messages, "/messages")
    yield from check_tools(example, "", ctx, rules.keys)
    if "weight" in example and ctx.target.conversation.sample_weight:
        yield from _check_sample_weight(example["weight"])


def _check_sample_weight(weight: Any) -> Iterator[Problem]:
    """A whole example's weight (a loss multiplier): a non-negative number."""
    if type(weight) not in (int, float) or not weight >= 0 or weight == float("inf"):
        shown = repr(weight) if type(weight) is float else brief(weight)
        yield Problem("P237", "/weight", f"The example's weight must be a non-negative number, found {shown}.")


_OLD_PREFERENCE_KEYS = {"preferred_completion": "preferred_output", "non_preferred_completion": "non_preferred_output"}


def check_preference(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Preference (DPO) examples: input conversation plus one preferred and one non-preferred reply."""
    rules = ctx.rules
    renamed = set()
    for key in [k for k in example if k in _OLD_PREFERENCE_KEYS]:
        renamed.add(_OLD_PREFERENCE_KEYS[key])
        yield Problem(
            "P228", f"/{key}", f"{key!r} is the old name of this key; rename it to {_OLD_PREFERENCE_KEYS[key]!r}."
        )
    others = {k: v for k, v in example.items() if k not in _OLD_PREFERENCE_KEYS}
    yield from check_keys(others, "", rules.keys, rules.required - renamed, "a preference example")
    inp = example.get("input")
    if "input" in example:
        yield from _check_preference_input(inp, ctx)
    for key in ("preferred_output", "non_preferred_output"):
        if key in example:
            yield from _check_output(example[key], f"/{key}", ctx)
    if "preferred_output" in example and example.get("preferred_output") == example.get("non_preferred_output"):
        yield Problem(
            "P230",
            "/non_preferred_output",
            "Preferred and non-preferred outputs are identical; DPO learns nothing from this pair.",
        )


def _check_preference_input(inp: Any, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(inp, dict):
        yield Problem("P112", "/input", f'input must be an object {{"messages": [...]}}, found {type_name(inp)}.')
        return
    rules = ctx.rules
    yield from check_keys(inp, "/input", rules.input_keys, frozenset({"messages"}), "the input of a preference example")
    messages = inp.get("messages")
    if "messages" in inp:
        yield from check_messages(messages, "/input/messages", ctx)
    roles = roles_of(messages)
    yield from check_role_order(roles, "/input/messages", ctx)
    if roles and roles[-1] == "assistant":
        yield Problem(
            "P229",
            f"/input/messages/{len(roles) - 1}",
            "input ends on an assistant message; the outputs should answer the last user turn.",
        )
    yield from check_tool_calls_answered(messages, "/input/messages")
    yield from check_tools(inp, "/input", ctx, rules.input_keys)


def _check_output(output: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    rules = ctx.rules
    roles, most = rules.output_roles, rules.max_output_messages
    wanted = f"exactly one {'/'.join(sorted(roles))} message" if most == 1 else f"{'/'.join(sorted(roles))} messages"
    if not isinstance(output, list) or not output or (most is not None and len(output) > most):
        found = f"{len(output)} items" if isinstance(output, list) else f"a {type_name(output)}"
        yield Problem("P227", ptr, f"Must be a list of {wanted}, found {found}.")
        if not isinstance(output, list) or not output:
            return
    for i, msg in enumerate(output):
        if isinstance(msg, dict) and not (isinstance(msg.get("role"), str) and msg["role"] in roles):
            allowed = " or ".join(repr(r) for r in sorted(roles))
            yield Problem(
                "P227",
                f"{ptr}/{i}/role",
                f"Output message must have the role {allowed}, found {brief(msg.get('role'))}.",
            )
        else:
            yield from check_message(msg, f"{ptr}/{i}", ctx, roles)


def check_completion(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Legacy prompt/completion examples."""
    rules = ctx.rules
    yield from check_keys(example, "", rules.keys, rules.required, "a prompt/completion example")
    for key in ("prompt", "completion"):
        value = example.get(key)
        if key == "prompt" and rules.prompt_parts and isinstance(value, list):
            yield from check_parts(value, "/prompt", "user", "parts", ctx)
        elif key in example and not isinstance(value, str):
            what = "a string or an array of content parts" if key == "prompt" and rules.prompt_parts else "a string"
            yield Problem("P112", f"/{key}", f"{key} must be {what}, found {type_name(value)}.")
    completion = example.get("completion")
    if isinstance(completion, str) and not completion.strip():
        yield Problem("P206", "/completion", "completion is empty; there is nothing to train on.")


def check_text(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Plain text examples (continued pre-training)."""
    rules = ctx.rules
    yield from check_keys(example, "", rules.keys, rules.required, "a text example")
    text = example.get("text")
    if "text" in example and not isinstance(text, str):
        yield Problem("P112", "/text", f"text must be a string, found {type_name(text)}.")
    elif isinstance(text, str) and not text.strip():
        yield Problem("P206", "/text", "text is empty; there is nothing to train on.")


CHECKS: dict[DataFormat, tuple[Check, ...]] = {
    DataFormat.CHAT: (check_conversation,),
    DataFormat.REINFORCEMENT: (check_conversation,),
    DataFormat.PREFERENCE: (check_preference,),
    DataFormat.COMPLETION: (check_completion,),
    DataFormat.TEXT: (check_text,),
    DataFormat.VERTEX: (check_vertex,),
    DataFormat.VERTEX_PREFERENCE: (check_vertex, check_completions),
    DataFormat.VERTEX_REINFORCEMENT: (check_vertex, check_references),
    DataFormat.NOVA: (check_nova,),
    DataFormat.NOVA_PREFERENCE: (check_nova,),
    DataFormat.TRL_PREFERENCE: (check_trl_preference,),
}


_CONVERSATIONS = (DataFormat.CHAT, DataFormat.REINFORCEMENT)


def check_example(
    example: dict[str, Any],
    ctx: CheckContext,
    *,
    scan_special_tokens: bool = True,
    fast: bool = True,
    scan_secrets: bool = True,
    roles: tuple[str, ...] | None = None,
) -> list[Problem]:
    """All problems of one example. ``scan_special_tokens=False`` when the
    example's canonical JSON lacks the tokens' mark (`CheckContext.special_marker`);
    ``scan_secrets=False`` when it cannot hold a secret (`secrets.might_hold`);
    ``fast=False`` runs the detailed checks even when the fast path (`is_clean`)
    would prove the example clean: both give the same problems (a property test
    holds them to it). ``roles``: those of a plain chat example, when the caller
    walked it (`prep.validation.shapes.plain_roles`)."""
    problems: list[Problem] = []
    if not (fast and ctx.format in _CONVERSATIONS and is_clean(example, ctx, roles)):
        for check in CHECKS[ctx.format]:
            problems.extend(check(example, ctx))
    if scan_special_tokens and ctx.target.special_tokens:
        problems.extend(check_special_tokens(example, "", ctx))
    if scan_secrets:
        problems.extend(check_secrets(example))
    return problems
