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
    └── PublishError               the provider or W&B refused a publish step (exit 1)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "PrepError",
    "PublishError",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UsageError",
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
