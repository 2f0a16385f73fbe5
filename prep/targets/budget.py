"""The token budget of a check: which tokenizer counts, against which per-example limit, and why.

With ``--model`` the model's own tokenizer and limit apply; ``--token-limit``
replaces the limit, and the report says it is the user's. Without a model the
limit follows the data: the smallest limit of the target's current models that
take data of the file's format, so a file within it fits every one of them
that counts with the same tokenizer. When no current model takes that format,
the smallest limit of the models that took it (a reinforcement file is never
measured against a chat model's limit); when none ever did, or the format is
not known, the profile's default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .profile import DataFormat, Method, ModelInfo, Price, Target

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
    the limit. ``exact`` is False when the encoding only estimates the
    provider's own tokenizer.
    """

    encoding: str
    token_limit: int
    model: str | None = None
    is_default: bool = False
    covers: tuple[str, ...] = ()
    exact: bool = True
    provider: str = ""
    others: tuple[str, ...] = ()
    former: tuple[str, ...] = ()
    limit_set: bool = False
    prices: tuple[ModelPrice, ...] = ()  # the model's, or each covered model's, for the data's method

    def limit_phrase(self) -> str:
        """Which limit this is, in words: "the 65,536-token limit of gpt-4.1-2025-04-14", "... you set"..."""
        limit = f"the {self.token_limit:,}-token limit"
        if self.limit_set:
            return f"{limit} you set"
        if self.model:
            return f"{limit} of {self.model}"
        if self.covers:
            return f"{limit} of the current {self.provider} models"
        if self.former:
            return f"{limit} of {', '.join(self.former)}"
        return f"{limit} (the {self.provider} profile's default)"


def resolve_budget(
    target: Target,
    *,
    model: str | None = None,
    encoding: str | None = None,
    token_limit: int | None = None,
    fmt: DataFormat | None = None,
    today: dt.date | None = None,
) -> Budget:
    """The tokenizer and limit for ``model``, or for data of ``fmt`` on ``today`` (see the module doc)."""
    exact, provider, limit_set = target.exact_tokens, target.provider, token_limit is not None
    method = target.method_of(fmt) if fmt else None
    if model is not None:
        info = target.resolve_model(model)
        limit = token_limit or info.token_limit
        prices = _prices([info], method)
        return Budget(
            encoding or info.encoding,
            limit,
            info.name,
            exact=exact,
            provider=provider,
            limit_set=limit_set,
            prices=prices,
        )
    enc = encoding or target.default_encoding
    if token_limit is not None or fmt is None:
        limit = token_limit or target.default_token_limit
        return Budget(enc, limit, is_default=not limit_set, exact=exact, provider=provider, limit_set=limit_set)
    current = target.current_models(fmt, today or dt.date.today())
    takers = current or [m for m in target.models.values() if fmt in m.formats]
    limit = min((m.token_limit for m in takers), default=target.default_token_limit)
    covered = sorted((m for m in current if m.token_limit >= limit and m.encoding == enc), key=lambda m: m.name)
    return Budget(
        enc,
        limit,
        is_default=True,
        covers=tuple(m.name for m in covered),
        others=tuple(sorted(m.name for m in current if m.encoding != enc)),
        former=() if current else tuple(sorted(m.name for m in takers if m.token_limit == limit)),
        exact=exact,
        provider=provider,
        prices=_prices(covered, method),
    )


def _prices(models: list[ModelInfo], method: Method | None) -> tuple[ModelPrice, ...]:
    return tuple(ModelPrice(m.name, method, m.prices.get(method) if method else None) for m in models)
