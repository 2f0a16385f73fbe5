"""The token budget of a check: which tokenizer counts, against which per-example limit, and why."""

from __future__ import annotations

from dataclasses import dataclass

from .profile import Target

__all__ = ["Budget", "resolve_budget"]


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
