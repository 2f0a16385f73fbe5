"""The token budget of a check: which tokenizer counts, against which per-example limit, and why.

With ``--model`` the model's own tokenizer and limit apply (a model that names
a tokenizer of its own, such as ``hf:Qwen/Qwen3-8B``, is counted with it when
its files are at hand: `prep.validation.rendering.source`). ``--token-limit``
replaces the limit, and the report says it is the user's; ``--max-seq-length``
is a trainer's own limit: it replaces the model's. Without a model the limit
follows the data: the smallest limit of the target's current models that take
data of the file's format, so a file within it fits every one of them that
counts with the same tokenizer. When no current model takes that format, the
smallest limit of the models that took it (a reinforcement file is never
measured against a chat model's limit); when none ever did, or the format is
not known, the profile's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import UsageError
from .profile import DataFormat, Method, ModelInfo, Price, Target, parse_tokenizer

__all__ = ["Budget", "ModelPrice", "resolve_budget"]


@dataclass(frozen=True)
class ModelPrice:
    """What training ``model`` with ``method`` costs, or None when no source gives a price."""

    model: str
    method: Method | None
    price: Price | None


@dataclass(frozen=True)
class Budget:
    """Which tokenizer counts, against which per-example limit, and why.

    ``covers`` names the current models a limit that follows the data is safe
    for (those counting with ``encoding``; ``others`` take the format but count
    with another tokenizer); ``former`` names the models whose limit applies when
    no current model takes the format. ``limit_set`` is True when the user gave
    the limit (``--token-limit`` or ``--max-seq-length``). ``exact`` is False when
    the count only estimates the provider's own tokenizer. ``tokenizer`` names
    the model's own tokenizer when it counts (``hf:...``, ``mistral:...``,
    ``harmony``; None: the tiktoken ``encoding`` counts), ``source`` where its
    files are (set when they were found), and ``estimate`` says in words why a
    count is an estimate. ``trainer_limit`` is True when the limit is a
    trainer's ``--max-seq-length``.
    """

    encoding: str
    token_limit: int
    model: str | None = None
    is_default: bool = False
    covers: tuple[str, ...] = ()
    exact: bool = True
    tokenizer: str | None = None
    source: str | None = None
    estimate: str | None = None
    trainer_limit: bool = False
    provider: str = ""
    others: tuple[str, ...] = ()
    former: tuple[str, ...] = ()
    limit_set: bool = False
    prices: tuple[ModelPrice, ...] = ()  # the model's, or each covered model's, for the data's method

    def limit_phrase(self) -> str:
        """Which limit this is, in words: "the 65,536-token limit of gpt-4.1-2025-04-14", "... you set"..."""
        limit = f"the {self.token_limit:,}-token limit"
        if self.trainer_limit:
            return f"--max-seq-length {self.token_limit:,}"
        if self.limit_set:
            return f"{limit} you set"
        if self.model:
            return f"{limit} of {self.model}"
        if self.covers:
            return f"{limit} of the current {self.provider} models"
        if self.former:
            return f"{limit} of {', '.join(self.former)}"
        return f"{limit} (the {self.provider} profile's default)"

    @property
    def counted_with(self) -> str:
        """What counts, in words: ``Qwen/Qwen3-8B's tokenizer and chat template``, or the encoding's name."""
        if self.source is None or self.tokenizer is None:
            return self.encoding
        kind, what = parse_tokenizer(self.tokenizer)
        if kind == "harmony":
            return "o200k_harmony and the harmony format"
        if kind == "mistral":
            return f"mistral-common's {what}"
        if self.tokenizer.startswith("hf:"):
            return f"{what}'s tokenizer and chat template"
        return f"the tokenizer and chat template in {what}"


def resolve_budget(
    target: Target,
    *,
    model: str | None = None,
    encoding: str | None = None,
    token_limit: int | None = None,
    max_seq_length: int | None = None,
    tokenizer: str | None = None,
    fmt: DataFormat | None = None,
    today: dt.date | None = None,
) -> Budget:
    """The tokenizer and limit for ``model``, or for data of ``fmt`` on ``today`` (see the module doc)."""
    if token_limit is not None and max_seq_length is not None:
        raise UsageError("Give --token-limit or --max-seq-length, not both.")
    if tokenizer is not None and encoding is not None:
        raise UsageError("Give --tokenizer or --encoding, not both.")
    limit = max_seq_length or token_limit
    trainer, limit_set, provider = max_seq_length is not None, limit is not None, target.provider
    method = target.method_of(fmt) if fmt else None
    if model is not None:
        info = target.resolve_model(model)
        named = tokenizer or (None if encoding else info.tokenizer)
        exact = info.exact_tokens
        return Budget(
            encoding or info.encoding,
            limit or info.limit_for(fmt),
            info.name,
            exact=exact,
            tokenizer=named,
            estimate=(info.estimate_note or target.estimate_note) if not exact and named is None else None,
            trainer_limit=trainer,
            provider=provider,
            limit_set=limit_set,
            prices=_prices([info], method),
        )
    enc = encoding or target.default_encoding
    estimate = target.estimate_note if not target.exact_tokens and tokenizer is None else None
    if limit is not None or fmt is None:
        return Budget(
            enc,
            limit or target.default_token_limit,
            is_default=not limit_set,
            exact=target.exact_tokens,
            tokenizer=tokenizer,
            estimate=estimate,
            trainer_limit=trainer,
            provider=provider,
            limit_set=limit_set,
        )
    current = target.current_models(fmt, today or dt.date.today())
    takers = current or [m for m in target.models.values() if fmt in m.formats]
    smallest = min((m.limit_for(fmt) for m in takers), default=target.default_token_limit)
    covered = sorted((m for m in current if m.limit_for(fmt) >= smallest and m.encoding == enc), key=lambda m: m.name)
    return Budget(
        enc,
        smallest,
        is_default=True,
        covers=tuple(m.name for m in covered),
        others=tuple(sorted(m.name for m in current if m.encoding != enc)),
        former=() if current else tuple(sorted(m.name for m in takers if m.limit_for(fmt) == smallest)),
        exact=target.exact_tokens,
        tokenizer=tokenizer,
        estimate=estimate,
        trainer_limit=trainer,
        provider=provider,
        prices=_prices(covered, method),
    )


def _prices(models: list[ModelInfo], method: Method | None) -> tuple[ModelPrice, ...]:
    return tuple(ModelPrice(m.name, method, m.prices.get(method) if method else None) for m in models)
