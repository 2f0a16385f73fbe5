"""The training price of an estimate, in words: what each known price makes of the trained tokens,
and "unknown" wherever the profile states no price (prep never guesses one)."""

from __future__ import annotations

from typing import Any

__all__ = ["price_words"]


def price_words(estimate: dict[str, Any]) -> str:
    """One sentence from the JSON estimate's ``prices``, e.g. "$0.12 with gpt-4o-mini (...)" or "unknown ..."."""
    prices = estimate.get("prices", [])
    if not prices:
        return "unknown (no model to price: the profile lists none, or --token-limit replaced the model's)"
    known = [_known(p) for p in prices if p["usd"] is not None]
    unknown = [p["model"] for p in prices if p["usd"] is None]
    if unknown:
        whom = unknown[0] if len(unknown) == 1 else f"{len(unknown)} {'other ' if known else ''}models"
        known.append(
            f"unknown for {whom} (the profile gives no training price for {'it' if len(unknown) == 1 else 'them'})"
        )
    return "; ".join(known)


def _known(p: dict[str, Any]) -> str:
    said = f"{p['source']}, {p['date']}"
    if p["per"] == "hour":
        return f"${p['usd']:,.2f} per training hour with {p['model']} ({said}); the hours are not known before training"
    return f"${p['cost_usd']:,.2f} with {p['model']} (${p['usd']:,.2f} per 1M trained tokens; {said})"
