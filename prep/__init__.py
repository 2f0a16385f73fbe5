"""prep: check, convert, split and publish fine-tuning data.

>>> import prep
>>> report = prep.check("train.jsonl", model="gpt-4o-mini-2024-07-18")  # doctest: +SKIP
>>> report.ok, [str(i.code) for i in report.issues]                      # doctest: +SKIP
"""

from __future__ import annotations

from ._version import __version__
from .conversion.converter import ConversionResult, convert, load_records, to_chat
from .conversion.options import ConvertOptions
from .errors import (
    ConfigError,
    InputError,
    PrepError,
    PublishError,
    TokenizerUnavailableError,
    UnknownModelError,
    UsageError,
)
from .issues import CODES, Issue, Severity
from .project.checking import check
from .project.config import Config, find_config, load_config
from .project.runner import ProjectReport, check_project
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

__all__ = [
    "CODES",
    "CheckOptions",
    "Config",
    "ConfigError",
    "ConversionResult",
    "ConvertOptions",
    "DataFormat",
    "ExampleTokens",
    "FileReport",
    "FileType",
    "InputError",
    "Issue",
    "JobSpec",
    "Method",
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
    "find_config",
    "load_config",
    "load_records",
    "load_target",
    "publish",
    "split",
    "to_chat",
]
