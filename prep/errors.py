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
    ├── MissingDependencyError     an optional dependency (an extra) is not installed
    └── PublishError               the provider or W&B refused a publish step (exit 1)

`require` imports an optional dependency, or raises `MissingDependencyError`
naming the extra to install.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ._version import DISTRIBUTION

__all__ = [
    "EXTRAS",
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

#: The extras of the distribution (pyproject.toml), each with what it is needed for.
EXTRAS = {
    "xlsx": "Reading .xlsx files",
    "publish": "Publishing to OpenAI",
    "wandb": "Logging to Weights & Biases",
}


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


class MissingDependencyError(PrepError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, which the ``extra`` of prep's distribution installs.

    Returns the module; raises `MissingDependencyError` with the pip install to
    run (and the pre-commit form) when it is not installed.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != module.partition(".")[0]:
            raise
        spec = f"{DISTRIBUTION}[{extra}]"
        raise MissingDependencyError(
            f"{EXTRAS[extra]} needs {module}, which is not installed: pip install '{spec}' "
            f"(in a pre-commit hook: additional_dependencies: ['{spec}'])."
        ) from None


class PublishError(PrepError):
    """A publish step failed; the message holds the service's own words."""

    exit_code = 1
