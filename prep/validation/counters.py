"""The token counters of a check: one per tiktoken encoding, and one per open model's tokenizer, each loaded once.

`Tokenizers` is shared by every file and target of a check (and rebuilt in
each worker process): a counter is loaded at the first example that needs it.
When one cannot be loaded, its sentence is kept (``error``) and the check
ends with exit 2 after reporting every structural problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import TokenizerUnavailableError
from .encoders import load_encoder
from .tokens import TokenCounter

if TYPE_CHECKING:
    from ..targets.budget import Budget
    from .rendering.counter import ExampleCounter

__all__ = ["Tokenizers"]


class Tokenizers:
    """Token counters by encoding and by tokenizer source, each loaded at the first example that needs it."""

    def __init__(self, tiktoken_dir: str | None = None, chat_template: str | None = None) -> None:
        self.tiktoken_dir = tiktoken_dir
        self.chat_template = chat_template
        self.error: str | None = None
        self._counters: dict[str, TokenCounter] = {}
        self._rendered: dict[str, ExampleCounter] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Workers send back the error, never a tokenizer."""
        return {**self.__dict__, "_counters": {}, "_rendered": {}}

    def get(self, encoding: str) -> TokenCounter | None:
        counter = self._counters.get(encoding)
        if counter is None and self.error is None:
            try:
                counter = self._counters[encoding] = TokenCounter(load_encoder(encoding, self.tiktoken_dir))
            except TokenizerUnavailableError as exc:
                self.error = str(exc)
        return counter

    def rendered(self, budget: Budget) -> ExampleCounter | None:
        """The counter of the model tokenizer the budget located (`prep.validation.rendering.source`)."""
        source = budget.source
        assert source is not None
        counter = self._rendered.get(source)
        if counter is None and self.error is None:
            from .rendering.counter import load_counter

            try:
                counter = self._rendered[source] = load_counter(source, chat_template=self.chat_template)
            except TokenizerUnavailableError as exc:
                self.error = str(exc)
        return counter
