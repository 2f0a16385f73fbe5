"""Checks of Gemini tuning data on Vertex AI: supervised, preference and reinforcement examples.

An example holds ``contents`` (turns of role ``user`` or ``model``, each a list
of ``parts``), an optional ``systemInstruction`` (text parts) and, for function
calling, ``tools`` of ``functionDeclarations``. A part holds one of ``text``,
``fileData`` (``mimeType`` and a ``fileUri``), ``functionCall`` (``name`` and
``args``, an object) or ``functionResponse`` (``name`` and ``response``, an
object). Preference examples add two scored ``completions``, reinforcement
examples ``references`` (strings). Which keys, roles and sources are allowed
comes from the target (targets §6).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ...issues import Problem, escape_pointer
from ...reading.jsonl import type_name
from ...targets.profile import DataFormat
from .blocks import BlockKind, check_block, check_closed, check_string, check_text, check_turn, check_turns
from .context import CheckContext
from .conversation import check_function_definition, check_keys, check_role_order, roles_of
from .media import check_location

__all__ = ["check_completions", "check_references", "check_vertex"]

_SYSTEM_KEYS = ("systemInstruction", "system_instruction")
_MIME = re.compile(r"[\w.+-]+/[\w.+-]+")


def check_vertex(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """What every Vertex example holds: keys, system instruction, contents and their order, tools and calls."""
    rules = ctx.rules
    yield from check_keys(example, "", rules.keys, rules.required, f"a {ctx.format} example", hints=False)
    if all(k in example for k in _SYSTEM_KEYS):
        yield Problem("P110", "/system_instruction", "Give the system instruction once (systemInstruction).")
    for key in _SYSTEM_KEYS:
        if key in example:
            yield from _check_system(example[key], f"/{key}", ctx)
    kinds = TEXT_PARTS if ctx.format is DataFormat.VERTEX_PREFERENCE else PARTS  # preference: "Text only"
    contents = example.get("contents")
    if "contents" in example:
        yield from check_turns(contents, "/contents", ctx, "parts", kinds)
    yield from check_role_order(roles_of(contents), "/contents", ctx)
    declared: set[str] = set()
    if "tools" in example:
        yield from _check_tools(example["tools"], "/tools", ctx, declared)
    if isinstance(contents, list):
        yield from _check_calls(contents, declared, has_tools="tools" in example)


def _check_system(value: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem(
            "P112", ptr, f'The system instruction must be {{"parts": [{{"text": ...}}]}}, not a {type_name(value)}.'
        )
        return
    yield from check_closed(value, ptr, frozenset({"role", "parts"}), "the system instruction")
    if "role" in value and not isinstance(value["role"], str):
        yield Problem("P112", f"{ptr}/role", "The system instruction's role must be a string (the service ignores it).")
    parts = value.get("parts")
    if not isinstance(parts, list) or not parts:
        yield Problem("P112", f"{ptr}/parts", "The system instruction needs a non-empty list of text parts.")
        return
    for i, part in enumerate(parts):
        yield from check_block(part, f"{ptr}/parts/{i}", "system", frozenset({"text"}), ctx, TEXT_PARTS)


def _check_file(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem("P207", ptr, f'fileData must be {{"mimeType": ..., "fileUri": ...}}, found {type_name(value)}.')
        return
    yield from check_closed(value, ptr, frozenset({"mimeType", "fileUri"}), "fileData")
    mime = value.get("mimeType")
    if not isinstance(mime, str) or not _MIME.fullmatch(mime):
        yield Problem("P207", f"{ptr}/mimeType", f"fileData needs a MIME type such as image/png, found {mime!r}.")
    if "fileUri" not in value:
        yield Problem("P111", f"{ptr}/fileUri", "fileData needs a fileUri (gs://bucket/path or an https URL).")
    else:
        yield from check_location(value["fileUri"], f"{ptr}/fileUri", ctx)


def _check_function_call(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem("P212", ptr, f'functionCall must be {{"name": ..., "args": {{...}}}}, found {type_name(value)}.')
        return
    yield from check_closed(value, ptr, frozenset({"name", "args", "id"}), "functionCall")
    yield from _check_name(value.get("name"), f"{ptr}/name", "functionCall", ctx)
    if "args" in value and not isinstance(value["args"], dict):
        found = type_name(value["args"])
        hint = "; decode it with json.loads" if isinstance(value["args"], str) else ""
        yield Problem("P241", f"{ptr}/args", f"functionCall args must be a JSON object, found {found}{hint}.")


def _check_function_response(value: Any, ptr: str, role: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem(
            "P212", ptr, f'functionResponse must be {{"name": ..., "response": {{...}}}}, found {type_name(value)}.'
        )
        return
    yield from check_closed(value, ptr, frozenset({"name", "response", "id"}), "functionResponse")
    yield from _check_name(value.get("name"), f"{ptr}/name", "functionResponse", ctx)
    if not isinstance(value.get("response"), dict):
        found = "nothing" if "response" not in value else type_name(value["response"])
        yield Problem("P212", f"{ptr}/response", f"functionResponse needs a response object, found {found}.")


def _check_name(name: Any, ptr: str, what: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(name, str) or not name:
        yield Problem("P212", ptr, f"{what} needs a string name.")
    elif not ctx.name_ok(name):
        yield Problem("P215", ptr, f"Function name {name!r} does not match {ctx.target.name_pattern.pattern}.")


PARTS = {
    "text": BlockKind(check_text),
    "fileData": BlockKind(_check_file, media=True),
    "functionCall": BlockKind(_check_function_call),
    "functionResponse": BlockKind(_check_function_response),
}
TEXT_PARTS = {"text": BlockKind(check_text)}


def _check_tools(tools: Any, ptr: str, ctx: CheckContext, declared: set[str]) -> Iterator[Problem]:
    if not isinstance(tools, list):
        yield Problem(
            "P112", ptr, f'tools must be an array of {{"functionDeclarations": [...]}}, found {type_name(tools)}.'
        )
        return
    for i, tool in enumerate(tools):
        tptr = f"{ptr}/{i}"
        if not isinstance(tool, dict) or not isinstance(tool.get("functionDeclarations"), list):
            yield Problem("P232", tptr, 'A tool must be {"functionDeclarations": [{"name": ...}, ...]}.')
            continue
        yield from check_closed(tool, tptr, frozenset({"functionDeclarations"}), "a tool")
        for j, fn in enumerate(tool["functionDeclarations"]):
            yield from check_function_definition(fn, f"{tptr}/functionDeclarations/{j}", ctx, declared)


def _check_calls(contents: list[Any], declared: set[str], *, has_tools: bool) -> Iterator[Problem]:
    """Each call names a declared function; each response answers an earlier call of that name."""
    called: set[str] = set()
    for i, turn in enumerate(contents):
        parts = turn.get("parts") if isinstance(turn, dict) else None
        for j, part in enumerate(parts if isinstance(parts, list) else []):
            for key in ("functionCall", "functionResponse"):
                item = part.get(key) if isinstance(part, dict) else None
                name = item.get("name") if isinstance(item, dict) else None
                if not isinstance(name, str):
                    continue
                ptr = f"/contents/{i}/parts/{j}/{key}/name"
                if key == "functionCall":
                    called.add(name)
                    if name not in declared:
                        where = "the example's tools" if has_tools else "any tool declaration (the example has none)"
                        yield Problem("P233", ptr, f"Call to {name!r}, which is not in {where}.")
                elif name not in called:
                    yield Problem("P211", ptr, f"functionResponse for {name!r} answers no earlier functionCall.")


def check_completions(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Preference: two completions, one scored 1 and one scored 0, each a model turn of text."""
    if "completions" not in example:
        return
    completions = example["completions"]
    if not isinstance(completions, list) or len(completions) != 2:
        found = f"{len(completions)} items" if isinstance(completions, list) else f"a {type_name(completions)}"
        yield Problem(
            "P227", "/completions", f"completions must be a list of exactly two scored completions, found {found}."
        )
        if not isinstance(completions, list):
            return
    scores = []
    for i, item in enumerate(completions):
        scores.append(item.get("score") if isinstance(item, dict) else None)
        yield from _check_completion(item, f"/completions/{i}", ctx)
    valid = [s for s in scores if type(s) is int and s in (0, 1)]
    if len(valid) == 2 and sorted(valid) != [0, 1]:
        yield Problem("P242", "/completions", "The two completions need one score 1 (preferred) and one score 0.")
    turns = [c.get("completion") for c in completions if isinstance(c, dict)]
    if len(turns) == 2 and turns[0] == turns[1]:
        yield Problem(
            "P230", "/completions/1", "The two completions are identical; preference tuning learns nothing from them."
        )


def _check_completion(item: Any, ptr: str, ctx: CheckContext) -> Iterator[Problem]:
    if not isinstance(item, dict):
        yield Problem(
            "P227", ptr, f'A completion must be {{"score": 1, "completion": {{...}}}}, found {type_name(item)}.'
        )
        return
    yield from check_keys(
        item, ptr, frozenset({"score", "completion"}), frozenset({"score", "completion"}), "a completion"
    )
    score = item.get("score")
    if "score" in item and (type(score) is not int or score not in (0, 1)):
        yield Problem("P242", f"{ptr}/score", f"score must be 1 (preferred) or 0, found {score!r}.")
    if "completion" in item:
        roles = ctx.rules.output_roles
        yield from check_turn(item["completion"], f"{ptr}/completion", ctx, "parts", TEXT_PARTS, roles=roles)


def check_references(example: dict[str, Any], ctx: CheckContext) -> Iterator[Problem]:
    """Reinforcement: references map names to strings (the reward function reads them)."""
    if "references" not in example:
        return
    references = example["references"]
    if not isinstance(references, dict):
        yield Problem("P112", "/references", f"references must be an object of strings, found {type_name(references)}.")
        return
    for key, value in references.items():
        if not isinstance(value, str):
            yield from check_string(value, f"/references{escape_pointer(key)}", f"references[{key!r}]")
