"""Errors that stop `prep` from going on at all.

Bad *data* is never an exception: it becomes an `Issue` in the report. These
exceptions are for invocations `prep` cannot carry out, and each carries one
sentence a person can act on::

    PrepError                      base; the CLI prints str(e) and exits 2
    ├── UsageError                 contradictory or out-of-range options
    ├── InputError                 a path that cannot be read, an unknown file type
    ├── UnknownModelError          a model name prep has no limits for
    ├── TokenizerUnavailableError  no tiktoken rank files could be found or fetched
    ├── ConfigError                an invalid [tool.prep] / prep.toml
    ├── MissingDependencyError     an optional extra that is not installed (`require`)
    └── PublishError               the provider or W&B refused a publish step (exit 1)
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = [
    "ConfigError",
    "InputError",
    "MissingDependencyError",
    "PrepError",
    "PublishError",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UsageError",
    "require",
]


class PrepError(Exception):
    """Base class: prep cannot carry out the request."""

    exit_code = 2


class UsageError(PrepError):
    """Options that contradict each other or are out of range."""


class InputError(PrepError):
    """An input that cannot be opened or is of a type prep does not read."""


class UnknownModelError(PrepError):
    """A model name that is not in the target's model table."""


class TokenizerUnavailableError(PrepError):
    """No tiktoken rank file could be loaded for the encoding."""


class ConfigError(PrepError):
    """A configuration file that prep cannot use."""


class PublishError(PrepError):
    """A publish step failed; the message holds the service's own words."""

    exit_code = 1


class MissingDependencyError(PrepError):
    """An optional dependency (an extra of prep) that is not installed."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or say in one sentence which extra of prep installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module.partition('.')[0]} is not installed; run: pip install 'prep[{extra}]' "
            f"(in a pre-commit hook: additional_dependencies: ['prep[{extra}]'])."
        ) from exc
