"""The token budget of a check: which tokenizer counts, against which per-example limit, and why.

With ``--model`` the model's own tokenizer and limit apply. Without it, the
limit follows the data: the smallest limit of the target's current models
that take data of the file's format, so a file within it fits every one of
them; when no current model takes that format, the profile's default.
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

    ``covers`` names the models a default limit is safe for (empty with a
    model, a forced limit, or the profile's fallback); ``exact`` is False when
    the encoding only estimates the provider's own tokenizer.
    """

    encoding: str
    token_limit: int
    model: str | None = None
    is_default: bool = False
    covers: tuple[str, ...] = ()
    exact: bool = True
    prices: tuple[ModelPrice, ...] = ()  # the model's, or each covered model's, for the data's method


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
    method = target.method_of(fmt) if fmt else None
    if model is not None:
        info = target.resolve_model(model)
        limit = token_limit or info.token_limit
        prices = _prices([info], method)
        return Budget(encoding or info.encoding, limit, info.name, exact=target.exact_tokens, prices=prices)
    current = target.current_models(fmt, today or dt.date.today())
    limit = min((m.token_limit for m in current), default=target.default_token_limit)
    covered = sorted((m for m in current if m.token_limit >= limit), key=lambda m: m.name) if not token_limit else []
    return Budget(
        encoding or target.default_encoding,
        token_limit or limit,
        None,
        is_default=token_limit is None,
        covers=tuple(m.name for m in covered),
        exact=target.exact_tokens,
        prices=_prices(covered, method),
    )


def _prices(models: list[ModelInfo], method: Method | None) -> tuple[ModelPrice, ...]:
    return tuple(ModelPrice(m.name, method, m.prices.get(method) if method else None) for m in models)
