"""Shell completion of values: target names, model names (from the profiles), issue codes.

click completes commands and option names by itself; these functions complete
the values of ``--target`` (a list separated by commas, or ``all``),
``--model`` (the models and aliases of the targets given, else of every
built-in target), ``--select``/``--ignore`` and ``prep rule``'s code. Turn
completion on as click does (the README says how, for bash, zsh and fish).
"""

from __future__ import annotations

from typing import Any

import click
from click.shell_completion import CompletionItem

__all__ = ["complete_codes", "complete_models", "complete_targets"]


def complete_targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """``openai``, ``azure``..., ``all``; after a comma, the next name of the list."""
    from ..targets.loader import available_targets, load_target

    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    taken = set(done.split(",")) if done else set()
    names = [n for n in [*available_targets(), "all"] if n.startswith(last) and n not in taken]
    return [CompletionItem(prefix + n, help=_title(load_target, n)) for n in names]


def _title(load: Any, name: str) -> str:
    return "every built-in profile" if name == "all" else str(load(name).title)


def complete_models(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The models (and their aliases) of the targets given with ``--target``, else of every built-in target."""
    from ..errors import PrepError
    from ..targets.loader import available_targets, load_target, resolve_targets

    given = ctx.params.get("target") or ",".join(available_targets())
    found: dict[str, str] = {}
    try:
        targets = [load_target(n) for n in resolve_targets(given)]
    except PrepError:
        targets = [load_target(n) for n in available_targets()]
    for target in targets:
        for model in target.models.values():
            for name in (model.name, *model.aliases):
                found.setdefault(name, f"{target.name}: {model.token_limit:,} tokens, {model.encoding}")
    return [CompletionItem(n, help=h) for n, h in sorted(found.items()) if n.startswith(incomplete)]


def complete_codes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Issue codes with their one-line meaning."""
    from ..issues import CODES

    prefix = incomplete.upper()
    return [CompletionItem(c, help=info.summary) for c, info in CODES.items() if c.startswith(prefix)]
