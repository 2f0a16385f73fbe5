"""`prep.convert` with the project's configuration, as ``prep check`` reads it.

The source's closest ``prep.toml`` / ``[tool.prep]`` (see `.config`) gives its
settings: the checking options (``model``, ``target``, ``ignore``...) and how
its table becomes records (``sheet``, ``map``, ``system``, ``file-type``,
``input-encoding``, with its overrides); what is given here wins, and ``map``
columns add up. Converting for another target (``to="vertex"``...) checks the
output against that target, with a model only when one is given here. Then
`prep.conversion.converter.convert` does the work.
Baselines do not apply: a conversion writes new records, and every row with an
error is left out of them.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from ..conversion.converter import ConversionResult
from ..conversion.converter import convert as convert_plain
from ..conversion.options import ConvertOptions
from ..reading.table import TableOptions
from ..validation.options import CheckOptions
from .runner import changed_settings, plan_files

__all__ = ["convert", "convert_settings"]

_TABLE_FIELDS = tuple(f.name for f in dataclasses.fields(TableOptions))


def convert(
    source: Any,
    output: str | os.PathLike[str] | None = None,
    *,
    options: ConvertOptions | None = None,
    check: CheckOptions | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    **kwargs: Any,
) -> ConversionResult:
    """Convert a path, a pandas DataFrame or rows into checked records; write them to ``output``.

    Keyword arguments are `ConvertOptions` fields (``sheet``, ``mapping``,
    ``system``, ``to``, ``apply``, ``bom``, ``force``...) and `CheckOptions`
    fields (``model``, ``tokens``, ``target``...). A path is converted with its
    project configuration (``config`` forces one file, ``isolated`` uses none);
    what is given here wins over it. Bad data never raises: it is in
    ``result.report``; nothing is written when it has errors, unless ``force``.
    See `prep.conversion.converter.convert`.
    """
    if not isinstance(source, (str, os.PathLike)):
        return convert_plain(source, output, options=options, check=check, **kwargs)
    convert_options, check_options = convert_settings(source, options, check, kwargs, config=config, isolated=isolated)
    return convert_plain(source, output, options=convert_options, check=check_options)


def convert_settings(
    source: str | os.PathLike[str],
    options: ConvertOptions | None,
    check: CheckOptions | None,
    kwargs: dict[str, Any],
    *,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> tuple[ConvertOptions, CheckOptions]:
    """The options of converting ``source``: its configuration's settings, then what is given on top.

    Given are ``kwargs`` and the fields of ``options`` and ``check`` that differ from their defaults.
    """
    convert_names = {f.name for f in dataclasses.fields(ConvertOptions)}
    check_names = {f.name for f in dataclasses.fields(CheckOptions)}
    unknown = set(kwargs) - convert_names - check_names
    if unknown:
        raise TypeError(f"convert() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    given_convert = {**changed_settings(options), **{k: v for k, v in kwargs.items() if k in convert_names}}
    given_check = {**changed_settings(check), **{k: v for k, v in kwargs.items() if k in check_names - convert_names}}
    table = {k: given_convert.pop(k) for k in _TABLE_FIELDS if k in given_convert}
    if table:
        given_check["table"] = TableOptions(**table)
    (plan,) = plan_files([os.fspath(source)], given_check, config=config, isolated=isolated)
    merged = plan.options.table or TableOptions()
    table_fields = {k: getattr(merged, k) for k in _TABLE_FIELDS}
    options_out = ConvertOptions(**table_fields, **given_convert)
    checked = dataclasses.replace(plan.options, table=None)
    if options_out.target is not None:  # the output is another target's: the configuration's model is not its
        checked = dataclasses.replace(checked, target=options_out.target, model=given_check.get("model"))
    return options_out, checked
