"""Errors that stop `prep` from going on at all.

Bad *data* is never an exception: it becomes an `Issue` in the report. These
exceptions are for invocations `prep` cannot carry out, and each carries one
sentence a person can act on. The two about one file's content,
`MappingError` and `UnreadableFileError`, stop ``prep convert`` of that file;
a check reports them as one issue on the file (P160, P116) and goes on with
the other files::

    PrepError                      base; the CLI prints str(e) and exits 2
    ├── UsageError                 contradictory or out-of-range options
    │   └── MappingError           a table whose columns fill no record (a check reports it on the file)
    ├── InputError                 a path that cannot be read, an unknown file type
    │   └── UnreadableFileError    a file that is there but cannot be read as data (reported on the file)
    ├── UnknownModelError          a model name prep has no limits for
    ├── TokenizerUnavailableError  no tiktoken rank files could be found or fetched
    ├── ConfigError                an invalid [tool.prep] / prep.toml
    ├── MissingDependencyError     an optional dependency (an extra) is not installed
    ├── PublishError               the provider or W&B refused a publish step (exit 1)
    └── DependencyError            a library prep uses crashed (a panic in compiled code; exit 3)

`require` imports an optional dependency, or raises `MissingDependencyError`
naming the extra to install. `Choice` is the base of prep's string enums
(formats, methods, file types, severities): any case is accepted, and an
unknown value is a `UsageError` listing the choices. `warn_renamed` warns
that a keyword argument has a new name.
"""

from __future__ import annotations

import enum
import importlib
import re
import warnings
from types import ModuleType
from typing import Any

from ._version import DISTRIBUTION

__all__ = [
    "EXTRAS",
    "Choice",
    "ConfigError",
    "DependencyError",
    "InputError",
    "MappingError",
    "MissingDependencyError",
    "PrepError",
    "PublishError",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UnreadableFileError",
    "UsageError",
    "require",
    "warn_renamed",
]

#: The extras of the distribution (pyproject.toml), each with what it is needed for.
EXTRAS = {
    "xlsx": "Reading .xlsx files",
    "publish": "Publishing to OpenAI",
    "together": "Publishing to Together",
    "fireworks": "Publishing to Fireworks",
    "wandb": "Logging to Weights & Biases",
    "secrets": "Finding more kinds of keys",
    "pandas": "Report.to_pandas()",
    "remote": "Reading s3:// and https:// URLs",
    "gcs": "Reading gs:// URLs",
    "hf": "Using Hugging Face (hf:// URLs, a model's tokenizer and chat template)",
    "zstd": "Reading .zst files",
    "parquet": "Reading Parquet files",
    "dask": "Checking on a Dask cluster (--dask)",
    "mistral": "Counting with mistral-common's tokenizers",
    "gpt-oss": "Counting in gpt-oss' harmony format",
}


class PrepError(Exception):
    """Base class: prep cannot carry out the request."""

    exit_code = 2


class UsageError(PrepError):
    """Options that contradict each other or are out of range."""


class MappingError(UsageError):
    """A table whose columns cannot be mapped to the fields of a record (ambiguous, incomplete or none).

    ``recognised`` is False when no column was recognised at all: a table found
    in a folder is then not fine-tuning data (P117) rather than data with a problem (P160).
    """

    def __init__(self, message: str, *, recognised: bool = True) -> None:
        super().__init__(message)
        self.recognised = recognised


class InputError(PrepError):
    """An input that cannot be opened or is of a type prep does not read."""


class UnreadableFileError(InputError):
    """A file that is there but whose content cannot be read as data (a broken workbook, an unknown encoding)."""


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


class DependencyError(PrepError):
    """A library prep uses crashed (e.g. a Rust panic, which is a ``BaseException``): a bug, exit 3."""

    exit_code = 3


class Choice(str, enum.Enum):
    """A string enum whose values are lowercase: ``DataFormat("Chat")`` is ``DataFormat.CHAT``.

    An unknown value raises `UsageError` naming the choices, e.g. "Unknown data
    format 'chats'; choose one of: chat, completion, ...".
    """

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if member.value == value.strip().lower():
                    return member
        noun = re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()
        raise UsageError(f"Unknown {noun} {value!r}; choose one of: {', '.join(m.value for m in cls)}.")


def warn_renamed(function: str, old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (`DeprecationWarning`, at the caller's caller) that the keyword ``old`` of ``function`` is now ``new``."""
    warnings.warn(
        f"{function}({old}=...) is deprecated; use {function}({new}=...), which means the same.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
