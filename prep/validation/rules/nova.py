"""Checks of Amazon Bedrock Nova data (``bedrock-conversation-2024``): supervised and preference examples.

An example holds ``messages`` (``user`` and ``assistant`` turns that alternate,
starting with the user and ending with the assistant; each a list of Converse
content blocks), an optional ``system`` array of text blocks, an optional
``schemaVersion`` and, for tool use, ``toolConfig``. A block holds one of
``text``, ``image`` / ``video`` (a format and an S3 location), ``reasoningContent``,
``toolUse`` or ``toolResult``. In preference data the last message holds
``candidates``, each with a ``preferenceLabel``. Words the target reserves
(``User:``, ``[EOS]``...), the media it takes and where, and which models
train on tool use or reasoning come from the target (targets §7).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem
from ...reading.jsonl import type_name
from ...targets.profile import DataFormat
from ..shapes import media_of
from .blocks import BlockKind, check_block, check_closed, check_text, check_turn, check_turns
from .context import CheckContext
from .conversation import check_keys, check_role_order, roles_of
from .converse_tools import (
    check_tool_config,
    check_tool_result_block,
    check_tool_use,
    check_tool_use_block,
    tool_blocks,
)
from .media import check_location

__all__ = ["check_nova"]

_LABELS = ("preferred", "non-preferred")


def check_nova(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Keys, system, messages and their order, tools and tool use, media counts, model-dependent content."""
    rules = ctx.rules
    yield from check_keys(example, "", rules.keys, rules.required, f"a {ctx.format} example", hints=False)
    if "schemaVersion" in example and not isinstance(example["schemaVersion"], str):
        yield Problem("P112", "/schemaVersion", "schemaVersion must be a string (bedrock-conversation-2024).")
    if "system" in example:
        yield from _check_system(example["system"], ctx)
    messages = example.get("messages")
    if ctx.format is DataFormat.NOVA_PREFERENCE and isinstance(messages, list) and messages:
        yield from _check_preference_messages(messages, ctx)
    elif "messages" in example:
        yield from check_turns(messages, "/messages", ctx, "content", BLOCKS)
    yield from check_role_order(roles_of(messages), "/messages", ctx)
    declared: set[str] = set()
    if "toolConfig" in example:
        yield from check_tool_config(example["toolConfig"], ctx, declared)
    if isinstance(messages, list):
        yield from check_tool_use(messages, declared, has_config="toolConfig" in example)
        yield from _check_media(example, ctx)
        yield from _model_dependent(example, messages, ctx)


def _check_system(system: Any, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(system, list):
        yield Problem(
            "P112", "/system", f'system must be an array of {{"text": ...}} blocks, found {type_name(system)}.'
        )
        return
    for i, block in enumerate(system):
        ptr = f"/system/{i}"
        if not isinstance(block, dict) or "text" not in block:
            yield Problem("P207", ptr, 'A system block must be {"text": ...}.')
            continue
        yield from check_closed(block, ptr, frozenset({"text"}), "a system block")
        yield from check_text(block["text"], f"{ptr}/text", "system", ctx)


def _check_image(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    yield from _check_media_block(value, ptr, "image", ctx.target.images.formats, "P220", ctx)


def _check_video(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    yield from _check_media_block(value, ptr, "video", ctx.target.images.video_formats, "P244", ctx)


def _check_media_block(
    value: Any, ptr: str, kind: str, formats: frozenset[str], code: str, ctx: CheckContext
) -> Iterator[Problem]:
    shape = '{"format": ..., "source": {"s3Location": {"uri": "s3://..."}}}'
    if not isinstance(value, dict):
        yield Problem("P207", ptr, f"{kind} must be {shape}, found {type_name(value)}.")
        return
    yield from check_closed(value, ptr, frozenset({"format", "source"}), f"an {kind}" if kind == "image" else "a video")
    fmt = value.get("format")
    if fmt not in formats:
        allowed = ", ".join(sorted(formats)) or "none"
        yield Problem(code, f"{ptr}/format", f"{kind} format {fmt!r} is not taken; use one of: {allowed}.")
    source = value.get("source")
    location = source.get("s3Location") if isinstance(source, dict) else None
    if not isinstance(source, dict) or not isinstance(location, dict) or set(source) != {"s3Location"}:
        yield Problem("P207", f"{ptr}/source", f'{kind} needs "source": {{"s3Location": {{"uri": "s3://..."}}}}.')
        return
    lptr = f"{ptr}/source/s3Location"
    yield from check_closed(location, lptr, frozenset({"uri", "bucketOwner"}), "s3Location")
    if "bucketOwner" in location and not isinstance(location["bucketOwner"], str):
        yield Problem("P112", f"{lptr}/bucketOwner", "bucketOwner must be a string (an AWS account id).")
    yield from check_location(location.get("uri"), f"{lptr}/uri", ctx)


def _check_reasoning(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    text = value.get("reasoningText") if isinstance(value, dict) else None
    if not isinstance(text, dict) or set(value) != {"reasoningText"} or set(text) != {"text"}:
        yield Problem("P207", ptr, 'reasoningContent must be {"reasoningText": {"text": ...}}.')
        return
    yield from check_text(text["text"], f"{ptr}/reasoningText/text", role, ctx)


BLOCKS = {
    "text": BlockKind(check_text),
    "image": BlockKind(_check_image, media=True),
    "video": BlockKind(_check_video, media=True),
    "reasoningContent": BlockKind(_check_reasoning),
    "toolUse": BlockKind(check_tool_use_block),
    "toolResult": BlockKind(check_tool_result_block),
}
_CANDIDATE_BLOCKS = frozenset({"text", "reasoningContent"})  # "Candidates are text only"


def _check_preference_messages(messages: list[Any], ctx: CheckContext) -> Iterator[Problem]:
    """Every message but the last as in supervised data; the last holds the candidates."""
    *head, last = messages
    for i, turn in enumerate(head):
        yield from check_turn(turn, f"/messages/{i}", ctx, "content", BLOCKS)
    ptr = f"/messages/{len(head)}"
    answer = frozenset({ctx.rules.assistant_role})
    keys = frozenset({"role", "candidates"})
    yield from check_turn(last, ptr, ctx, "content", BLOCKS, roles=answer, keys=keys, required=keys)
    if isinstance(last, dict) and "candidates" in last:
        yield from _check_candidates(last["candidates"], f"{ptr}/candidates", ctx)


def _check_candidates(candidates: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(candidates, list) or len(candidates) < 2:
        found = f"{len(candidates)} item(s)" if isinstance(candidates, list) else f"a {type_name(candidates)}"
        yield Problem("P227", ptr, f"candidates must be a list of at least two candidates, found {found}.")
        if not isinstance(candidates, list):
            return
    labels = set()
    for i, candidate in enumerate(candidates):
        cptr = f"{ptr}/{i}"
        if not isinstance(candidate, dict):
            yield Problem(
                "P227", cptr, f'A candidate must be {{"content", "preferenceLabel"}}, found {type_name(candidate)}.'
            )
            continue
        required = frozenset({"content", "preferenceLabel"})
        yield from check_keys(candidate, cptr, required, required, "a candidate")
        label = candidate.get("preferenceLabel")
        if label in _LABELS:
            labels.add(label)
        elif "preferenceLabel" in candidate:
            yield Problem(
                "P242",
                f"{cptr}/preferenceLabel",
                f"preferenceLabel must be preferred or non-preferred, found {label!r}.",
            )
        yield from _check_candidate_content(candidate.get("content"), f"{cptr}/content", ctx)
    if len(candidates) >= 2 and len(labels) == 1:
        yield Problem(
            "P242", ptr, f"Every candidate is {labels.pop()!r}; one preferred and one non-preferred are needed."
        )
    contents = [c.get("content") for c in candidates if isinstance(c, dict)]
    if len(contents) >= 2 and contents[0] == contents[1]:
        yield Problem("P230", f"{ptr}/1", "The candidates are identical; preference tuning learns nothing from them.")


def _check_candidate_content(content: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(content, list) or not content:
        yield Problem("P112", ptr, "A candidate's content must be a non-empty list of text blocks.")
        return
    role = ctx.rules.assistant_role
    for j, block in enumerate(content):
        yield from check_block(block, f"{ptr}/{j}", role, _CANDIDATE_BLOCKS, ctx, BLOCKS)


def _check_media(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Images and videos per example: how many, and never both (nor video in preference data)."""
    media = media_of(example, ctx.format)
    images = sum(1 for m in media if m.kind == "image")
    videos = sum(1 for m in media if m.kind == "video")
    rules, who = ctx.target.images, ctx.target.provider
    if images > rules.max_per_example:
        most = f"at most {rules.max_per_example} are allowed" if rules.max_per_example else f"{who} takes none here"
        yield Problem("P218", "/messages", f"Example has {images} image(s); {most}.")
    if videos > rules.max_videos:
        most = f"at most {rules.max_videos}" if rules.max_videos else "none"
        yield Problem("P244", "/messages", f"Example has {videos} video(s); {who} takes {most} here.")
    elif videos and images:
        yield Problem("P244", "/messages", f"Example holds a video and images; {who} takes one or the other.")
    elif videos and ctx.format is DataFormat.NOVA_PREFERENCE:
        yield Problem("P244", "/messages", "Preference data takes no video.")


def _model_dependent(example: dict[str, Any], messages: list[Any], ctx: CheckContext) -> Iterator[Problem]:
    """Tool use and reasoning, which some models of the target do not train on (their severity says which)."""
    tools = next((p for p, _, _ in tool_blocks(messages)), "/toolConfig" if "toolConfig" in example else None)
    if tools is not None:
        yield from _not_every_model("P246", tools, "tool use", ctx)
    reasoning = next(_reasoning_pointers(messages), None)
    if reasoning is not None:
        yield from _not_every_model("P247", reasoning, "reasoning content", ctx)


def _not_every_model(code: str, ptr: str, what: str, ctx: CheckContext) -> Iterator[Problem]:
    """``code`` when a model of the target sets its severity (it does not train on ``what``)."""
    models = [m.name for m in ctx.target.models.values() if code in m.severities]
    if not models:
        return
    if len(ctx.target.models) == 1:
        yield Problem(code, ptr, f"Example holds {what}, which {models[0]} does not train on; remove it.")
    else:
        names, verb = ", ".join(models), "does" if len(models) == 1 else "do"
        yield Problem(code, ptr, f"Example holds {what}, which {names} {verb} not train on (with --model, an error).")


def _reasoning_pointers(messages: list[Any]) -> Iterator[str]:
    for i, turn in enumerate(messages):
        content = turn.get("content") if isinstance(turn, dict) else None
        for j, block in enumerate(content if isinstance(content, list) else []):
            if isinstance(block, dict) and "reasoningContent" in block:
                yield f"/messages/{i}/content/{j}/reasoningContent"
