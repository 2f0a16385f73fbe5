"""``prep rule CODE`` (also ``prep explain``): what an issue code means, why, where the rule comes from, the fix."""

from __future__ import annotations

import shutil
import textwrap

import click

from ..issues import CODES, Explanation, explain
from .completion import complete_codes

__all__ = ["rule_command"]


@click.command("rule")
@click.argument("code", required=False, shell_complete=complete_codes)
def rule_command(code: str | None) -> None:
    """Explain an issue code: what the rule is, why the service enforces it, its source and how to fix it.

    Without CODE, list every code; with a prefix (P2), the codes it starts.
    """
    if code is None or (len(code) < 4 and any(c.startswith(code.upper()) for c in CODES)):
        prefix = (code or "").upper()
        for name, info in CODES.items():
            if name.startswith(prefix):
                click.echo(f"{name}  {info.severity.value:8} {info.summary}")
        return
    click.echo(explanation_text(explain(code)), nl=False)


def explanation_text(e: Explanation) -> str:
    """The explanation as ``prep rule`` prints it: the code's line, then What, Why, Source and Fix, wrapped."""
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    lines = [f"{e.code} ({e.severity.value} by default): {e.summary}", ""]
    for label, text in (("What", e.what), ("Why", e.why), ("Source", e.source), ("Fix", e.fix)):
        lines.append(textwrap.fill(text, width, initial_indent=f"{label + ':':8}", subsequent_indent=" " * 8))
    return "\n".join(lines) + "\n"
