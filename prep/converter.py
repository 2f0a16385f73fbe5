"""Convert spreadsheets, JSON and DataFrames into JSONL the service accepts (``prep convert``).

`convert` reads a source (a path of any supported type, a pandas DataFrame, or
rows as dicts), maps its columns to records, optionally turns prompt/completion
into chat (``to="chat"``), finds the legacy prepare_data recommendations for
prompt/completion output (and applies their fixes with ``apply=True``), checks
every record as ``prep check`` does, and writes the records as JSONL:
atomically, UTF-8 (with a BOM only when asked or when the target requires one),
byte for byte the same for the same input. The input is never written to.

Data with errors is not written, unless ``force=True``: then every row without
an error is written and the rows with errors are left out.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

import orjson

from .checker import CheckOptions, finish
from .detect import SAMPLE_LINES, decide_format, vote
from .errors import InputError, UsageError
from .examples import Example, RowProblem
from .formats import FileType
from .io import atomic_writer
from .legacy import Finding, Pair, apply_fixes, recommend
from .mapping import TableOptions
from .records import ChatRecord, CompletionRecord, PreferenceRecord, Record, ReinforcementRecord
from .report import Report
from .scan import LazyCounter, Origin
from .tables import Examples, add_problem, open_examples, scan_examples
from .targets import DataFormat, load_target
from .tokens import resolve_budget
from .upgrade import chat_examples

__all__ = ["ConversionResult", "ConvertOptions", "convert", "jsonl_bytes", "load_records"]

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ConvertOptions:
    """What `convert` does besides checking (the checking options are a `CheckOptions`)."""

    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    system: str | None = None
    file_type: FileType | None = None
    input_encoding: str | None = None
    to: DataFormat | None = None
    keep_separators: bool = False
    apply: bool = False
    bom: bool | None = None
    force: bool = False

    def __post_init__(self) -> None:
        table = self.table  # validates mapping and file_type
        object.__setattr__(self, "mapping", table.mapping)
        object.__setattr__(self, "file_type", table.file_type)
        if self.to is not None:
            to = DataFormat(self.to)
            if to is not DataFormat.CHAT:
                raise UsageError(f"--to {to.value} is not supported; prep converts prompt/completion to chat.")
            object.__setattr__(self, "to", to)
            if self.apply:
                raise UsageError("--apply applies the legacy prompt/completion recommendations; "
                                 "with --to chat there are none (the legacy marks are removed instead).")

    @property
    def table(self) -> TableOptions:
        return TableOptions(self.sheet, self.mapping, self.system, self.file_type, self.input_encoding)


@dataclass
class ConversionResult:
    """What `convert` did: the records (those written, or that ``force`` would write), the report, the path written."""

    records: list[dict[str, Any]]
    report: Report
    path: Path | None = None
    skipped: list[int] = field(default_factory=list)
    bom: bool = False

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def exit_code(self) -> int:
        """0 written without errors, 1 the data has errors, 2 tokens could not be counted."""
        return self.report.exit_code()

    def to_jsonl(self) -> bytes:
        return jsonl_bytes(self.records, bom=self.bom)

    def summary(self, output: str | os.PathLike[str] | None = None) -> str:
        """One sentence on what was written, or why nothing was."""
        errors = sum(f.errors for f in self.report.files)
        if self.path is not None:
            left = f", leaving out {len(self.skipped)} row(s) with errors" if self.skipped else ""
            return f"wrote {len(self.records):,} record(s) to {self.path}{left}."
        if output is None:
            return f"converted {len(self.records):,} record(s); nothing written (no output path)."
        return (f"did not write {output}: the data has {errors:,} error(s); fix them, or pass --force to write the "
                f"{len(self.records):,} record(s) without errors.")


def jsonl_bytes(records: Iterable[Any], *, bom: bool = False) -> bytes:
    """Records as JSONL: one compact JSON object per line, UTF-8, LF endings; the same records give the same bytes."""
    return (BOM if bom else b"") + b"".join(_dumps(r) + b"\n" for r in records)


def _dumps(record: Any) -> bytes:
    try:
        return orjson.dumps(record)
    except (orjson.JSONEncodeError, TypeError):  # lone surrogates: escape them as JSON allows
        return json.dumps(record, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _split_options(options: ConvertOptions | None, check: CheckOptions | None,
                   kwargs: dict[str, Any]) -> tuple[ConvertOptions, CheckOptions]:
    convert_fields = {f.name for f in dataclasses.fields(ConvertOptions)}
    check_fields = {f.name for f in dataclasses.fields(CheckOptions)}
    unknown = set(kwargs) - convert_fields - check_fields
    if unknown:
        raise TypeError(f"convert() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    options = options or ConvertOptions(**{k: v for k, v in kwargs.items() if k in convert_fields})
    check = check or CheckOptions(**{k: v for k, v in kwargs.items() if k in check_fields and k not in convert_fields})
    return options, check


def convert(source: Any, output: str | os.PathLike[str] | None = None, *, options: ConvertOptions | None = None,
            check: CheckOptions | None = None, **kwargs: Any) -> ConversionResult:
    """Convert a path, a pandas DataFrame or an iterable of row dicts into checked records; write them to ``output``.

    Keyword arguments are `ConvertOptions` fields (``sheet``, ``mapping``,
    ``system``, ``to``, ``apply``, ``bom``, ``force``...) and `CheckOptions`
    fields (``model``, ``tokens``, ``target``...). Bad data never raises: it is
    in ``result.report``; nothing is written when it has errors, unless ``force``.
    """
    options, check = _split_options(options, check, kwargs)
    if output is not None and isinstance(source, (str, os.PathLike)) and _same_file(source, output):
        raise UsageError(f"The output {os.fspath(output)} is the input; prep never writes to its input.")
    target = load_target(check.target)
    budget = (resolve_budget(target, model=check.model, encoding=check.encoding, token_limit=check.token_limit)
              if check.tokens else None)
    counter = LazyCounter(budget, check.tiktoken_dir)
    with open_examples(source, options.table, chat_output=options.to is DataFormat.CHAT) as examples:
        items = list(examples.items)
    items, extra = _transform(examples, items, options)
    scan, failed = scan_examples(examples, items, check, target, budget, counter)
    for line, problem, origin in extra:
        add_problem(scan, line, problem, origin)
    report = Report([finish(scan)], target=target.name, tokens_checked=budget is not None and not counter.error,
                    tokenizer_error=counter.error)
    kept = [e for e in items if e.record is not None and e.line not in failed]
    skipped = sorted({e.line for e in items} - {e.line for e in kept})
    bom = options.bom if options.bom is not None else target.bom == "require"
    result = ConversionResult([e.record for e in kept if e.record is not None], report, None, skipped, bom)
    if output is not None and (report.ok or options.force):
        result.path = _write(output, result.to_jsonl())
    if report.ok:
        result.skipped = []
    return result


def _write(output: str | os.PathLike[str], data: bytes) -> Path:
    try:
        with atomic_writer(output) as fp:
            fp.write(data)
    except OSError as exc:
        raise InputError(f"Cannot write {os.fspath(output)}: {exc.strerror or exc}.") from None
    return Path(output)


def _same_file(source: str | os.PathLike[str], output: str | os.PathLike[str]) -> bool:
    a, b = Path(source), Path(output)
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


Extra = tuple[int | None, RowProblem, Origin]


def _transform(examples: Examples, items: list[Example], options: ConvertOptions) -> tuple[list[Example], list[Extra]]:
    """To chat, or the legacy recommendations (applied with --apply): the examples to check, and what to add."""
    if options.to is DataFormat.CHAT:
        items, note = chat_examples(items, system=options.system, keep_separators=options.keep_separators)
        return items, [(None, note, Origin(examples.sheet))] if note else []
    records = [e.record for e in items[:SAMPLE_LINES] if e.record is not None]
    if decide_format((vote(r) for r in records), tuple(DataFormat)) is not DataFormat.COMPLETION:
        return items, []
    return _legacy(items, options.apply)


def _legacy(items: list[Example], apply: bool) -> tuple[list[Example], list[Extra]]:
    usable = [i for i, e in enumerate(items) if _pair(e) is not None]
    pairs = [_pair(items[i]) for i in usable]
    findings = recommend(pairs)  # type: ignore[arg-type]
    if not apply:
        return items, list(_finding_issues(findings, [items[i] for i in usable], skip=("P206", "P403")))
    applied = apply_fixes(pairs, findings)  # type: ignore[arg-type]
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
        extras.append((None, RowProblem("P460", f"/{finding.field}" if finding.field else "",
                                        f"Applied {finding.code}: {fix.action}{where}."), origin))
    unfixed = [f for f in findings if f.fix is None]
    extras.extend(_finding_issues(unfixed, [items[i] for i in usable], skip=()))
    return out, extras


def _pair(example: Example) -> Pair | None:
    r = example.record
    if r is None or example.problems or set(r) != {"prompt", "completion"}:
        return None
    if not isinstance(r["prompt"], str) or not isinstance(r["completion"], str):
        return None
    return Pair(r["prompt"], r["completion"])


def _finding_issues(findings: list[Finding], examples: list[Example], skip: tuple[str, ...]) -> Iterator[Extra]:
    for f in findings:
        if f.code in skip:
            continue
        pointer = f"/{f.field}" if f.field else ""
        if f.rows:
            for i in f.rows:
                yield examples[i].line, RowProblem(f.code, pointer, f.message), examples[i].origin
        elif examples:
            yield None, RowProblem(f.code, pointer, f.message), examples[0].origin


# -- typed records for pipelines ---------------------------------------------------------

_MODELS: dict[DataFormat, type[Record]] = {
    DataFormat.CHAT: ChatRecord,
    DataFormat.COMPLETION: CompletionRecord,
    DataFormat.PREFERENCE: PreferenceRecord,
    DataFormat.REINFORCEMENT: ReinforcementRecord,
}


def load_records(source: Any, *, data_format: DataFormat | str | None = None, skip_invalid: bool = False,
                 **table: Any) -> Iterator[Record]:
    """Yield the records of a source (any file type `convert` reads, a DataFrame, rows) as typed pydantic records.

    The format is detected from the first rows unless given. A row that is not a
    valid record raises `InputError` naming its line and column, or is left out
    with ``skip_invalid=True``. Keyword arguments are `TableOptions` fields.
    """
    from pydantic import ValidationError

    from .issues import escape_pointer

    with open_examples(source, TableOptions(**table)) as examples:
        items = iter(examples.items)
        sample = list(islice(items, SAMPLE_LINES))
        fmt = DataFormat(data_format) if data_format else decide_format(
            (vote(e.record) for e in sample if e.record is not None), tuple(DataFormat))
        model = _MODELS[fmt or DataFormat.CHAT]
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
