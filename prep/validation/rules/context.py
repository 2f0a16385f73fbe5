"""What every check receives: the target's rules for the file's format."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ...targets.profile import DataFormat, FormatRules, Target

__all__ = ["CheckContext", "a_role"]


@dataclass(frozen=True)
class CheckContext:
    target: Target
    format: DataFormat

    @property
    def rules(self) -> FormatRules:
        return self.target.formats[self.format]

    @cached_property
    def special_tokens(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(t) for t in self.target.special_tokens))

    @cached_property
    def special_marker(self) -> bytes | None:
        """A character every special token holds and canonical JSON writes as itself (printable ASCII but ``"``
        and ``\\``; ``|`` when it can be): an example whose canonical JSON lacks it holds no special token.
        None when the tokens share no such character (or there are none)."""
        tokens = self.target.special_tokens
        common = set(tokens[0]).intersection(*tokens[1:]) if tokens else set()
        usable = sorted(c for c in common if " " < c < "\x7f" and c not in '"\\')
        return ("|" if "|" in usable else usable[0]).encode() if usable else None

    @cached_property
    def plain_roles(self) -> frozenset[str]:
        """Roles whose message of only ``role`` and a string ``content`` is clean when the content is not blank."""
        roles = self.target.roles
        plain = (r for r in self.rules.roles if r not in ("function", "tool") and {"role", "content"} <= roles[r].keys)
        return frozenset(plain)

    @cached_property
    def plain_verdicts(self) -> dict[tuple[str, ...], bool]:
        """`fastpath.is_clean`'s verdicts on plain examples, by their roles."""
        return {}

    def name_ok(self, name: str) -> bool:
        return self.target.name_pattern.fullmatch(name) is not None

    def __reduce__(self) -> tuple[type[CheckContext], tuple[Target, DataFormat]]:
        return (CheckContext, (self.target, self.format))


def a_role(role: str) -> str:
    """``role`` with its article: "a user", "an assistant"."""
    return f"{'an' if role[:1] in 'aeio' else 'a'} {role}"
