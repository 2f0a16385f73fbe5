"""prep: check, convert, split and publish fine-tuning data.

>>> import prep
>>> report = prep.check("train.jsonl", model="gpt-4o-mini-2024-07-18")  # doctest: +SKIP
>>> report.ok, [str(i.code) for i in report.issues]                      # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what `_HOME` imports when a name is first used, for type checkers and editors
    from .conversion.converter import ConversionResult, load_records, to_chat
    from .conversion.options import ConvertOptions
    from .errors import (
        ConfigError,
        InputError,
        MissingDependencyError,
        PrepError,
        PublishError,
        TokenizerUnavailableError,
        UnknownModelError,
        UsageError,
    )
    from .issues import CODES, Explanation, Issue, Severity, explain
    from .project.config import Config, find_config, load_config
    from .project.converting import convert
    from .project.runner import ProjectReport, check, check_project
    from .publishing.jobs import JobSpec, WandbIntegration
    from .publishing.publisher import publish
    from .publishing.splitter import SplitResult, split
    from .publishing.types import PublishResult
    from .publishing.wandb_log import WandbTracker
    from .reading.table import FileType, TableOptions
    from .reports.report import FileReport, Report
    from .targets.loader import load_target
    from .targets.profile import DataFormat, Method, Target
    from .validation.options import CheckOptions
    from .validation.tokens import ExampleTokens, count_tokens


#: The module of each public name. `prep check` in a pre-commit hook needs few of them, so each module is
#: imported when one of its names is first used (tests/test_docs.py holds this table to the imports above).
_HOME = {
    "CODES": "issues",
    "CheckOptions": "validation.options",
    "Config": "project.config",
    "ConfigError": "errors",
    "ConversionResult": "conversion.converter",
    "ConvertOptions": "conversion.options",
    "DataFormat": "targets.profile",
    "ExampleTokens": "validation.tokens",
    "Explanation": "issues",
    "FileReport": "reports.report",
    "FileType": "reading.table",
    "InputError": "errors",
    "Issue": "issues",
    "JobSpec": "publishing.jobs",
    "Method": "targets.profile",
    "MissingDependencyError": "errors",
    "PrepError": "errors",
    "ProjectReport": "project.runner",
    "PublishError": "errors",
    "PublishResult": "publishing.types",
    "Report": "reports.report",
    "Severity": "issues",
    "SplitResult": "publishing.splitter",
    "TableOptions": "reading.table",
    "Target": "targets.profile",
    "TokenizerUnavailableError": "errors",
    "UnknownModelError": "errors",
    "UsageError": "errors",
    "WandbIntegration": "publishing.jobs",
    "WandbTracker": "publishing.wandb_log",
    "check": "project.runner",
    "check_project": "project.runner",
    "convert": "project.converting",
    "count_tokens": "validation.tokens",
    "explain": "issues",
    "find_config": "project.config",
    "load_config": "project.config",
    "load_records": "conversion.converter",
    "load_target": "targets.loader",
    "publish": "publishing.publisher",
    "split": "publishing.splitter",
    "to_chat": "conversion.converter",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module (`_HOME`) when first used; ``prep.__version__``, read from the
    distribution's metadata."""
    if name == "__version__":
        from ._version import version

        return version()
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'prep' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "CODES",
    "CheckOptions",
    "Config",
    "ConfigError",
    "ConversionResult",
    "ConvertOptions",
    "DataFormat",
    "ExampleTokens",
    "Explanation",
    "FileReport",
    "FileType",
    "InputError",
    "Issue",
    "JobSpec",
    "Method",
    "MissingDependencyError",
    "PrepError",
    "ProjectReport",
    "PublishError",
    "PublishResult",
    "Report",
    "Severity",
    "SplitResult",
    "TableOptions",
    "Target",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UsageError",
    "WandbIntegration",
    "WandbTracker",
    "__version__",
    "check",
    "check_project",
    "convert",
    "count_tokens",
    "explain",
    "find_config",
    "load_config",
    "load_records",
    "load_target",
    "publish",
    "split",
    "to_chat",
]
