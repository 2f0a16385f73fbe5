"""Checking files as a project does: each with its configuration and baseline.

`check_project` is what ``prep check`` runs. Each file gets the settings of its
closest configuration file (see `.config`), with ``settings`` (the options
given on the command line) on top; files with equal settings are checked
together by `prep.check`, and the reports are put back in the order given.
Then each file's known issues are hidden by its baseline: ``baseline`` if
given, else the configuration's ``baseline`` key, else ``.prep-baseline.json``
beside the configuration file (or in the current folder when there is none).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PrepError, UsageError
from ..reports.report import FileReport, Report, TargetVerdict
from .config import BASELINE_NAME, Config, ConfigFinder, load_config

if TYPE_CHECKING:
    from ..validation.options import CheckOptions

__all__ = ["FilePlan", "ProjectReport", "check_project", "plan_files", "write_baselines"]


@dataclass(frozen=True)
class FilePlan:
    """How one file is checked: its options, strictness, configuration and baseline."""

    path: str
    options: CheckOptions
    strict: bool
    config: Config | None
    baseline: Path


@dataclass
class ProjectReport:
    """The report of a project check, with each file's strictness and the baseline's effect."""

    report: Report
    plans: list[FilePlan]
    hidden: int = 0
    baselines: list[Path] = field(default_factory=list)

    def exit_code(self) -> int:
        """0 clean, 1 errors (or warnings in a strict file), 2 when tokens could not be checked."""
        if self.report.tokenizer_error:
            return 2
        for f, plan in zip(self.report.files, self.plans, strict=True):
            if not f.ok or (plan.strict and f.warnings):
                return 1
        return 0


def plan_files(
    files: Sequence[str | os.PathLike[str]],
    settings: Mapping[str, Any] | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    baseline: str | os.PathLike[str] | None = None,
) -> list[FilePlan]:
    """Each file's effective options: its configuration's settings, then ``settings`` on top.

    ``config`` forces one configuration file for every file; ``isolated``
    ignores configuration files. ``settings`` holds `CheckOptions` fields and
    ``strict``; ``ignore`` codes add to the configuration's.
    """
    from ..validation.options import CheckOptions

    given = dict(settings or {})
    finder = ConfigFinder()
    forced = load_config(config) if config is not None and not isolated else None
    names = {f.name for f in fields(CheckOptions)}
    plans = []
    for file in files:
        cfg = forced or (None if isolated else finder.config_for(file))
        merged = cfg.settings_for(file) if cfg else {}
        ignore = merged.get("ignore", frozenset()) | frozenset(given.get("ignore", ()))
        merged.update(given)
        merged["ignore"] = ignore
        strict = bool(merged.pop("strict", False))
        _fold_table(merged)
        unknown = set(merged) - names
        if unknown:
            raise TypeError(f"unknown check option(s): {', '.join(sorted(unknown))}")
        where = Path(baseline) if baseline is not None else cfg.baseline_path if cfg else Path(BASELINE_NAME)
        plans.append(FilePlan(str(file), CheckOptions(**merged), strict, cfg, where))
    return plans


def _fold_table(settings: dict[str, Any]) -> None:
    """Put the ``table.*`` settings of a configuration into ``table``; fields given in ``table`` win."""
    table = {k.removeprefix("table."): settings.pop(k) for k in [k for k in settings if k.startswith("table.")]}
    if not table:
        return
    from ..reading.table import TableOptions

    given = settings.get("table")
    for f in fields(given) if given is not None else ():
        value = getattr(given, f.name)
        if f.name == "mapping":  # --map COLUMN=FIELD adds to the configuration's map, or changes a column
            value = tuple({**dict(table.get("mapping", ())), **dict(value)}.items())
        if value not in (None, ()):
            table[f.name] = value
    settings["table"] = TableOptions(**table)


def check_project(
    files: Sequence[str | os.PathLike[str]],
    settings: Mapping[str, Any] | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    baseline: str | os.PathLike[str] | None = None,
    use_baseline: bool = True,
    valid: str | os.PathLike[str] | None = None,
) -> ProjectReport:
    """Check files with their project configuration, hiding the issues in their baselines.

    ``valid`` is the validation file of the one training file in ``files``: it is
    checked with the training file's settings, and examples in both are reported.

    >>> result = check_project(["data/train.jsonl"], {"model": "gpt-4o-mini"})  # doctest: +SKIP
    >>> result.exit_code(), result.hidden                                         # doctest: +SKIP
    """
    if valid is not None and len(files) != 1:
        raise UsageError("--valid takes exactly one training file.")
    plans = plan_files(files, settings, config=config, isolated=isolated, baseline=baseline)
    if valid is None:
        report = _check_groups(plans)
    else:
        from .checking import check

        plans.append(replace(plans[0], path=str(valid)))
        report = check(plans[0].path, valid=valid, options=plans[0].options)
    result = ProjectReport(report, plans)
    if use_baseline:
        _apply_baselines(result)
    return result


def _check_groups(plans: list[FilePlan]) -> Report:
    from .checking import check

    groups: dict[CheckOptions, list[int]] = {}
    for i, plan in enumerate(plans):
        groups.setdefault(plan.options, []).append(i)
    files: list[FileReport | None] = [None] * len(plans)
    targets, tokens_checked, tokenizer_error = [], True, None
    verdicts: dict[str, TargetVerdict] = {}
    for options, indexes in groups.items():
        try:
            part = check([plans[i].path for i in indexes], options=options)
        except PrepError as exc:
            cfg = plans[indexes[0]].config
            if cfg is None or isinstance(exc, InputError):
                raise
            raise type(exc)(f"{str(exc).rstrip('.')} (configuration: {cfg.path}).") from exc
        for i, report in zip(indexes, part.files, strict=True):
            files[i] = report
        targets.append(part.target)
        for v in part.verdicts:
            verdicts.setdefault(v.name, replace(v, files=[])).files.extend(v.files)
        tokens_checked = tokens_checked and part.tokens_checked
        tokenizer_error = tokenizer_error or part.tokenizer_error
    target = ", ".join(dict.fromkeys(targets)) or "openai"
    return Report(
        [f for f in files if f is not None],
        target=target,
        tokens_checked=tokens_checked,
        tokenizer_error=tokenizer_error,
        verdicts=list(verdicts.values()),
    )


def _apply_baselines(result: ProjectReport) -> None:
    from ..reports.baseline import load_baseline

    loaded = {}
    files = []
    for plan, file in zip(result.plans, result.report.files, strict=True):
        if plan.baseline not in loaded:
            loaded[plan.baseline] = load_baseline(plan.baseline)
        file, hidden = loaded[plan.baseline].filter(file)
        result.hidden += hidden
        files.append(file)
    result.report.files = files
    baseline_of = {plan.path: loaded[plan.baseline] for plan in result.plans}
    for verdict in result.report.verdicts:  # each target's own view hides the same known issues
        verdict.files = [baseline_of[f.path].filter(f)[0] if f.path in baseline_of else f for f in verdict.files]
    result.baselines = [path for path, b in loaded.items() if b.counts]


def write_baselines(result: ProjectReport) -> list[tuple[Path, int]]:
    """Record every issue of the report in its file's baseline; return (baseline, issues) pairs."""
    from ..reports.baseline import write_baseline

    by_baseline: dict[Path, list[FileReport]] = {}
    for plan, file in zip(result.plans, result.report.files, strict=True):
        by_baseline.setdefault(plan.baseline, []).append(file)
    return [(path, write_baseline(path, files)) for path, files in by_baseline.items()]
