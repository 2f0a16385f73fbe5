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
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..conversion.converter import ConversionResult
from ..conversion.converter import convert as convert_plain
from ..conversion.options import ConvertOptions
from ..reading.table import TableOptions
from ..validation.options import CheckOptions
from ..validation.panics import contained
from .arguments import TABLE_ARGUMENTS, changed_settings, given_settings, renamed
from .runner import plan_files

if TYPE_CHECKING:
    from ..issues import Severity
    from ..reading.table import FileType
    from ..targets.profile import DataFormat, Method

__all__ = ["CONVERT_ARGUMENTS", "convert", "convert_settings"]

#: The fields of `ConvertOptions` besides the table's: keyword arguments of prep.convert.
CONVERT_ARGUMENTS = tuple(f.name for f in dataclasses.fields(ConvertOptions) if f.name not in TABLE_ARGUMENTS)


@contained
def convert(
    source: str | os.PathLike[str] | Iterable[Any],
    output: str | os.PathLike[str] | None = None,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    system: str | None = None,
    file_type: FileType | str | None = None,
    input_encoding: str | None = None,
    header: bool | None = None,
    to: DataFormat | str | None = None,
    keep_separators: bool | None = None,
    apply: bool | None = None,
    bom: bool | None = None,
    force: bool | None = None,
    zero_weight: str | None = None,
    media_dir: str | os.PathLike[str] | None = None,
    media_prefix: str | None = None,
    model: str | None = None,
    target: str | Sequence[str] | None = None,
    method: Method | str | None = None,
    data_format: DataFormat | str | None = None,
    ignore: str | Iterable[str] | None = None,
    select: str | Iterable[str] | None = None,
    severity: Mapping[str, Severity | str] | None = None,
    tokens: bool | None = None,
    stats: bool | None = None,
    secrets: bool | None = None,
    encoding: str | None = None,
    token_limit: int | None = None,
    tokenizer: str | None = None,
    chat_template: str | None = None,
    max_seq_length: int | None = None,
    allow_download: bool | None = None,
    epochs: int | None = None,
    today: dt.date | None = None,
    tiktoken_dir: str | None = None,
    max_line_bytes: int | None = None,
    max_issues_per_code: int | None = None,
    jobs: int | None = None,
    dask: str | None = None,
    convert_options: ConvertOptions | None = None,
    check_options: CheckOptions | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    options: ConvertOptions | None = None,
    check: CheckOptions | None = None,
) -> ConversionResult:
    """Convert a path, a pandas DataFrame or rows into checked records; write them to ``output``.

    How a table becomes records: ``sheet``, ``mapping`` (column -> field),
    ``system``, ``file_type``, ``input_encoding``, ``header``; what is done to
    the records: ``to="chat"``, ``keep_separators``, ``apply``, ``bom``,
    ``force``; or ``to="vertex"`` (``"nova"``, ``"trl"``: OpenAI records for
    that target, checked against it) with ``zero_weight`` ("train" or "drop"),
    ``media_dir`` and ``media_prefix`` (or a whole
    ``convert_options=ConvertOptions(...)``); how they are
    checked: the options of `prep.check` (or ``check_options=CheckOptions(...)``).
    A path is converted with its project configuration (``config`` forces one
    file, ``isolated`` uses none); what is given here wins over it. Bad data
    never raises: it is in ``result.report``; nothing is written when it has
    errors, unless ``force``. (``options=`` and ``check=`` are the old names of
    ``convert_options=`` and ``check_options=``.)
    """
    convert_options = renamed("prep.convert", "options", options, "convert_options", convert_options)
    check_options = renamed("prep.convert", "check", check, "check_options", check_options)
    arguments = locals()
    given_convert = {k: v for k, v in changed_settings(convert_options).items() if k in CONVERT_ARGUMENTS}
    given_convert.update((k, arguments[k]) for k in CONVERT_ARGUMENTS if arguments[k] is not None)
    given_check = given_settings(arguments, check_options, _table_of(convert_options))
    if not isinstance(source, (str, os.PathLike)):
        table = given_check.pop("table", TableOptions())
        table_fields = {k: getattr(table, k) for k in TABLE_ARGUMENTS}
        plain = ConvertOptions(**table_fields, **given_convert), CheckOptions(**given_check)
    else:
        plain = convert_settings(source, given_convert, given_check, config=config, isolated=isolated)
    return convert_plain(source, output, convert_options=plain[0], check_options=plain[1])


def _table_of(options: ConvertOptions | None) -> TableOptions | None:
    return options.table if options is not None else None


def convert_settings(
    source: str | os.PathLike[str],
    given_convert: Mapping[str, Any],
    given_check: Mapping[str, Any],
    *,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> tuple[ConvertOptions, CheckOptions]:
    """The options of converting ``source``: its configuration's settings, then what is given on top.

    ``given_convert`` holds `ConvertOptions` fields other than the table's;
    ``given_check`` `CheckOptions` fields, the table's in ``table``.
    """
    (plan,) = plan_files([os.fspath(source)], given_check, config=config, isolated=isolated)
    merged = plan.options.table or TableOptions()
    table_fields = {k: getattr(merged, k) for k in TABLE_ARGUMENTS}
    options_out = ConvertOptions(**table_fields, **given_convert)
    checked = dataclasses.replace(plan.options, table=None)
    if options_out.target is not None:  # the output is another target's: the configuration's model is not its
        checked = dataclasses.replace(checked, target=options_out.target, model=given_check.get("model"))
    return options_out, checked
