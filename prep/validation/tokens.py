"""Counting examples the way OpenAI counts them, with an `Encoder` (`.encoders`) for the strings.

Counting a chat example (OpenAI Cookbook "How to count tokens with tiktoken"):
3 tokens per message, plus the tokens of each of its string values (role,
content, name, tool_call_id, refusal), plus 1 per ``name``, plus 3 to prime the
reply. Text parts count as their text; images by `.images.image_tokens`.
Tool and function definitions use the Cookbook's published constants
(``num_tokens_for_tools``: 7 (o200k) or 10 (cl100k) per function, 3 per
property list, 3 per property, -3 + 3 per enum item, 12 at the end). OpenAI
publishes no rule for ``tool_calls`` inside messages; prep counts each call as
its name plus its arguments plus 3, which is how function calls are rendered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from ..errors import warn_renamed
from ..records.values import dumps_any
from ..targets.profile import DataFormat
from .block_tokens import BLOCK_FORMATS, block_tallies
from .encoders import Encoder, is_linear, load_encoder
from .images import image_tokens
from .panics import LONG_TEXT, GuardedCount, contained
from .tally import Tally

__all__ = ["ExampleTokens", "TokenCounter", "count_tokens", "fits_by_size"]

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
TOKENS_PER_CALL = 3
# Cookbook num_tokens_for_tools constants; func_init depends on the encoding.
FUNC_INIT = {"o200k_base": 7, "cl100k_base": 10}
PROP_INIT, PROP_KEY, ENUM_INIT, ENUM_ITEM, FUNC_END = 3, 3, -3, 3, 12


class ExampleTokens(NamedTuple):
    """Tokens of one example: all of it, and the part that is trained on."""

    total: int
    trained: int


#: Tokens an example can have beyond the bytes of its JSON line (a token is at
#: least one byte, and the per-message and per-tool constants are fewer than the
#: JSON syntax around them); images are the exception and are never bounded so.
BYTES_BOUND_SLACK = 16


def fits_by_size(canonical: bytes, limit: int, *, media: bool = True) -> bool:
    """True when an example of this canonical JSON (`prep.validation.canonical.hash_of`) cannot
    hold more than ``limit`` tokens; ``media=False`` when it is known to hold no image."""
    return len(canonical) + BYTES_BOUND_SLACK <= limit and not (media and b"image_url" in canonical)


class TokenCounter:
    """Counts examples with one encoder; each distinct string is counted once.

    The cache is bounded (``cache_chars``) and is emptied when full, so memory
    stays flat while the strings that repeat across a file (system prompts,
    tool definitions, roles) are counted once.
    """

    def __init__(self, encoder: Encoder, *, cache_chars: int = 8_000_000) -> None:
        self.encoder = encoder
        self.guard = GuardedCount(encoder.count, long_text=None if is_linear(encoder) else LONG_TEXT)
        self._cache: dict[str, int] = {}
        self._cached_chars = 0
        self._cache_chars = cache_chars
        self._func_init = FUNC_INIT.get(encoder.name, FUNC_INIT["o200k_base"])

    def text(self, s: str) -> int:
        """Tokens of one string; a string longer than an eighth of the cache is counted, not kept."""
        n = self._cache.get(s)
        if n is None:
            n = self.guard(s)
            if len(s) > self._cache_chars >> 3:
                return n
            if self._cached_chars > self._cache_chars:
                self._cache.clear()
                self._cached_chars = 0
            self._cache[s] = n
            self._cached_chars += len(s)
        return n

    def plain_chat(self, messages: list[dict[str, str]]) -> ExampleTokens:
        """Tokens of a plain chat example's messages (`shapes.plain_roles`): what `example` counts, in one walk."""
        text = self.text
        total, trained = REPLY_PRIMING + TOKENS_PER_MESSAGE * len(messages), 0
        for msg in messages:
            n = text(msg["content"])
            total += n + text(msg["role"])
            if msg["role"] == "assistant":
                trained += n
        return ExampleTokens(total, trained)

    def exact(self, tally: Tally) -> int:
        return tally.constant + sum(map(self.text, tally.texts))

    def example(self, example: dict[str, Any], fmt: DataFormat) -> ExampleTokens:
        """Tokens of one example of the given format; values of the wrong type count 0."""
        sequences, trained = self.tallies(example, fmt)
        return ExampleTokens(max(map(self.exact, sequences)), self.exact(trained))

    def over_limit(self, example: dict[str, Any], fmt: DataFormat, limit: int) -> int | None:
        """The example's exact token count if it is over ``limit``, else None, tokenizing as little as possible.

        Each sequence is bounded by its strings' UTF-8 bytes, and the largest strings
        are tokenized first until the bound fits or the count is over (the caller tests
        the whole example's size first: `fits_by_size`).
        """
        sequences, _ = self.tallies(example, fmt)
        worst = None
        for tally in sequences:
            total = self._tighten(tally, limit)
            if total is not None and (worst is None or total > worst):
                worst = total
        return worst

    def _tighten(self, tally: Tally, limit: int) -> int | None:
        """The exact count of ``tally`` if it is over ``limit``, else None; a text is never counted twice."""
        texts = tally.texts
        counts = [self._cache.get(s) for s in texts]
        known = tally.constant + sum(n for n in counts if n is not None)
        sizes = {i: len(s.encode("utf-8", "surrogatepass")) for i, s in enumerate(texts) if counts[i] is None}
        bound = known + sum(sizes.values())
        for i in sorted(sizes, key=sizes.__getitem__, reverse=True):
            if bound <= limit or known > limit:
                break
            n = counts[i] = self.text(texts[i])
            known += n
            bound += n - sizes[i]
        if bound <= limit:
            return None
        return tally.constant + sum(self.text(s) if n is None else n for n, s in zip(counts, texts, strict=True))

    def tallies(self, example: dict[str, Any], fmt: DataFormat) -> tuple[list[Tally], Tally]:
        """The token sequences of an example (two for a preference pair), and its trained part."""
        if fmt in BLOCK_FORMATS:
            return block_tallies(example, fmt, self.conversation)
        if fmt in (DataFormat.COMPLETION, DataFormat.TEXT):
            total, trained = Tally(), Tally()
            for key in ("prompt", "completion", "text"):
                value = example.get(key)
                self._parts(value, total) if isinstance(value, list) else self._add(total, value)
                if key != "prompt":
                    self._add(trained, value)
            return [total], trained
        if fmt is DataFormat.PREFERENCE:
            inp = example.get("input")
            inp = inp if isinstance(inp, dict) else {}
            sequences, trained = [], Tally()
            for key in ("preferred_output", "non_preferred_output"):
                output = example.get(key)
                output = output if isinstance(output, list) else []
                sequences.append(self.conversation(inp, output))
                for msg in output:  # DPO trains on the outputs only
                    if isinstance(msg, dict):
                        self._message(msg, Tally(), trained)
            return sequences, trained
        trained = Tally()
        total = self.conversation(example, (), trained if fmt is DataFormat.CHAT else None)
        return [total], trained

    def conversation(self, example: dict[str, Any], extra: Iterable[Any] = (), trained: Tally | None = None) -> Tally:
        """A messages list (plus ``extra`` messages), with its tool and function definitions."""
        tally = Tally(REPLY_PRIMING)
        messages = example.get("messages")
        for msg in [*(messages if isinstance(messages, list) else ()), *extra]:
            if isinstance(msg, dict):
                trains = trained is not None and msg.get("role") == "assistant" and msg.get("weight", 1) != 0
                self._message(msg, tally, trained if trains else None)
        self._definitions(example.get("tools"), tally, wrapped=True)
        self._definitions(example.get("functions"), tally, wrapped=False)
        return tally

    def _message(self, msg: dict[str, Any], tally: Tally, trained: Tally | None) -> None:
        """Add a message: everything to ``tally``, all but its role and overhead to ``trained``."""
        tally.constant += TOKENS_PER_MESSAGE
        for key, value in msg.items():
            into = (tally,) if key == "role" or trained is None else (tally, trained)
            for t in into:
                if isinstance(value, str):
                    t.texts.append(value)
                    t.constant += TOKENS_PER_NAME if key == "name" else 0
                elif key == "content" and isinstance(value, list):
                    self._parts(value, t)
                elif key == "tool_calls" and isinstance(value, list):
                    for call in value:
                        if isinstance(call, dict):
                            self._call(call.get("function"), t)
                elif key == "function_call":
                    self._call(value, t)

    def _definitions(self, defs: Any, tally: Tally, *, wrapped: bool) -> None:
        """Tool (``wrapped``) or legacy function definitions, by the Cookbook's rule."""
        if not isinstance(defs, list) or not defs:
            return
        tally.constant += FUNC_END
        for item in defs:
            fn = item.get("function") if wrapped and isinstance(item, dict) else item
            if isinstance(fn, dict):
                self._function(fn, tally)

    def _function(self, fn: dict[str, Any], tally: Tally) -> None:
        desc = _plain(fn.get("description")).removesuffix(".")
        tally.constant += self._func_init
        tally.texts.append(f"{_plain(fn.get('name'))}:{desc}")
        params = fn.get("parameters")
        props = params.get("properties") if isinstance(params, dict) else None
        if not isinstance(props, dict) or not props:
            return
        tally.constant += PROP_INIT
        for key, prop in props.items():
            if not isinstance(prop, dict):
                continue
            tally.constant += PROP_KEY
            enum = prop.get("enum")
            if isinstance(enum, list):
                tally.constant += ENUM_INIT + ENUM_ITEM * len(enum)
                tally.texts.extend(item if isinstance(item, str) else _enum_text(item) for item in enum)
            p_desc = _plain(prop.get("description")).removesuffix(".")
            tally.texts.append(f"{key}:{_plain(prop.get('type'))}:{p_desc}")

    @staticmethod
    def _parts(parts: list[Any], tally: Tally) -> None:
        for part in parts:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                tally.texts.append(part["text"])
            elif isinstance(part.get("refusal"), str):
                tally.texts.append(part["refusal"])
            elif isinstance(part.get("image_url"), dict):
                image = part["image_url"]
                tally.constant += image_tokens(_plain(image.get("url")), image.get("detail"))

    @staticmethod
    def _call(call: Any, tally: Tally) -> None:
        """A call: its name and its arguments (a JSON string, or an object as TRL holds them) plus 3."""
        if isinstance(call, dict):
            tally.constant += TOKENS_PER_CALL
            TokenCounter._add(tally, call.get("name"))
            arguments = call.get("arguments")
            TokenCounter._add(tally, json.dumps(arguments) if isinstance(arguments, dict) else arguments)

    @staticmethod
    def _add(tally: Tally, value: Any) -> None:
        if isinstance(value, str):
            tally.texts.append(value)


def _enum_text(item: Any) -> str:
    """An enum value as JSON text, as the Cookbook writes it (any depth or type: never raises)."""
    try:
        return json.dumps(item)
    except (TypeError, ValueError, RecursionError):
        return dumps_any(item).decode()


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else ""


@contained
def count_tokens(
    records: Any,
    *,
    model: str | None = None,
    encoding: str | None = None,
    data_format: DataFormat | str | None = None,
    target: str = "openai",
    tiktoken_dir: str | None = None,
    tokenizer: str | None = None,
    chat_template: str | None = None,
    allow_download: bool = False,
    fmt: DataFormat | str | None = None,
) -> ExampleTokens | list[ExampleTokens]:
    """Count one record (a dict or a pydantic record) or an iterable of records.

    Returns one `ExampleTokens` for a single record, or a list for an iterable.
    The format is detected per record unless ``data_format`` is given (``fmt``
    is its old name). With ``tokenizer`` (or a ``model`` whose profile names
    its own tokenizer, when its files are at hand) each example is counted as
    its trainer sees it (`prep.validation.rendering`); a record its template
    refuses raises `RenderError`.
    """
    from ..reading.detect import vote
    from ..records.values import as_dict
    from ..targets.budget import resolve_budget
    from ..targets.loader import load_target

    budget = resolve_budget(load_target(target), model=model, encoding=encoding, tokenizer=tokenizer)
    if budget.tokenizer is not None:
        from .rendering.source import locate

        explicit = tokenizer is not None
        budget = locate(budget, explicit=explicit, allow_download=allow_download, tiktoken_dir=tiktoken_dir)
    count = _counter(budget.source, budget.encoding, tiktoken_dir, chat_template)
    if fmt is not None:
        warn_renamed("prep.count_tokens", "fmt", "data_format")
        data_format = data_format or fmt
    forced = DataFormat(data_format) if data_format is not None else None

    def one(record: Any) -> ExampleTokens:
        data = as_dict(record)
        return count(data, forced or vote(data) or DataFormat.CHAT)

    if isinstance(records, dict) or hasattr(records, "model_dump"):
        return one(records)
    return [one(r) for r in records]


def _counter(
    source: str | None, encoding: str, tiktoken_dir: str | None, chat_template: str | None
) -> Callable[[dict[str, Any], DataFormat], ExampleTokens]:
    """The tiktoken counter of ``encoding``, or the located model tokenizer's (``source``)."""
    if source is None:
        return TokenCounter(load_encoder(encoding, tiktoken_dir)).example
    from .rendering.counter import load_counter

    counter = load_counter(source, chat_template=chat_template)

    def example(data: dict[str, Any], fmt: DataFormat) -> ExampleTokens:
        rendered = counter.count(data, fmt)
        return ExampleTokens(rendered.total, rendered.trained)

    return example
