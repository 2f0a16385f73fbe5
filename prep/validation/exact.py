"""Scanning with an open model's own tokenizer: each example rendered and counted as its trainer sees it.

`ExactScan` is the `FileScan` of a file whose budget located a model's
tokenizer (`prep.validation.rendering.source`); it counts each example with
it (every example: a rendering has no cheap bound) and reports what the limit
cuts (`prep.validation.truncation`). The choice is made once per file
(`prep.validation.group.scan_for`), so the tiktoken path is not touched.
"""

from __future__ import annotations

from typing import Any

from ..issues import Severity
from ..reports.stats import Truncation
from ..targets.profile import DataFormat
from .rendering.counts import Rendered, RenderError
from .scan import FileScan, Origin
from .truncation import truncation_issue

__all__ = ["ExactScan"]


class ExactScan(FileScan):
    """A scan whose examples are counted with their model's own tokenizer (`rendering`), and what the limit cuts.

    Chosen once per file (`scan_for`): the tiktoken path of `FileScan` stays as it is.
    """

    _refused: int = 0  # the last line with an error, whose template failure would say nothing new

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stats is not None:
            self.stats.truncation = Truncation()

    def add(
        self,
        code: str,
        line: int | None,
        pointer: str,
        message: str,
        origin: Origin | None = None,
        *,
        fingerprint: str | None = None,
    ) -> None:
        super().add(code, line, pointer, message, origin, fingerprint=fingerprint)
        if line is not None and self.plan.target.severity(code) is Severity.ERROR:
            self._refused = line

    def _measure(
        self,
        number: int,
        value: dict[str, Any],
        fmt: DataFormat,
        canonical: bytes,
        roles: tuple[str, ...] | None = None,
    ) -> None:
        self._note_media(number, value, fmt)
        budget = self.plan.budget
        assert budget is not None
        counter = self.tokenizers.rendered(budget)
        if counter is None:
            return
        try:
            rendered = counter.count(value, fmt)
        except RenderError as exc:
            if self._refused != number:
                self.add("P308", number, "", f"Cannot count the example with {budget.counted_with}: {exc}.")
            return
        if self.stats is not None:
            self._add_shape(value, fmt)
            self.stats.add_tokens(rendered.total, rendered.trained)
            self._tally(rendered, budget.token_limit)
        problem = truncation_issue(rendered, budget, self.plan.target.provider)
        if problem is not None:
            self.add(problem[0], number, "", problem[1])

    def _tally(self, rendered: Rendered, limit: int) -> None:
        cut = rendered.cut(limit)
        assert self.stats is not None and self.stats.truncation is not None
        self.stats.truncation.add(
            over=rendered.total > limit,
            trained_lost=cut.trained_lost,
            trained=cut.trained,
            keeps_none=cut.keeps_none,
            exact=rendered.exact,
        )
