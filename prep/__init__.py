"""prep: check, convert, split and publish fine-tuning data.

    >>> import prep
    >>> report = prep.check("train.jsonl", model="gpt-4o-mini-2024-07-18")  # doctest: +SKIP
    >>> report.ok, [str(i.code) for i in report.issues]                      # doctest: +SKIP
"""

from __future__ import annotations

from .checker import CheckOptions, check
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
from .jobs import JobSpec, WandbIntegration
from .publish import PublishResult, publish
from .report import FileReport, Report
from .split import SplitResult, split
from .targets import DataFormat, Method, Target, load_target
from .tokens import ExampleTokens, count_tokens
from .wandb_log import WandbTracker

__version__ = "0.1.0"

__all__ = [
    "CODES",
    "CheckOptions",
    "ConfigError",
    "DataFormat",
    "ExampleTokens",
    "FileReport",
    "InputError",
    "Issue",
    "JobSpec",
    "Method",
    "PrepError",
    "PublishError",
    "PublishResult",
    "Report",
    "Severity",
    "SplitResult",
    "Target",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UsageError",
    "WandbIntegration",
    "WandbTracker",
    "__version__",
    "check",
    "count_tokens",
    "load_target",
    "publish",
    "split",
]
