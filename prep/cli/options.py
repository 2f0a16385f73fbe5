"""Options that several commands share."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from ..reading.table import FileType

__all__ = ["config_options", "table_options"]


def config_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--config FILE`` and ``--isolated``: which project configuration applies (passed as config_file, isolated)."""
    f = click.option("--isolated", is_flag=True, help="Ignore configuration files.")(f)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="Use this prep.toml or pyproject.toml instead of the closest one.",
    )(f)


def _parse_map(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        column, sep, field = value.rpartition("=")
        if not sep or not column.strip() or not field.strip():
            raise click.BadParameter(f"{value!r} is not COLUMN=FIELD (e.g. question=user).")
        pairs.append((column.strip(), field.strip()))
    return tuple(pairs)


_TABLE_OPTIONS = (
    click.option("--sheet", help="XLSX: the sheet to read (default: the first); JSON: the key holding the array."),
    click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="COLUMN=FIELD",
        callback=_parse_map,
        help="Fill FIELD (prompt, completion, system, user, input, assistant, messages, tools, ignore) "
        "from COLUMN (repeatable; other columns are matched by their common names).",
    ),
    click.option("--system", help="A system message to put first in every chat record (a system column wins)."),
    click.option(
        "--file-type",
        type=click.Choice([t.value for t in FileType]),
        help="Read the input as this type (default: from its extension).",
    ),
    click.option("--input-encoding", help="Text encoding of CSV/TSV/JSON input (default: UTF-8 or UTF-16 by BOM)."),
    click.option(
        "--header/--no-header",
        default=None,
        help="CSV/TSV/XLSX: the first row names the columns (default), or --no-header: it is data, and the "
        "columns are A, B, C... (--map A=user --map B=assistant).",
    ),
)


def table_options(*, fold: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the options that say how a table becomes records; ``fold`` passes them on as one ``table=``."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        command = f
        if fold:

            @functools.wraps(f)
            def command(*args: Any, **kwargs: Any) -> Any:
                from ..reading.table import TableOptions

                names = ("sheet", "mapping", "system", "file_type", "input_encoding", "header")
                values = {n: kwargs.pop(n) for n in names}
                given = {n: v for n, v in values.items() if v not in (None, ())}
                kwargs["table"] = TableOptions(**given) if given else None
                return f(*args, **kwargs)

        for option in reversed(_TABLE_OPTIONS):
            command = option(command)
        return command

    return decorate
