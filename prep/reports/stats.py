"""Per-file statistics and the training estimate, kept compactly.

Distributions are exact: each is a histogram (value -> how many examples), so
memory grows with the number of *distinct* values, not with the file, and the
percentiles equal numpy's default (linear) ``np.quantile`` bit for bit.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Distribution", "FileStats", "Truncation", "default_epochs", "percentile"]

# OpenAI's default-epoch heuristic (rulebook 3.5), which the service also follows.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """The number of epochs OpenAI picks for ``n_epochs="auto"``."""
    if n_examples <= 0:
        return TARGET_EPOCHS
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's interpolation, including its switch for t >= 0.5."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def percentile(hist: Counter[int], q: float) -> float:
    """The q-quantile (0..1) of the values in ``hist``, as ``np.quantile(values, q)``."""
    n = sum(hist.values())
    if n == 0:
        return math.nan
    pos = (n - 1) * q
    lo = math.floor(pos)
    values = sorted(hist)
    return float(_lerp(_kth(hist, values, lo), _kth(hist, values, min(lo + 1, n - 1)), pos - lo))


def _kth(hist: Counter[int], values: list[int], k: int) -> int:
    """The k-th smallest value (0-based) of the histogram."""
    seen = 0
    for value in values:
        seen += hist[value]
        if seen > k:
            return value
    raise IndexError(k)


@dataclass
class Distribution:
    """An exact histogram of one integer quantity per example."""

    hist: Counter[int] = field(default_factory=Counter)

    def add(self, value: int) -> None:
        self.hist[value] += 1

    def merge(self, other: Distribution) -> None:
        self.hist.update(other.hist)

    @property
    def count(self) -> int:
        return sum(self.hist.values())

    @property
    def total(self) -> int:
        return sum(v * n for v, n in self.hist.items())

    def summary(self) -> dict[str, Any]:
        if not self.hist:
            return {"total": 0, "min": None, "max": None, "mean": None, "median": None, "p10": None, "p90": None}
        return {
            "total": self.total,
            "min": min(self.hist),
            "max": max(self.hist),
            "mean": self.total / self.count,
            "median": percentile(self.hist, 0.5),
            "p10": percentile(self.hist, 0.1),
            "p90": percentile(self.hist, 0.9),
        }


@dataclass
class Truncation:
    """What the limit cuts over a file, measured where each example is counted with its model's own tokenizer.

    ``examples_over``: examples over the limit; ``losing_trained``: those that
    lose trained tokens; ``losing_all``: those that keep none (they train on
    nothing); ``trained_lost`` of ``trained`` tokens in all; ``estimated``:
    examples whose count is an estimate (images not counted, turn bounds estimated).
    """

    examples_over: int = 0
    losing_trained: int = 0
    losing_all: int = 0
    trained_lost: int = 0
    trained: int = 0
    estimated: int = 0

    def add(self, *, over: bool, trained_lost: int, trained: int, keeps_none: bool, exact: bool) -> None:
        self.examples_over += over
        self.losing_trained += trained_lost > 0
        self.losing_all += keeps_none
        self.trained_lost += trained_lost
        self.trained += trained
        self.estimated += not exact

    def merge(self, other: Truncation) -> None:
        for name in ("examples_over", "losing_trained", "losing_all", "trained_lost", "trained", "estimated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict[str, Any]:
        return {
            "examples_over_limit": self.examples_over,
            "examples_losing_trained": self.losing_trained,
            "examples_losing_all": self.losing_all,
            "trained_tokens": self.trained,
            "trained_tokens_lost": self.trained_lost,
            "trained_share_lost": self.trained_lost / self.trained if self.trained else 0.0,
            "examples_estimated": self.estimated,
        }


@dataclass
class FileStats:
    """What is measured per example, merged over the file."""

    token_limit: int = 0
    tokens: Distribution = field(default_factory=Distribution)
    assistant_tokens: Distribution = field(default_factory=Distribution)
    messages: Distribution = field(default_factory=Distribution)
    billed_tokens: int = 0
    over_limit: int = 0
    without_system: int = 0
    without_user: int = 0
    truncation: Truncation | None = None  # measured with an open model's own tokenizer only

    def add_tokens(self, total: int, assistant: int) -> None:
        self.tokens.add(total)
        self.assistant_tokens.add(assistant)
        self.billed_tokens += min(self.token_limit, total)
        if total > self.token_limit:
            self.over_limit += 1

    def add_roles(self, n_messages: int, has_system: bool, has_user: bool) -> None:
        self.messages.add(n_messages)
        self.without_system += not has_system
        self.without_user += not has_user

    def merge(self, other: FileStats) -> None:
        self.tokens.merge(other.tokens)
        self.assistant_tokens.merge(other.assistant_tokens)
        self.messages.merge(other.messages)
        self.billed_tokens += other.billed_tokens
        self.over_limit += other.over_limit
        self.without_system += other.without_system
        self.without_user += other.without_user
        if self.truncation is not None and other.truncation is not None:
            self.truncation.merge(other.truncation)

    def estimate(self, n_examples: int, epochs: int | None = None) -> dict[str, int]:
        """Default epochs (or ``epochs``), billed tokens per epoch, and trained tokens."""
        n_epochs = epochs if epochs is not None else default_epochs(n_examples)
        return {
            "epochs": n_epochs,
            "billed_tokens": self.billed_tokens,
            "trained_tokens": n_epochs * self.billed_tokens,
        }
