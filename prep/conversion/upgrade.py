"""Legacy prompt/completion records to chat records (``prep convert --to chat``).

Each prompt becomes the user message and each completion the assistant's
reply, after a constant system message if one is given. The marks legacy
models needed are removed, because a chat model would learn them as text: the
separator every prompt ends with (``\\n\\n###\\n\\n``, `` ->``...), the stop
sequence every completion ends with (``\\n``, `` END``...) and the space a
completion starts with. Only known marks are removed: a common ending such as
``?`` or ``.`` is the data, not a mark, but the whitespace after it is the
stop sequence (completions that all end with ``".\n"`` lose the ``"\n"`` and
keep the full stop). ``keep_separators=True`` keeps everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from ..validation.scan import Origin
from .examples import Example, RowProblem
from .legacy import common_suffix, show

__all__ = ["chat_examples", "legacy_mark", "to_chat"]

SEPARATOR_MARKS = ("->", "=>", "###", "===", "---", "===>", "--->", "### =>")
STOP_MARKS = ("END", "[END]", "***", "+++", "&&&", "$$$", "@@@", "%%%", "###")


def legacy_mark(suffix: str, marks: Iterable[str]) -> str:
    """The end of a common suffix that is a legacy mark, with the whitespace around it ("" if none).

    Whitespace that ends the suffix is a mark too, after text that is not one
    (``".\n"`` -> ``"\n"``): the legacy guide's first stop sequence is ``"\n"``.
    """
    core = suffix.rstrip()
    for mark in sorted(marks, key=len, reverse=True):
        if core and core.endswith(mark):
            start = len(core) - len(mark)
            while start > 0 and core[start - 1].isspace():
                start -= 1
            return suffix[start:]
    return suffix[len(core) :]


def _is_completion(record: Any) -> bool:
    return isinstance(record, dict) and "messages" not in record and ("prompt" in record or "completion" in record)


def chat_examples(
    examples: list[Example], *, system: str | None = None, keep_separators: bool = False
) -> tuple[list[Example], RowProblem | None]:
    """Turn the prompt/completion examples into chat ones; return them and a note of what was removed."""
    legacy = [e.record for e in examples if e.record is not None and _is_completion(e.record)]
    prompts = [r["prompt"] for r in legacy if isinstance(r.get("prompt"), str)]
    completions = [r["completion"] for r in legacy if isinstance(r.get("completion"), str)]
    separator = "" if keep_separators else legacy_mark(common_suffix(prompts), SEPARATOR_MARKS)
    stop = "" if keep_separators else legacy_mark(common_suffix(completions), STOP_MARKS)
    spaces = 0
    out = []
    for example in examples:
        if not _is_completion(example.record):
            out.append(example)
            continue
        assert example.record is not None
        prompt, completion, spaced = _stripped(example.record, separator, stop, keep_separators)
        spaces += spaced
        out.append(_as_chat(example, prompt, completion, system))
    return out, _note(separator, stop, spaces)


def _stripped(record: Mapping[str, Any], separator: str, stop: str, keep: bool) -> tuple[Any, Any, bool]:
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str) and separator and prompt.endswith(separator):
        prompt = prompt[: -len(separator)].rstrip()
    spaced = False
    if isinstance(completion, str):
        if stop and completion.endswith(stop):
            completion = completion[: -len(stop)]
        if not keep and completion.startswith(" "):
            completion, spaced = completion[1:], True
    return prompt, completion, spaced


def _as_chat(example: Example, prompt: Any, completion: Any, system: str | None) -> Example:
    messages: list[dict[str, Any]] = []
    if system is not None:
        messages.append({"role": "system", "content": system})
    where: dict[str, str] = {}
    if prompt != "":
        where["/prompt"] = f"/messages/{len(messages)}"
        messages.append({"role": "user"} if prompt is None else {"role": "user", "content": prompt})
    where["/completion"] = f"/messages/{len(messages)}"
    messages.append({"role": "assistant"} if completion is None else {"role": "assistant", "content": completion})
    columns = tuple((where.get(p, p), c) for p, c in example.origin.columns)
    problems = tuple(p._replace(pointer=where.get(p.pointer, p.pointer)) for p in example.problems)
    return replace(
        example, record={"messages": messages}, origin=Origin(example.origin.sheet, columns), problems=problems
    )


def _note(separator: str, stop: str, spaces: int) -> RowProblem | None:
    parts = []
    if separator:
        parts.append(f"the separator {show(separator)} from the end of prompts")
    if stop:
        parts.append(f"the stop sequence {show(stop)} from the end of completions")
    if spaces:
        parts.append(f"the leading space of {spaces} completion(s)")
    if not parts:
        return None
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return RowProblem(
        "P159",
        "",
        f"Converted prompt/completion records to chat, removing {listed}, which chat models "
        "do not need (keep them with --keep-separators).",
    )


def to_chat(
    records: Iterable[Mapping[str, Any]], *, system: str | None = None, keep_separators: bool = False
) -> list[dict[str, Any]]:
    """Legacy prompt/completion records as chat records (other records are returned unchanged); see `prep.to_chat`."""
    examples = [Example(i, dict(r)) for i, r in enumerate(records, 1)]
    out, _ = chat_examples(examples, system=system, keep_separators=keep_separators)
    return [e.record for e in out if e.record is not None]
