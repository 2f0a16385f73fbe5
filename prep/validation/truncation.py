"""What a limit cuts from an example counted with its model's own tokenizer, as the issue to report (or none).

Trainers keep the start of a sequence and cut the end (TRL's ``keep_start``;
the services truncate from the end too), and the assistant turns at the end
are what gets cut. An example over the limit is P301 when what is cut trains
nothing, P307 when it takes trained tokens with it, and P306 (an error) when
no trained token is kept at all: the example trains on nothing.
"""

from __future__ import annotations

from ..targets.budget import Budget
from .rendering.counts import Cut, Rendered

__all__ = ["truncation_issue"]


def truncation_issue(rendered: Rendered, budget: Budget, provider: str) -> tuple[str, str] | None:
    """The code and message for an example over the budget's limit, or None when it fits."""
    limit = budget.token_limit
    total = rendered.total
    if total <= limit:
        return None
    cut = rendered.cut(limit)
    estimated = "" if rendered.exact else " (an estimate)"
    who = "the trainer" if budget.trainer_limit else provider
    head = f"Example has {total:,} tokens{estimated} with {budget.counted_with}, over {budget.limit_phrase()}"
    if cut.keeps_none:
        return "P306", f"{head}: all {cut.trained:,} of its trained tokens are past it, so it trains on nothing."
    if cut.trained_lost:
        return "P307", f"{head}; {who} cuts the last {cut.tokens:,}, {_lost(cut)}."
    return "P301", f"{head}; {who} cuts the last {cut.tokens:,}, none of them trained."


def _lost(cut: Cut) -> str:
    share = cut.trained_lost / cut.trained
    return f"{cut.trained_lost:,} of its {cut.trained:,} trained tokens ({share:.0%}) among them"
