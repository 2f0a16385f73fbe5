"""Chat templates rendered as transformers renders them (``apply_chat_template``), with jinja2 alone.

The environment is transformers': ``ImmutableSandboxedEnvironment`` with
``trim_blocks`` and ``lstrip_blocks``, the ``loopcontrols`` extension, a
``generation`` extension that records where each ``{% generation %}`` block
lands in the output (as transformers' AssistantTracker does: a block starts at
the length of the output yielded so far), ``tojson`` without HTML escaping,
``raise_exception``, ``strftime_now``, and ``dict`` and ``namespace`` globals
that refuse names starting with ``_``. Chat templates come from the Hub:
they are untrusted code, which is why the sandbox and jinja2 >= 3.1.6 matter.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from ...errors import TokenizerUnavailableError, require
from .counts import RenderError

__all__ = ["REASONING_FIELDS", "render"]

#: Where a message's reasoning may be; transformers fills ``thinking`` and ``reasoning_content`` from any of them.
REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")


class _Tracker(NamedTuple):
    blocks: list[str]
    spans: list[tuple[int, int]]


_tracking: ContextVar[_Tracker | None] = ContextVar("prep_generation_tracker", default=None)


def render(
    template: str, messages: Sequence[dict[str, Any]], tools: Any, variables: dict[str, Any], *, generation_prompt: bool
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the character spans of its ``{% generation %}`` blocks.

    Raises `RenderError` when the template refuses the conversation (``raise_exception``) or fails on it.
    """
    jinja2 = require("jinja2", "hf")
    compiled = _compile(template)
    chat = [_alias_reasoning({k: v for k, v in m.items() if v is not None}) for m in messages]
    tracker = _Tracker([], [])
    token = _tracking.set(tracker)
    try:
        for block in compiled.generate(
            messages=chat, tools=tools, documents=None, add_generation_prompt=generation_prompt, **variables
        ):
            tracker.blocks.append(block)
    except jinja2.TemplateError as exc:
        raise RenderError(f"the chat template refuses it: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        raise RenderError(f"the chat template fails on it ({type(exc).__name__}: {exc})") from None
    finally:
        _tracking.reset(token)
    return "".join(tracker.blocks), tracker.spans


def _alias_reasoning(message: dict[str, Any]) -> dict[str, Any]:
    """Fill ``thinking`` and ``reasoning_content`` from any reasoning field, in transformers' key order."""
    reasoning = next((message[k] for k in REASONING_FIELDS if message.get(k) is not None), None)
    if reasoning is None:
        return message
    return {"thinking": reasoning, **message, "reasoning_content": reasoning}


@lru_cache(maxsize=64)
def _compile(template: str) -> Any:
    """A template compiled once (transformers' ``_cached_compile_jinja_template``)."""
    try:
        return _environment().from_string(template)
    except Exception as exc:  # a broken template is the tokenizer's problem, not the example's
        raise TokenizerUnavailableError(f"The chat template does not compile: {exc}.") from None


@lru_cache(maxsize=1)
def _environment() -> Any:
    ext = require("jinja2.ext", "hf")
    sandbox = require("jinja2.sandbox", "hf")
    env = sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[_generation_extension(), ext.loopcontrols]
    )
    env.filters["tojson"] = _tojson
    env.globals.update(
        raise_exception=_raise_exception, strftime_now=_strftime_now, dict=_TemplateDict(), namespace=_namespace()
    )
    return env


def _generation_extension() -> type:
    """``{% generation %}...{% endgeneration %}``: records the character span of its output while tracking."""
    ext = require("jinja2.ext", "hf")
    nodes = require("jinja2.nodes", "hf")

    class Generation(ext.Extension):  # type: ignore[name-defined,misc]
        tags = {"generation"}  # noqa: RUF012 (jinja's Extension API)

        def parse(self, parser: Any) -> Any:
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return nodes.CallBlock(self.call_method("_mark"), [], [], body).set_lineno(lineno)

        def _mark(self, caller: Any) -> str:
            rv: str = caller()
            tracker = _tracking.get()
            if tracker is not None:
                start = len("".join(tracker.blocks))
                tracker.spans.append((start, start + len(rv)))
            return rv

    return Generation


def _namespace() -> type:
    """jinja's ``namespace``, refusing names that start with ``_`` (transformers' TemplateNamespace)."""
    exceptions = require("jinja2.exceptions", "hf")
    utils = require("jinja2.utils", "hf")

    def check(name: Any) -> None:
        if isinstance(name, str) and name.startswith("_"):
            raise exceptions.SecurityError(f"Chat templates cannot store {name!r} on a namespace.")

    class TemplateNamespace(utils.Namespace):  # type: ignore[name-defined,misc]
        def __init__(*args: Any, **kwargs: Any) -> None:  # jinja's signature trick: `self` may be a key
            self, attrs = args[0], dict(*args[1:], **kwargs)
            for name in attrs:
                check(name)
            utils.Namespace.__init__(self, attrs)

        def __setitem__(self, name: str, value: Any) -> None:
            check(name)
            utils.Namespace.__setitem__(self, name, value)

    return TemplateNamespace


class _TemplateDict:
    """The ``dict`` global: a call and ``fromkeys``, nothing else."""

    def __call__(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict(*args, **kwargs)

    def fromkeys(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        return dict.fromkeys(*args, **kwargs)


def _raise_exception(message: str) -> None:
    raise require("jinja2.exceptions", "hf").TemplateError(message)


def _tojson(
    x: Any, ensure_ascii: bool = False, indent: Any = None, separators: Any = None, sort_keys: bool = False
) -> str:
    """transformers' ``tojson``: json.dumps without HTML escaping."""
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)
