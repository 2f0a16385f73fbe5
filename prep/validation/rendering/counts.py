"""What a rendered count is, and what a maximum sequence length cuts from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

__all__ = ["Counts", "Cut", "RenderError", "Rendered", "TokenSpan"]

#: How the trained spans were found: ``generation`` markers in the template, the ``prefix`` renders of the
#: conversation, mistral-common's own assistant encoding, the harmony renderer, or ``text`` (no template).
Method = Literal["generation", "prefix", "mistral", "harmony", "text"]


class RenderError(ValueError):
    """The model's template or tokenizer refuses an example (its message says why); a problem of that example."""


class TokenSpan(NamedTuple):
    """Tokens ``[start, end)`` of one sequence, belonging to message ``message`` (-1: not known)."""

    message: int
    start: int
    end: int


@dataclass(frozen=True)
class Counts:
    """The tokens of one sequence as its trainer sees it.

    ``trained_spans`` are the trained (assistant) tokens, ``weight: 0`` messages
    left out; ``messages`` one span per input message where its bounds are
    known. ``exact`` is False when a bound was estimated or some content was not
    counted; ``notes`` say why.
    """

    total: int
    trained_spans: tuple[TokenSpan, ...]
    messages: tuple[TokenSpan | None, ...] = ()
    method: Method = "prefix"
    exact: bool = True
    notes: tuple[str, ...] = ()

    @property
    def trained(self) -> int:
        return sum(s.end - s.start for s in self.trained_spans)

    def cut(self, limit: int) -> Cut:
        """What keeping the first ``limit`` tokens costs (trainers keep the start: TRL's ``keep_start``)."""
        lost = sum(max(0, s.end - max(s.start, limit)) for s in self.trained_spans)
        return Cut(max(0, self.total - limit), lost, self.trained, lost > 0 and lost == self.trained)


class Cut(NamedTuple):
    """Tokens past the limit, trained tokens among them, trained tokens in all, and whether none is kept."""

    tokens: int
    trained_lost: int
    trained: int
    keeps_none: bool


@dataclass(frozen=True)
class Rendered:
    """The sequences of one example: one, or two for a preference pair (chosen and rejected)."""

    sequences: tuple[Counts, ...]

    @property
    def total(self) -> int:
        """The longest sequence (what a limit is measured against)."""
        return max(s.total for s in self.sequences)

    @property
    def trained(self) -> int:
        return sum(s.trained for s in self.sequences)

    @property
    def exact(self) -> bool:
        return all(s.exact for s in self.sequences)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for s in self.sequences for n in s.notes))

    def cut(self, limit: int) -> Cut:
        """What each sequence loses at ``limit``, added up (none kept: a sequence keeps no trained token)."""
        cuts = [s.cut(limit) for s in self.sequences]
        return Cut(
            max(c.tokens for c in cuts),
            sum(c.trained_lost for c in cuts),
            sum(c.trained for c in cuts),
            any(c.keeps_none for c in cuts),
        )
