"""What ``prep check`` does around `prep.check_project`: standard input, ``--verbose``, and ``--version``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .stdin import NAME, read_stdin, renamed

if TYPE_CHECKING:
    from ..conversion.converter import ConversionResult
    from ..project.runner import ProjectReport

__all__ = [
    "describe_plans",
    "note_left_out",
    "run_check",
    "run_convert",
    "stdin_project",
    "version_text",
    "write_baselines_of",
]


def run_check(
    files: Sequence[str], settings: dict[str, Any], project: dict[str, Any], *, use_baseline: bool
) -> ProjectReport:
    """`check_project` over ``files``; ``-`` alone is standard input, with the current folder's configuration."""
    from dataclasses import replace

    from ..project.runner import check_project

    table = settings.get("table")
    with read_stdin(files, str(table.file_type) if table and table.file_type else None) as spooled:
        if spooled is None:
            return check_project(files, settings, use_baseline=use_baseline, **project)
        result = check_project([spooled], settings, use_baseline=use_baseline, **stdin_project(project))
    result.plans = [replace(p, path=NAME) if p.path == spooled else p for p in result.plans]
    result.report = renamed(result.report, spooled)
    return result


def run_convert(source: str, output: str, settings: dict[str, Any], project: dict[str, Any]) -> ConversionResult:
    """`prep.convert` of ``source`` (``-``: standard input) into ``output`` (``-``: nothing written here)."""
    from ..project.converting import convert

    target = None if output == "-" else output
    with read_stdin((source,), settings.get("file_type")) as spooled:
        if spooled is None:
            return convert(source, target, **project, **settings)
        result = convert(spooled, target, **stdin_project(project), **settings)
    result.report = renamed(result.report, spooled)
    return result


def stdin_project(project: dict[str, Any]) -> dict[str, Any]:
    """The configuration of standard input: ``--config`` or ``--isolated`` as given, else the current folder's."""
    from ..project.config import find_config

    if project["config"] is not None or project["isolated"]:
        return project
    found = find_config(Path.cwd())
    return {**project, "config": found, "isolated": found is None}


def describe_plans(result: ProjectReport) -> str:
    """``--verbose``: for each file checked, the configuration it got and the settings that differ from the defaults."""
    from ..project.arguments import changed_settings

    lines = []
    for plan in result.plans:
        where = str(plan.config.path) if plan.config else "no configuration"
        settings = {k: v for k, v in changed_settings(plan.options).items() if k != "table"}
        settings.update(changed_settings(plan.options.table))
        shown = ", ".join(f"{k}={_shown(v)}" for k, v in sorted(settings.items())) or "the defaults"
        strict = ", strict" if plan.strict else ""
        lines.append(f"prep: {plan.path}: {where}; {shown}{strict}\n")
    for path in result.excluded:
        lines.append(f"prep: {path}: excluded by its configuration\n")
    return "".join(lines)


def _shown(value: Any) -> str:
    if isinstance(value, (frozenset, set)):
        return ",".join(sorted(value))
    if isinstance(value, tuple) and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return ",".join(f"{k}={v}" for k, v in value)
    return str(value)


def version_text() -> str:
    """``prep --version``: the version, and the day the built-in target profiles were last checked."""
    from .._version import version
    from ..targets.loader import available_targets, load_target

    by_day: dict[str, list[str]] = {}
    for name in available_targets():
        day = load_target(name).researched
        by_day.setdefault(str(day) if day else "an unknown day", []).append(name)
    days = "; ".join(f"{day} ({', '.join(names)})" for day, names in sorted(by_day.items()))
    return f"prep, version {version()}\nrules data: target profiles researched on {days}"


def note_left_out(result: ProjectReport, *, quiet: bool) -> None:
    """One sentence when nothing given was checked: all excluded by the configuration, or none is data."""
    if result.no_data:
        click.echo("prep: error: no file given holds fine-tuning data (see the P117 notes above).", err=True)
    elif result.excluded and not result.report.files and not quiet:
        click.echo(f"prep: nothing to check: the configuration excludes {', '.join(result.excluded)}.", err=True)


def write_baselines_of(result: ProjectReport) -> int:
    """``--write-baseline``: record the report's issues in each file's baseline; the exit code."""
    from ..project.runner import write_baselines

    if result.report.tokenizer_error:
        click.echo(f"prep: {result.report.tokenizer_error} The baseline was not written.", err=True)
        return 2
    for path, count in write_baselines(result):
        click.echo(f"wrote {path}: {count:,} known issue(s)")
    return 0
