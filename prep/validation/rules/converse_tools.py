"""Tool use in Nova (Converse) data: ``toolConfig``, and ``toolUse`` / ``toolResult`` blocks.

``toolConfig`` declares each tool (``toolSpec``: a unique name, a description,
an ``inputSchema``); a ``toolUse`` block calls one by name with an ``input``
object and an id used once; a ``toolResult`` block answers an earlier
``toolUse`` by that id (as the aws-samples validator requires; targets §7).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...issues import Problem
from ...reading.jsonl import type_name
from .blocks import check_closed, check_string
from .context import CheckContext

__all__ = ["check_tool_config", "check_tool_result_block", "check_tool_use", "check_tool_use_block", "tool_blocks"]


def check_tool_use_block(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem("P212", ptr, f'toolUse must be {{"toolUseId", "name", "input"}}, found {type_name(value)}.')
        return
    yield from check_closed(value, ptr, frozenset({"toolUseId", "name", "input"}), "toolUse")
    yield from check_string(value.get("toolUseId"), f"{ptr}/toolUseId", "toolUseId", code="P212")
    yield from check_string(value.get("name"), f"{ptr}/name", "The tool's name", code="P212")
    if not isinstance(value.get("input"), dict):
        yield Problem(
            "P241", f"{ptr}/input", f"toolUse input must be a JSON object, found {type_name(value.get('input'))}."
        )


def check_tool_result_block(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem("P212", ptr, f'toolResult must be {{"toolUseId", "content"}}, found {type_name(value)}.')
        return
    yield from check_closed(value, ptr, frozenset({"toolUseId", "content", "status"}), "toolResult")
    yield from check_string(value.get("toolUseId"), f"{ptr}/toolUseId", "toolUseId", code="P212")
    content = value.get("content")
    if not isinstance(content, list) or not content:
        yield Problem("P212", f"{ptr}/content", 'toolResult content must be a non-empty list of {"text"} or {"json"}.')
        return
    for i, item in enumerate(content):
        if (
            not isinstance(item, dict)
            or len(item) != 1
            or not (isinstance(item.get("text"), str) or isinstance(item.get("json"), dict))
        ):
            yield Problem("P212", f"{ptr}/content/{i}", 'A toolResult item is {"text": "..."} or {"json": {...}}.')


def check_tool_config(config: Any, ctx: CheckContext, declared: set[str]) -> Iterator[Problem]:
    tools = config.get("tools") if isinstance(config, dict) else None
    if not isinstance(tools, list) or not tools:
        yield Problem(
            "P232", "/toolConfig", 'toolConfig must be {"tools": [{"toolSpec": {...}}, ...]}, with at least one tool.'
        )
        return
    yield from check_closed(config, "/toolConfig", frozenset({"tools"}), "toolConfig")
    for i, tool in enumerate(tools):
        yield from _check_tool_spec(tool, f"/toolConfig/tools/{i}", ctx, declared)


def _check_tool_spec(tool: Any, ptr: str, ctx: CheckContext, declared: set[str]) -> Iterator[Problem]:
    spec = tool.get("toolSpec") if isinstance(tool, dict) else None
    if not isinstance(spec, dict) or set(tool) != {"toolSpec"}:
        yield Problem("P232", ptr, 'A tool must be {"toolSpec": {"name", "description", "inputSchema"}}.')
        return
    sptr = f"{ptr}/toolSpec"
    yield from check_closed(spec, sptr, frozenset({"name", "description", "inputSchema"}), "a toolSpec")
    name = spec.get("name")
    yield from check_string(name, f"{sptr}/name", "The tool's name", code="P232")
    if isinstance(name, str) and name.strip():
        if name in declared:
            yield Problem("P232", f"{sptr}/name", f"Tool {name!r} is declared twice; tool names are unique.")
        declared.add(name)
        if not ctx.name_ok(name):
            yield Problem(
                "P215", f"{sptr}/name", f"Tool name {name!r} does not match {ctx.target.name_pattern.pattern}."
            )
    yield from check_string(spec.get("description"), f"{sptr}/description", "The tool's description", code="P232")
    schema = spec.get("inputSchema")
    body = schema.get("json") if isinstance(schema, dict) else None
    if not isinstance(body, dict) or "type" not in body:
        yield Problem("P232", f"{sptr}/inputSchema", 'inputSchema must be {"json": {"type": "object", ...}}.')


def tool_blocks(messages: list[Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(pointer, kind, value) of every toolUse and toolResult block, in order."""
    for i, turn in enumerate(messages):
        content = turn.get("content") if isinstance(turn, dict) else None
        for j, block in enumerate(content if isinstance(content, list) else []):
            for kind in ("toolUse", "toolResult"):
                value = block.get(kind) if isinstance(block, dict) else None
                if isinstance(value, dict):
                    yield f"/messages/{i}/content/{j}/{kind}", kind, value


def check_tool_use(messages: list[Any], declared: set[str], *, has_config: bool) -> Iterator[Problem]:
    """toolUse ids are unique and name configured tools; each toolResult answers one earlier toolUse."""
    used: set[str] = set()
    answered: set[str] = set()
    for ptr, kind, value in tool_blocks(messages):
        tool_id, name = value.get("toolUseId"), value.get("name")
        if not isinstance(tool_id, str):
            continue
        if kind == "toolUse":
            if tool_id in used:
                yield Problem("P212", f"{ptr}/toolUseId", f"toolUseId {tool_id!r} is used twice in this example.")
            used.add(tool_id)
            if has_config and isinstance(name, str) and name not in declared:
                yield Problem("P233", f"{ptr}/name", f"toolUse calls {name!r}, which toolConfig does not declare.")
        elif tool_id not in used:
            yield Problem("P211", f"{ptr}/toolUseId", f"toolResult {tool_id!r} answers no earlier toolUse.")
        elif tool_id in answered:
            yield Problem("P212", f"{ptr}/toolUseId", f"toolUseId {tool_id!r} is answered twice.")
        else:
            answered.add(tool_id)
