"""The keyword arguments of ``prep.check``, ``prep.convert`` and ``prep.split``, gathered into settings.

Every option of a check is a typed keyword argument of each of these functions
(so a misspelt name fails the type checker and an editor completes it); the
option objects (``check_options=CheckOptions(...)``, ``table=TableOptions(...)``,
``convert_options=ConvertOptions(...)``) are accepted too. What a call gives
wins over the project's configuration: the keyword arguments that are not
None, and the fields of the objects that differ from their defaults.
`CHECK_ARGUMENTS` and `TABLE_ARGUMENTS` name the keyword arguments each
function takes (a test holds the signatures to them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from ..errors import UsageError, warn_renamed
from ..reading.table import TableOptions
from ..validation.options import CheckOptions

__all__ = ["CHECK_ARGUMENTS", "TABLE_ARGUMENTS", "changed_settings", "given_settings", "in_memory", "renamed"]

#: The fields of `CheckOptions` that are keyword arguments of prep.check, prep.convert and prep.split.
CHECK_ARGUMENTS = tuple(f.name for f in fields(CheckOptions) if f.init and f.name != "table")
#: The fields of `TableOptions`, keyword arguments of the same functions.
TABLE_ARGUMENTS = tuple(f.name for f in fields(TableOptions))


def changed_settings(options: Any) -> dict[str, Any]:
    """The fields of an options dataclass (or None) that differ from its defaults: they win over the configuration."""
    if options is None:
        return {}
    defaults = type(options)()
    values = {f.name: getattr(options, f.name) for f in fields(options) if f.init}
    return {name: value for name, value in values.items() if value != getattr(defaults, name)}


def given_settings(
    arguments: Mapping[str, Any], check_options: CheckOptions | None = None, table: TableOptions | None = None
) -> dict[str, Any]:
    """The `CheckOptions` settings a call gives: the fields of ``check_options`` that differ from their
    defaults, then the keyword ``arguments`` that are not None; table fields are folded into ``table``."""
    settings = changed_settings(check_options)
    settings.update((k, arguments[k]) for k in CHECK_ARGUMENTS if arguments.get(k) is not None)
    given_table = {
        **changed_settings(settings.get("table")),
        **changed_settings(table),
        **{k: arguments[k] for k in TABLE_ARGUMENTS if arguments.get(k) is not None},
    }
    if given_table:
        settings["table"] = TableOptions(**given_table)
    return settings


def renamed(function: str, old: str, value: Any, new: str, current: Any) -> Any:
    """The value of keyword ``new``, or of its old name ``old`` with a `DeprecationWarning`."""
    if value is None:
        return current
    warn_renamed(function, old, new, stacklevel=4)
    return value if current is None else current


def in_memory(source: Any, function: str) -> Any:
    """``source`` (records or a DataFrame), unless it is one record: a dict or a model alone is a `UsageError`."""
    if isinstance(source, Mapping) or hasattr(source, "model_dump"):
        raise UsageError(f"{function} takes a list of records, and was given one record; pass it in a list: [record].")
    if isinstance(source, (bytes, bytearray)):
        raise UsageError(f"{function} takes a path, a DataFrame or a list of records, not bytes.")
    return source
