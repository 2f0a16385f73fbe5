"""prep: check, convert, split and publish fine-tuning data.

>>> import prep
>>> report = prep.check("train.jsonl", model="gpt-4o-mini-2024-07-18")  # doctest: +SKIP
>>> report.ok, [str(i.code) for i in report.issues]                      # doctest: +SKIP
"""

from __future__ import annotations

from .checker import CheckOptions, check
from .config import Config, find_config, load_config
from .converter import ConversionResult, ConvertOptions, convert, load_records, to_chat
from .errors import (
    ConfigError,
    InputError,
    PrepError,
    PublishError,
    TokenizerUnavailableError,
    UnknownModelError,
    UsageError,
)
from .formats import FileType
from .issues import CODES, Issue, Severity
from .jobs import JobSpec, WandbIntegration
from .mapping import TableOptions
from .project import ProjectReport, check_project
from .publisher import PublishResult, publish
from .report import FileReport, Report
from .splitter import SplitResult, split
from .targets import DataFormat, Method, Target, load_target
from .tokens import ExampleTokens, count_tokens
from .wandb_log import WandbTracker

__version__ = "0.1.0"

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
