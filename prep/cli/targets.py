"""The ``prep targets`` command: the target profiles, their status and dates, and one profile's rules in words."""

from __future__ import annotations

import datetime as dt

import click

__all__ = ["targets_command"]


@click.command("targets")
@click.argument("name", required=False)
def targets_command(name: str | None) -> None:
    """List the target profiles (status, models, dates), or print the rules of one (a name or a .toml path)."""
    from ..targets.describe import describe_target, target_line
    from ..targets.loader import available_targets, load_target

    today = dt.date.today()
    if name:
        click.echo(describe_target(load_target(name), today), nl=False)
        return
    for target in available_targets():
        click.echo(target_line(load_target(target), today))
    click.echo("\nCheck for several at once: prep check FILE --target openai,azure,together  (or --target all)")
