"""Checking files as a project does: each with its configuration and baseline.

`check_project` is what ``prep check`` runs, and `check` (``prep.check``) is the
same for the library. Folders are replaced by the data files below them
(`.walk`); each file gets the settings of its closest configuration file
(see `.config`), with ``settings`` (the options given on the command line) on
top; files with equal settings are checked together (`.checking`), and the
reports are put back in the order given. Then each file's known issues are
hidden by its baseline: ``baseline`` if given, else the configuration's
``baseline`` key, else ``.prep-baseline.json`` beside the configuration file
(or in the current folder when there is none).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, PrepError, UsageError
from ..reports.report import FileReport, Report, TargetVerdict
from ..validation.panics import contained
from ..validation.progress import announce_run
from .arguments import changed_settings, given_settings, in_memory, renamed
from .config import BASELINE_NAME, Config, Configs, merge_settings
from .walk import DataFile, select_files

if TYPE_CHECKING:
    from ..issues import Severity
    from ..reading.table import FileType, TableOptions
    from ..targets.profile import DataFormat, Method
    from ..validation.options import CheckOptions

__all__ = [
    "FilePlan",
    "ProjectReport",
    "check",
    "check_named",
    "check_project",
    "plan_files",
    "write_baselines",
]


@dataclass(frozen=True)
class FilePlan:
    """How one file is checked: its options, strictness, configuration and baseline."""

    path: str
    options: CheckOptions
    strict: bool
    config: Config | None
    baseline: Path
    found: bool = False  # found in a folder rather than named


@dataclass
class ProjectReport:
    """The report of a project check, with each file's strictness and the baseline's effect.

    ``excluded`` lists the files named but excluded by their configuration.
    """

    report: Report
    plans: list[FilePlan]
    hidden: int = 0
    baselines: list[Path] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def no_data(self) -> bool:
        """True when files were checked but every one was found to be no fine-tuning data (P117)."""
        return bool(self.report.files) and all(_not_data(f) for f in self.report.files)

    def exit_code(self) -> int:
        """0 clean, 1 errors (or warnings in a strict file), 2 no tokens, or no file was fine-tuning data."""
        if self.report.tokenizer_error or self.no_data:
            return 2
        for f, plan in zip(self.report.files, self.plans, strict=True):
            if not f.ok or (plan.strict and f.warnings):
                return 1
        return 0


def _not_data(file: FileReport) -> bool:
    return not file.checked and "P117" in file.codes


def plan_files(
    files: Sequence[str | os.PathLike[str] | DataFile],
    settings: Mapping[str, Any] | None = None,
    *,
    config: str | os.PathLike[str] | Configs | None = None,
    isolated: bool = False,
    baseline: str | os.PathLike[str] | None = None,
) -> list[FilePlan]:
    """Each file's effective options: its configuration's settings, then ``settings`` on top.

    ``config`` forces one configuration file for every file; ``isolated``
    ignores configuration files. ``settings`` holds `CheckOptions` fields and
    ``strict``; ``ignore`` codes add to the configuration's, and ``severity``
    tables merge with its code by code.
    """
    from ..validation.options import CheckOptions, issue_codes

    given = dict(settings or {})
    if "ignore" in given:
        given["ignore"] = issue_codes(given["ignore"])
    configs = config if isinstance(config, Configs) else Configs(config, isolated=isolated)
    names = {f.name for f in fields(CheckOptions) if f.init}
    plans = []
    for item in files:
        file = item if isinstance(item, DataFile) else DataFile(os.fspath(item))
        cfg = configs(file.path)
        merged = merge_settings(cfg.settings_for(file.path) if cfg else {}, given)
        strict = bool(merged.pop("strict", False))
        _fold_table(merged)
        unknown = set(merged) - names
        if unknown:
            raise TypeError(f"unknown check option(s): {', '.join(sorted(unknown))}")
        where = Path(baseline) if baseline is not None else cfg.baseline_path if cfg else Path(BASELINE_NAME)
        plans.append(FilePlan(file.path, CheckOptions(**merged), strict, cfg, where, file.found))
    return plans


def _fold_table(settings: dict[str, Any]) -> None:
    """Put the ``table.*`` settings of a configuration into ``table``; fields given in ``table`` win."""
    table = {k.removeprefix("table."): settings.pop(k) for k in [k for k in settings if k.startswith("table.")]}
    if not table:
        return
    from ..reading.table import TableOptions

    given = settings.get("table")
    for name, value in changed_settings(given).items():
        if name == "mapping":  # --map COLUMN=FIELD adds to the configuration's map, or changes a column
            value = tuple({**dict(table.get("mapping", ())), **dict(value)}.items())
        table[name] = value
    settings["table"] = TableOptions(**table)


@contained
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
    """Check files and folders with their project configuration, hiding the issues in their baselines.

    A folder stands for the data files below it (`.walk`); a named file that
    its configuration excludes is left out (``result.excluded``). ``valid`` is
    the validation file of the one training file in ``files``: it is checked
    with the training file's settings, and examples in both are reported.

    >>> result = check_project(["data/train.jsonl"], {"model": "gpt-4o-mini"})  # doctest: +SKIP
    >>> result.exit_code(), result.hidden                                         # doctest: +SKIP
    """
    configs = Configs(config, isolated=isolated)
    selection = select_files(files, configs)
    if valid is not None and len(selection.files) != 1:
        raise UsageError("--valid takes exactly one training file.")
    plans = plan_files(selection.files, settings, config=configs, baseline=baseline)
    announce_run([p.path for p in plans] + ([os.fspath(valid)] if valid is not None else []))
    if valid is None:
        report, plans = _check_groups(plans)
    else:
        from .checking import check_valid

        plans.append(replace(plans[0], path=str(valid)))
        report = check_valid(plans[0].path, valid, plans[0].options)
    result = ProjectReport(report, plans, excluded=selection.excluded)
    if use_baseline:
        _apply_baselines(result)
    return result


def check_named(
    path: str | os.PathLike[str],
    settings: Mapping[str, Any] | None = None,
    *,
    valid: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    use_baseline: bool = True,
) -> ProjectReport:
    """Check the one file a command acts on (``prep split``, ``prep publish``), as `check_project` does.

    A file its configuration excludes is a `UsageError`: it is not data to act on.
    """
    run = check_project([path], settings, valid=valid, config=config, isolated=isolated, use_baseline=use_baseline)
    if run.excluded:
        raise UsageError(f"{os.fspath(path)} is excluded by its configuration (exclude), so it is not data to use.")
    return run


@contained
def check(
    source: str | os.PathLike[str] | Iterable[Any],
    *,
    model: str | None = None,
    target: str | Sequence[str] | None = None,
    method: Method | str | None = None,
    data_format: DataFormat | str | None = None,
    ignore: str | Iterable[str] | None = None,
    select: str | Iterable[str] | None = None,
    severity: Mapping[str, Severity | str] | None = None,
    tokens: bool | None = None,
    stats: bool | None = None,
    secrets: bool | None = None,
    encoding: str | None = None,
    token_limit: int | None = None,
    tokenizer: str | None = None,
    chat_template: str | None = None,
    max_seq_length: int | None = None,
    allow_download: bool | None = None,
    epochs: int | None = None,
    today: dt.date | None = None,
    tiktoken_dir: str | None = None,
    max_line_bytes: int | None = None,
    max_issues_per_code: int | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    system: str | None = None,
    file_type: FileType | str | None = None,
    input_encoding: str | None = None,
    header: bool | None = None,
    table: TableOptions | None = None,
    check_options: CheckOptions | None = None,
    valid: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    use_baseline: bool = True,
    options: CheckOptions | None = None,
) -> Report:
    """Check files and folders (a path or a list of paths), a pandas DataFrame, or records held in memory.

    Paths are checked as ``prep check`` checks them (`check_project`): each
    file with its project configuration (``config`` forces one file,
    ``isolated`` uses none) and its baseline (``use_baseline=False`` shows the
    known issues too). The keyword arguments are the options of ``prep check``
    (`CheckOptions` fields, and the `TableOptions` fields that say how a table
    becomes records); those given win over the configuration, as options on
    the command line do, and so do the fields of ``check_options`` and ``table``
    that differ from the defaults. A DataFrame is read as a table (see
    `prep.convert`); records are a list of dicts or `prep.records` models. Bad
    data never raises: it is in the report. ``valid`` names the validation file
    of one training file: examples in both get P404. (``options=`` is the old
    name of ``check_options=``.)
    """
    check_options = renamed("prep.check", "options", options, "check_options", check_options)
    settings = given_settings(locals(), check_options, table)
    from ..validation.options import CheckOptions
    from .checking import check_values

    if not _is_paths(source):
        if valid is not None:
            raise UsageError("A validation file is checked against one training file path.")
        return check_values(in_memory(source, "prep.check"), CheckOptions(**settings))
    paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    run = check_project(paths, settings, config=config, isolated=isolated, use_baseline=use_baseline, valid=valid)
    return run.report


def _is_paths(source: Any) -> bool:
    if isinstance(source, (str, os.PathLike)):
        return True
    return isinstance(source, (list, tuple)) and bool(source) and all(isinstance(p, (str, os.PathLike)) for p in source)


def _check_groups(plans: list[FilePlan]) -> tuple[Report, list[FilePlan]]:
    """Check files with equal options together; the report and the plans of the files reported, in order."""
    from .checking import check_files

    groups: dict[CheckOptions, list[int]] = {}
    for i, plan in enumerate(plans):
        groups.setdefault(plan.options, []).append(i)
    files: list[FileReport | None] = [None] * len(plans)
    targets, tokens_checked, tokenizer_error = [], True, None
    verdicts: dict[str, TargetVerdict] = {}
    for options, indexes in groups.items():
        try:
            reports, part = check_files([DataFile(plans[i].path, plans[i].found) for i in indexes], options)
        except PrepError as exc:
            cfg = plans[indexes[0]].config
            if cfg is None or isinstance(exc, InputError):
                raise
            raise type(exc)(f"{str(exc).rstrip('.')} (configuration: {cfg.path}).") from exc
        for i, file_report in zip(indexes, reports, strict=True):
            files[i] = file_report
        targets.append(part.target)
        for v in part.verdicts:
            verdicts.setdefault(v.name, replace(v, files=[])).files.extend(v.files)
        tokens_checked = tokens_checked and part.tokens_checked
        tokenizer_error = tokenizer_error or part.tokenizer_error
    target = ", ".join(dict.fromkeys(targets)) or "openai"
    kept = [(plan, f) for plan, f in zip(plans, files, strict=True) if f is not None]
    report = Report(
        [f for _, f in kept],
        target=target,
        tokens_checked=tokens_checked,
        tokenizer_error=tokenizer_error,
        verdicts=list(verdicts.values()),
    )
    return report, [plan for plan, _ in kept]


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
