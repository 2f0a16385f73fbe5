"""The token budget of a check: which tokenizer counts, against which per-example limit, and why.

With ``--model`` the model's own tokenizer and limit apply (a model that names
a tokenizer of its own, such as ``hf:Qwen/Qwen3-8B``, is counted with it when
its files are at hand: `prep.validation.rendering.source`). Without it, the
limit follows the data: the smallest limit of the target's current models
that take data of the file's format, so a file within it fits every one of
them; when no current model takes that format, the profile's default.
``--max-seq-length`` is a trainer's own limit: it replaces the model's.
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

    ``covers`` names the models a default limit is safe for (empty with a
    model, a forced limit, or the profile's fallback); ``exact`` is False when
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
    prices: tuple[ModelPrice, ...] = ()  # the model's, or each covered model's, for the data's method

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
    trainer = max_seq_length is not None
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
            prices=_prices([info], method),
        )
    current = target.current_models(fmt, today or dt.date.today())
    smallest = min((m.limit_for(fmt) for m in current), default=target.default_token_limit)
    covered = sorted((m for m in current if m.limit_for(fmt) >= smallest), key=lambda m: m.name) if not limit else []
    return Budget(
        encoding or target.default_encoding,
        limit or smallest,
        None,
        is_default=limit is None,
        covers=tuple(m.name for m in covered),
        exact=target.exact_tokens,
        tokenizer=tokenizer,
        estimate=target.estimate_note if not target.exact_tokens and tokenizer is None else None,
        trainer_limit=trainer,
        prices=_prices(covered, method),
    )


def _prices(models: list[ModelInfo], method: Method | None) -> tuple[ModelPrice, ...]:
    return tuple(ModelPrice(m.name, method, m.prices.get(method) if method else None) for m in models)
