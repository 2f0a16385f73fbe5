"""A tokenizer's local files in, an `ExampleCounter` out: what the trainer's tokens are for one example of any format.

Chat and reinforcement examples are one conversation; a preference pair is
two (the prompt with the chosen output, and with the rejected one); each is
rendered by the model's template (`spans`), mistral-common (`mistral`) or the
harmony renderer (`harmony`). Reinforcement examples train no token.
Prompt/completion and plain text examples are tokenized as TRL tokenizes
them: the text with the tokenizer's own special tokens, EOS appended when
missing; the completion (or the whole text) is trained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from ...targets.profile import DataFormat
from .conversation import conversation
from .counts import Counts, Rendered, TokenSpan

__all__ = ["RENDERED_FORMATS", "ExampleCounter", "load_counter"]

#: The data formats a model's own tokenizer counts (OpenAI's and TRL's; Vertex and Nova data go to services
#: whose tokenizers are not public).
RENDERED_FORMATS = frozenset(
    {DataFormat.CHAT, DataFormat.PREFERENCE, DataFormat.REINFORCEMENT, DataFormat.COMPLETION, DataFormat.TEXT,
     DataFormat.TRL_PREFERENCE}
)  # fmt: skip

Sequence = Callable[[dict[str, Any]], Counts]
Text = Callable[[str, str], Counts]
PLAIN_ESTIMATE = "plain text counted as the tokenizer encodes it, BOS and EOS added"


class ExampleCounter:
    """Counts examples with one model's tokenizer; remembers the last example, which several targets share."""

    def __init__(self, name: str, sequence: Sequence, text: Text) -> None:
        self.name = name
        self._sequence = sequence
        self._text = text
        self._last: tuple[Any, DataFormat, Rendered] | None = None

    def count(self, example: dict[str, Any], fmt: DataFormat) -> Rendered:
        """The sequences of an example as its trainer sees them. Raises `RenderError` for an example it refuses."""
        if self._last is not None and self._last[0] is example and self._last[1] is fmt:
            return self._last[2]
        rendered = Rendered(tuple(self._sequences(example, fmt)) or (Counts(0, ()),))
        self._last = (example, fmt, rendered)
        return rendered

    def _sequences(self, example: dict[str, Any], fmt: DataFormat) -> list[Counts]:
        if fmt is DataFormat.TEXT:
            return [self._text("", _plain(example.get("text")))]
        if fmt is DataFormat.COMPLETION:
            return [self._text(_plain(example.get("prompt")), _plain(example.get("completion")))]
        if fmt is DataFormat.PREFERENCE:
            return [self._sequence(chat) for chat in _pairs(example)]
        if fmt is DataFormat.TRL_PREFERENCE:
            return list(self._trl_pairs(example))
        counts = self._sequence(example)
        if fmt is DataFormat.REINFORCEMENT:  # the prompt of a reinforcement run: nothing in it is trained
            return [Counts(counts.total, (), counts.messages, counts.method, counts.exact, counts.notes)]
        return [counts]

    def _trl_pairs(self, example: dict[str, Any]) -> Iterator[Counts]:
        """TRL's prompt with the chosen answer, and with the rejected one: conversations, or plain strings."""
        prompt = example.get("prompt")
        for key in ("chosen", "rejected"):
            answer = example.get(key)
            if isinstance(answer, list) or isinstance(prompt, list):
                messages = [
                    *(prompt if isinstance(prompt, list) else []),
                    *(answer if isinstance(answer, list) else []),
                ]
                yield self._sequence({"messages": messages, "tools": example.get("tools")})
            else:
                yield self._text(_plain(prompt), _plain(answer))


class CounterLoader(Protocol):
    def __call__(self, where: str, chat_template: str | None) -> ExampleCounter: ...


def load_counter(source: str, *, chat_template: str | None = None) -> ExampleCounter:
    """The counter of a located tokenizer (``hf:FOLDER``, ``mistral:FILE``, ``harmony:FOLDER``)."""
    kind, _, where = source.partition(":")
    return _LOADERS[kind](where, chat_template)


def _hf(where: str, chat_template: str | None) -> ExampleCounter:
    from .hf import load_hf_tokenizer
    from .spans import count_conversation

    template = Path(chat_template).read_text(encoding="utf-8") if chat_template else None
    tok = load_hf_tokenizer(where, chat_template=template)

    def sequence(example: dict[str, Any]) -> Counts:
        kwargs = example.get("chat_template_kwargs")  # TRL passes them to the template
        return count_conversation(tok, conversation(example), variables=kwargs if isinstance(kwargs, dict) else None)

    eos = tok.special_tokens.get("eos_token", "")

    def text(prompt: str, completion: str) -> Counts:
        """TRL: EOS text appended when missing, then ``tokenizer(prompt + completion)``; the completion is trained."""
        if eos and not completion.endswith(eos):
            completion += eos
        total = len(tok.encode(prompt + completion, special=True).ids)
        start = len(tok.encode(prompt, special=True).ids) if prompt else 0
        return Counts(total, (TokenSpan(-1, start, total),) if total > start else (), method="text")

    return ExampleCounter(where, sequence, text)


def _mistral(where: str, chat_template: str | None) -> ExampleCounter:
    from .mistral import count_mistral, load_mistral

    raw = load_mistral(where).instruct_tokenizer.tokenizer

    def text(prompt: str, completion: str) -> Counts:
        start = len(raw.encode(prompt, bos=True, eos=False)) if prompt else 0
        total = start + len(raw.encode(completion, bos=not prompt, eos=True))
        return Counts(total, (TokenSpan(-1, start, total),), method="text", exact=False, notes=(PLAIN_ESTIMATE,))

    return ExampleCounter(where, lambda example: count_mistral(example, where), text)


def _harmony(where: str, chat_template: str | None) -> ExampleCounter:
    from .harmony import count_harmony, load_harmony

    enc = load_harmony(Path(where))

    def text(prompt: str, completion: str) -> Counts:
        start = len(enc.encode(prompt, allowed_special="all"))
        total = start + len(enc.encode(completion, allowed_special="all")) + 1  # <|return|>
        return Counts(total, (TokenSpan(-1, start, total),), method="text", exact=False, notes=(PLAIN_ESTIMATE,))

    return ExampleCounter("harmony", lambda example: count_harmony(example, Path(where)), text)


_LOADERS: dict[str, CounterLoader] = {"hf": _hf, "mistral": _mistral, "harmony": _harmony}


def _plain(value: Any) -> str:
    """A prompt, completion or text as one string (content parts: their texts)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(p["text"] for p in value if isinstance(p, Mapping) and isinstance(p.get("text"), str))
    return ""


def _pairs(example: dict[str, Any]) -> list[dict[str, Any]]:
    """A preference pair as two chat examples: the input with the chosen output, and with the rejected one."""
    inp = example.get("input")
    inp = inp if isinstance(inp, Mapping) else {}
    messages = inp.get("messages")
    prompt: list[Any] = messages if isinstance(messages, list) else []
    out = []
    for key in ("preferred_output", "non_preferred_output"):
        output = example.get(key)
        if isinstance(output, list):
            out.append({"messages": [*prompt, *output], "tools": inp.get("tools"), "functions": inp.get("functions")})
    return out
