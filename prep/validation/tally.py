"""A token sequence being counted: a constant plus the strings whose tokens it adds."""

from __future__ import annotations

__all__ = ["Tally"]


class Tally:
    """One token sequence as a constant plus the strings whose tokens it adds."""

    __slots__ = ("constant", "texts")

    def __init__(self, constant: int = 0) -> None:
        self.constant = constant
        self.texts: list[str] = []
