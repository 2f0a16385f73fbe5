"""The steps of a conversion (`prep.convert`): read, map, transform, check; and typed records.

Imported only when a conversion runs, so that ``import prep`` (and ``prep check``
on JSONL, which a pre-commit hook runs on every commit) stays light.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..reading.detect import SAMPLE_LINES, decide_format, vote
from ..reading.table import TableOptions
from ..reports.report import Report
from ..targets.profile import DataFormat
from ..validation.checker import prepare, report_of
from ..validation.dataset import finish
from ..validation.options import CheckOptions
from ..validation.scan import Origin
from .advice import CHECKED_ANYWAY, Extra, completion_models, finding_issues, pair_of
from .examples import Example, RowProblem
from .legacy import apply_fixes, recommend
from .tables import Examples, add_problem, open_examples, scan_examples
from .upgrade import chat_examples

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .options import ConvertOptions

__all__ = ["convert_examples", "iter_records"]


def convert_examples(
    source: Any, options: ConvertOptions, check: CheckOptions
) -> tuple[list[Example], Report, list[int], str]:
    """The examples of every row without an error (each with its record), the report, the lines of rows left
    out, the target's BOM rule."""
    run = prepare(check)
    with open_examples(source, options.table, chat_output=options.to == "chat") as examples:
        items = list(examples.items)
    items, extra = _transform(examples, items, options, completion_models(run.targets[0], run.today))
    group, failed = scan_examples(examples, items, run)
    for line, problem, origin in extra:
        add_problem(group, line, problem, origin)
    report = report_of([[finish(scan, today=run.today) for scan in group.scans]], run)
    kept = [e for e in items if e.record is not None and e.line not in failed]
    skipped = [] if report.ok else sorted({e.line for e in items} - {e.line for e in kept})
    return kept, report, skipped, run.targets[0].bom


def _transform(
    examples: Examples, items: list[Example], options: ConvertOptions, models: str
) -> tuple[list[Example], list[Extra]]:
    """To chat, or the legacy recommendations (applied with --apply): the examples to check, and what to add."""
    if options.to == "chat":
        items, note = chat_examples(items, system=options.system, keep_separators=options.keep_separators)
        return items, [(None, note, Origin(examples.sheet))] if note else []
    records = [e.record for e in items[:SAMPLE_LINES] if e.record is not None]
    if decide_format((vote(r) for r in records), tuple(DataFormat)) is not DataFormat.COMPLETION:
        return items, []
    return _legacy(items, options.apply, models)


def _legacy(items: list[Example], apply: bool, models: str) -> tuple[list[Example], list[Extra]]:
    usable = [i for i, e in enumerate(items) if pair_of(e) is not None]
    pairs = [pair for pair in map(pair_of, (items[i] for i in usable)) if pair is not None]
    findings = recommend(pairs, models)
    if not apply:
        return items, list(finding_issues(findings, [items[i] for i in usable], skip=CHECKED_ANYWAY))
    applied = apply_fixes(pairs, findings)
    new = {usable[i]: pair for i, pair in applied.rows}
    usable_set = set(usable)
    out = []
    for i, e in enumerate(items):
        if i not in usable_set:
            out.append(e)
        elif i in new:
            out.append(dataclasses.replace(e, record={"prompt": new[i].prompt, "completion": new[i].completion}))
    extras: list[Extra] = []
    for finding, fix in applied.fixes:
        lines = sorted(items[usable[i]].line for i in fix.drop)
        where = f" (line(s) {', '.join(map(str, lines))})" if lines else ""
        origin = items[usable[0]].origin
        extras.append(
            (
                None,
                RowProblem(
                    "P460",
                    f"/{finding.field}" if finding.field else "",
                    f"Applied {finding.code}: {fix.action}{where}.",
                ),
                origin,
            )
        )
    unfixed = [f for f in findings if f.fix is None]
    extras.extend(finding_issues(unfixed, [items[i] for i in usable], skip=()))
    return out, extras


def _model(fmt: DataFormat) -> type[BaseModel]:
    """The pydantic model of a format (imported here: pydantic is not needed to check or convert)."""
    from .. import records

    model: type[BaseModel] = getattr(records, _RECORDS[fmt])
    return model


_RECORDS = {
    DataFormat.CHAT: "ChatRecord",
    DataFormat.COMPLETION: "CompletionRecord",
    DataFormat.PREFERENCE: "PreferenceRecord",
    DataFormat.REINFORCEMENT: "ReinforcementRecord",
    DataFormat.TEXT: "TextRecord",
    DataFormat.VERTEX: "VertexRecord",
    DataFormat.VERTEX_PREFERENCE: "VertexPreferenceRecord",
    DataFormat.VERTEX_REINFORCEMENT: "VertexReinforcementRecord",
    DataFormat.NOVA: "NovaRecord",
    DataFormat.NOVA_PREFERENCE: "NovaPreferenceRecord",
    DataFormat.TRL_PREFERENCE: "TrlPreferenceRecord",
}


def iter_records(
    source: Any,
    table: TableOptions,
    data_format: DataFormat | None,
    *,
    skip_invalid: bool = False,
    record: type[BaseModel] | None = None,
) -> Iterator[BaseModel]:
    """`prep.load_records`: each row as a validated pydantic record (of ``record``, or of the format's model)."""
    from pydantic import ValidationError

    from ..issues import escape_pointer

    with open_examples(source, table) as examples:
        items = iter(examples.items)
        sample = list(islice(items, SAMPLE_LINES))
        fmt = data_format or decide_format((vote(e.record) for e in sample if e.record is not None), tuple(DataFormat))
        model = record or _model(fmt or DataFormat.CHAT)
        for e in chain(sample, items):
            try:
                if e.problems or e.record is None:
                    raise InputError(_where(examples.name, e, e.problems[0].column) + e.problems[0].message)
                yield model.model_validate(e.record)
            except ValidationError as exc:
                error = exc.errors()[0]
                pointer = escape_pointer(*error["loc"])
                if not skip_invalid:
                    where = _where(examples.name, e, e.origin.column_of(pointer))
                    raise InputError(f"{where}not a valid {fmt} record: {error['msg']} ({pointer}).") from None
            except InputError:
                if not skip_invalid:
                    raise


def _where(name: str, example: Example, column: str | None) -> str:
    return f"{name}:{example.line}: " + (f"(column {column}) " if column else "")
