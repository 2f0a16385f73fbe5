"""Tokenizers and counting examples the way OpenAI counts them.

This is the only module that imports tiktoken.

Where rank files come from, in order:

1. a directory given by ``--tiktoken-dir`` or ``PREP_TIKTOKEN_DIR`` holding
   ``<encoding>.tiktoken``, verified by SHA-256 against the hash tiktoken itself
   expects for that encoding;
2. tiktoken's own cache (``TIKTOKEN_CACHE_DIR``);
3. tiktoken's normal download.

Counting a chat example (OpenAI Cookbook "How to count tokens with tiktoken"):
3 tokens per message, plus the tokens of each of its string values (role,
content, name, tool_call_id, refusal), plus 1 per ``name``, plus 3 to prime the
reply. Text parts count as their text; images by `prep.images.image_tokens`.
Tool and function definitions use the Cookbook's published constants
(``num_tokens_for_tools``: 7 (o200k) or 10 (cl100k) per function, 3 per
property list, 3 per property, -3 + 3 per enum item, 12 at the end). OpenAI
publishes no rule for ``tool_calls`` inside messages; prep counts each call as
its name plus its arguments plus 3, which is how function calls are rendered.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import TokenizerUnavailableError
from .images import image_tokens
from .targets import DataFormat, Target

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "TIKTOKEN_DIR_ENV",
    "Budget",
    "ExampleTokens",
    "TokenCounter",
    "count_tokens",
    "load_encoding",
    "resolve_budget",
]

TIKTOKEN_DIR_ENV = "PREP_TIKTOKEN_DIR"

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
TOKENS_PER_CALL = 3
# Cookbook num_tokens_for_tools constants; func_init depends on the encoding.
FUNC_INIT = {"o200k_base": 7, "cl100k_base": 10}
PROP_INIT, PROP_KEY, ENUM_INIT, ENUM_ITEM, FUNC_END = 3, 3, -3, 3, 12


@dataclass(frozen=True)
class Budget:
    """Which tokenizer counts, against which per-example limit, and why."""

    encoding: str
    token_limit: int
    model: str | None = None
    is_default: bool = False


def resolve_budget(
    target: Target, *, model: str | None = None, encoding: str | None = None, token_limit: int | None = None
) -> Budget:
    """The tokenizer and limit for ``model`` (or the target's safe default)."""
    if model is not None:
        info = target.resolve_model(model)
        return Budget(encoding or info.encoding, token_limit or info.token_limit, model)
    return Budget(
        encoding or target.default_encoding,
        token_limit or target.default_token_limit,
        None,
        is_default=token_limit is None,
    )


_lock = threading.Lock()
_encodings: dict[tuple[str, str | None], tiktoken.Encoding] = {}


def load_encoding(name: str, tiktoken_dir: str | os.PathLike[str] | None = None) -> tiktoken.Encoding:
    """Load an encoding, from a local directory first (see the module docstring)."""
    folder = tiktoken_dir or os.environ.get(TIKTOKEN_DIR_ENV) or None
    key = (name, str(folder) if folder else None)
    with _lock:
        if key not in _encodings:
            _encodings[key] = _load(name, Path(folder) if folder else None)
        return _encodings[key]


def _load(name: str, folder: Path | None) -> tiktoken.Encoding:
    import tiktoken
    from tiktoken_ext import openai_public

    constructor = openai_public.ENCODING_CONSTRUCTORS.get(name)
    if constructor is None:
        known = ", ".join(sorted(openai_public.ENCODING_CONSTRUCTORS))
        raise TokenizerUnavailableError(f"Unknown encoding {name!r}; tiktoken knows: {known}.")
    local = folder / f"{name}.tiktoken" if folder else None
    if local is not None and local.is_file():
        return tiktoken.Encoding(**_construct_from(constructor, local, openai_public))
    try:
        return tiktoken.get_encoding(name)
    except Exception as exc:  # noqa: BLE001 - any download or cache failure means the same thing
        raise TokenizerUnavailableError(
            f"Cannot load the {name} tokenizer ({type(exc).__name__}); either point prep at a folder "
            f"holding {name}.tiktoken with --tiktoken-dir or {TIKTOKEN_DIR_ENV}, or let tiktoken "
            "download it once (internet access, or a filled TIKTOKEN_CACHE_DIR); --no-tokens skips token checks."
        ) from exc


def _construct_from(constructor: Any, path: Path, module: Any) -> dict[str, Any]:
    """Run tiktoken's own constructor, feeding it the local file after checking its hash."""

    def load_local(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if expected_hash and actual != expected_hash:
            raise TokenizerUnavailableError(
                f"{path} has SHA-256 {actual}, but tiktoken expects {expected_hash}; replace it with the published file."
            )
        return {base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in data.splitlines() if line)}

    original = module.load_tiktoken_bpe
    module.load_tiktoken_bpe = load_local
    try:
        return constructor()  # type: ignore[no-any-return]
    finally:
        module.load_tiktoken_bpe = original


class ExampleTokens(NamedTuple):
    """Tokens of one example: all of it, and the part that is trained on."""

    total: int
    trained: int


class TokenCounter:
    """Counts examples with one encoding; each distinct string is encoded once.

    The cache is bounded (``cache_chars``) and is emptied when full, so memory
    stays flat while the strings that repeat across a file (system prompts,
    tool definitions, roles) are counted once.
    """

    def __init__(self, encoding: tiktoken.Encoding, *, cache_chars: int = 8_000_000) -> None:
        self.encoding = encoding
        self._encode = encoding.encode_ordinary
        self._cache: dict[str, int] = {}
        self._cached_chars = 0
        self._cache_chars = cache_chars
        self._func_init = FUNC_INIT.get(encoding.name, FUNC_INIT["o200k_base"])

    def text(self, s: str) -> int:
        n = self._cache.get(s)
        if n is None:
            n = len(self._encode(s))
            if self._cached_chars > self._cache_chars:
                self._cache.clear()
                self._cached_chars = 0
            self._cache[s] = n
            self._cached_chars += len(s)
        return n

    def example(self, example: dict[str, Any], fmt: DataFormat) -> ExampleTokens:
        """Tokens of one example of the given format; values of the wrong type count 0."""
        if fmt is DataFormat.COMPLETION:
            prompt, completion = self._str(example.get("prompt")), self._str(example.get("completion"))
            return ExampleTokens(prompt + completion, completion)
        if fmt is DataFormat.PREFERENCE:
            return self._preference(example)
        total, trained = self.conversation(example)
        return ExampleTokens(total, 0 if fmt is DataFormat.REINFORCEMENT else trained)

    def conversation(self, example: dict[str, Any], extra: Iterable[Any] = ()) -> ExampleTokens:
        """A messages list (plus ``extra`` messages), with its tool and function definitions."""
        total, trained = REPLY_PRIMING, 0
        messages = example.get("messages")
        for msg in [*(messages if isinstance(messages, list) else ()), *extra]:
            if isinstance(msg, dict):
                n = self.message(msg)
                total += n
                if msg.get("role") == "assistant" and msg.get("weight", 1) != 0:
                    trained += n - TOKENS_PER_MESSAGE - self._str(msg.get("role"))
        total += self.definitions(example.get("tools"), wrapped=True)
        total += self.definitions(example.get("functions"), wrapped=False)
        return ExampleTokens(total, trained)

    def message(self, msg: dict[str, Any]) -> int:
        n = TOKENS_PER_MESSAGE
        for key, value in msg.items():
            if isinstance(value, str):
                n += self.text(value)
                if key == "name":
                    n += TOKENS_PER_NAME
            elif key == "content" and isinstance(value, list):
                n += self._parts(value)
            elif key == "tool_calls" and isinstance(value, list):
                n += sum(self._call(c.get("function")) for c in value if isinstance(c, dict))
            elif key == "function_call":
                n += self._call(value)
        return n

    def definitions(self, defs: Any, *, wrapped: bool) -> int:
        """Tool (``wrapped``) or legacy function definitions, by the Cookbook's rule."""
        if not isinstance(defs, list) or not defs:
            return 0
        n = FUNC_END
        for item in defs:
            fn = item.get("function") if wrapped and isinstance(item, dict) else item
            if isinstance(fn, dict):
                n += self._function(fn)
        return n

    def _function(self, fn: dict[str, Any]) -> int:
        desc = self._plain(fn.get("description")).removesuffix(".")
        n = self._func_init + self.text(f"{self._plain(fn.get('name'))}:{desc}")
        params = fn.get("parameters")
        props = params.get("properties") if isinstance(params, dict) else None
        if isinstance(props, dict) and props:
            n += PROP_INIT
            for key, prop in props.items():
                prop = prop if isinstance(prop, dict) else {}
                n += PROP_KEY
                enum = prop.get("enum")
                if isinstance(enum, list):
                    n += ENUM_INIT + sum(ENUM_ITEM + self.text(str(item)) for item in enum)
                p_desc = self._plain(prop.get("description")).removesuffix(".")
                n += self.text(f"{key}:{self._plain(prop.get('type'))}:{p_desc}")
        return n

    def _parts(self, parts: list[Any]) -> int:
        n = 0
        for part in parts:
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("text"), str):
                n += self.text(part["text"])
            elif isinstance(part.get("refusal"), str):
                n += self.text(part["refusal"])
            elif isinstance(part.get("image_url"), dict):
                image = part["image_url"]
                n += image_tokens(self._plain(image.get("url")), image.get("detail"))
        return n

    def _call(self, call: Any) -> int:
        if not isinstance(call, dict):
            return 0
        return TOKENS_PER_CALL + self._str(call.get("name")) + self._str(call.get("arguments"))

    def _preference(self, example: dict[str, Any]) -> ExampleTokens:
        inp = example.get("input") if isinstance(example.get("input"), dict) else {}
        totals = []
        trained = 0
        for key in ("preferred_output", "non_preferred_output"):
            output = example.get(key)
            tokens = self.conversation(inp, output if isinstance(output, list) else ())
            totals.append(tokens.total)
            trained += tokens.trained
        return ExampleTokens(max(totals), trained)

    def _str(self, value: Any) -> int:
        return self.text(value) if isinstance(value, str) else 0

    @staticmethod
    def _plain(value: Any) -> str:
        return value if isinstance(value, str) else ""


def count_tokens(
    records: Any,
    *,
    model: str | None = None,
    encoding: str | None = None,
    fmt: DataFormat | str | None = None,
    target: str = "openai",
    tiktoken_dir: str | None = None,
) -> ExampleTokens | list[ExampleTokens]:
    """Count one record (a dict or a pydantic record) or an iterable of records.

    Returns one `ExampleTokens` for a single record, or a list for an iterable.
    The format is detected per record unless ``fmt`` is given.
    """
    from .detect import vote
    from .records import as_dict
    from .targets import load_target

    budget = resolve_budget(load_target(target), model=model, encoding=encoding)
    counter = TokenCounter(load_encoding(budget.encoding, tiktoken_dir))
    forced = DataFormat(fmt) if fmt is not None else None

    def one(record: Any) -> ExampleTokens:
        data = as_dict(record)
        return counter.example(data, forced or vote(data) or DataFormat.CHAT)

    if isinstance(records, dict) or hasattr(records, "model_dump"):
        return one(records)
    return [one(r) for r in records]
