"""Options that several commands share."""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable
from typing import Any

import click

from ..reading.table import FileType

__all__ = [
    "check_output_file",
    "config_options",
    "output_options",
    "table_options",
    "write_report",
    "write_step_summary",
]


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``-o/--output-file FILE`` and ``-q/--quiet`` (passed as output_file, quiet)."""
    f = click.option("-q", "--quiet", is_flag=True, help="Print the report only: no progress and no notes on stderr.")(
        f
    )
    return click.option(
        "-o",
        "--output-file",
        type=click.Path(dir_okay=False, allow_dash=True),
        help="Write the report to FILE (atomically) instead of the standard output.",
    )(f)


def check_output_file(output_file: str | None, inputs: tuple[str, ...]) -> None:
    """Stop before checking when the report could not be written where asked: a missing folder, or an input."""
    if output_file is None or output_file == "-":
        return
    from pathlib import Path

    from ..errors import UsageError

    target = Path(output_file)
    if not target.parent.is_dir():
        raise UsageError(
            f"Cannot write the report to {output_file!r}: the folder {str(target.parent)!r} does not exist."
        )
    if any(Path(p).exists() and Path(p).resolve() == target.resolve() for p in inputs):
        raise UsageError(f"--output-file {output_file!r} is a file being checked; prep never overwrites its input.")


#: The file GitHub Actions shows as the job summary (Markdown, appended to by each step).
STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def write_step_summary(report: Any, *, max_issues: int | None = None) -> str | None:
    """Append the Markdown report to the job summary when ``GITHUB_STEP_SUMMARY`` names one;
    return a sentence when it could not be written (the check itself stands)."""
    import os

    path = os.environ.get(STEP_SUMMARY_ENV)
    if not path:
        return None
    from ..reports.markdown import report_markdown

    buffer = io.StringIO()
    report_markdown(report, buffer, max_issues=max_issues)
    try:
        with open(path, "a", encoding="utf-8") as fp:
            fp.write(buffer.getvalue() + "\n")
    except OSError as exc:
        return f"Cannot write the job summary to {path!r} ({STEP_SUMMARY_ENV}): {exc.strerror or exc}."
    return None


def write_report(reporter: Callable[..., None], report: Any, output_file: str | None, **kwargs: Any) -> None:
    """Run ``reporter`` into ``output_file`` (written whole, atomically), or onto stdout when None or "-"."""
    if output_file is None or output_file == "-":
        reporter(report, sys.stdout, **kwargs)
        return
    from ..io import atomic_write_text

    buffer = io.StringIO()
    reporter(report, buffer, **kwargs)
    atomic_write_text(output_file, buffer.getvalue())


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
        type=click.Choice([t.value for t in FileType], case_sensitive=False),
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
