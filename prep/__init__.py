"""prep: check, convert, split and publish fine-tuning data.

>>> import prep
>>> report = prep.check("train.jsonl", model="gpt-4o-mini-2024-07-18")  # doctest: +SKIP
>>> report.ok, [str(i.code) for i in report.issues]                      # doctest: +SKIP
"""

from __future__ import annotations

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


def __getattr__(name: str) -> str:
    """``prep.__version__``, read from the distribution's metadata when first asked for."""
    if name == "__version__":
        from ._version import version

        return version()
    raise AttributeError(f"module 'prep' has no attribute {name!r}")


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
