"""The ``prep schema`` command: the JSON Schemas of the records and of the JSON report."""

from __future__ import annotations

import sys

import click

__all__ = ["schema_command"]


@click.command("schema")
@click.option("--write", "out_dir", type=click.Path(file_okay=False), help="Write the schemas into this folder.")
@click.option(
    "--check",
    "check_dir",
    type=click.Path(file_okay=False),
    help="Exit 1 if the schemas in this folder differ from the models.",
)
def schema_command(out_dir: str | None, check_dir: str | None) -> None:
    """Generate the JSON Schemas of the records and of the JSON report."""
    from ..records.schemas import build_schemas, stale_schemas, write_schemas

    if out_dir:
        for path in write_schemas(out_dir):
            click.echo(f"wrote {path}")
    elif check_dir:
        stale = stale_schemas(check_dir)
        for name in stale:
            click.echo(f"{check_dir}/{name} is out of date; run: prep schema --write {check_dir}", err=True)
        sys.exit(1 if stale else 0)
    else:
        import json

        click.echo(json.dumps(build_schemas(), indent=2))
