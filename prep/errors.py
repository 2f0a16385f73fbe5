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
    "MappingError",
    "MissingDependencyError",
    "PrepError",
    "PublishError",
    "TokenizerUnavailableError",
    "UnknownModelError",
    "UnreadableFileError",
    "UsageError",
    "require",
]

#: The extras of the distribution (pyproject.toml), each with what it is needed for.
EXTRAS = {
    "xlsx": "Reading .xlsx files",
    "publish": "Publishing to OpenAI",
    "wandb": "Logging to Weights & Biases",
    "hf": "Counting with a Hugging Face tokenizer and chat template",
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
