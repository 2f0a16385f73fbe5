"""Tables as examples: a file, a DataFrame or rows in; each row as a record with its origin out.

This joins the readers (`prep.reading`) to the column mapping (`.mapping`),
and checks the result with the same `FileScan` as JSONL files, so ``prep check
data.xlsx`` reports every problem on its sheet row and column. ``prep convert``
uses the same path and writes the records. Prompt/completion data gets the legacy
recommendations `prep convert` gives (`.advice`), in a table or in a JSONL file
(`advise_completions`).
"""

from __future__ import annotations

import decimal
import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..reading.arrow import dataset_table, is_dataset
from ..reading.detect import SAMPLE_LINES
from ..reading.files import open_table
from ..reading.table import CellError, FileType, Note, Row, Table, TableOptions
from ..validation.checker import CheckRun, plan_file
from ..validation.dataset import finish
from ..validation.group import ScanGroup
from ..validation.scan import FileScan, Origin
from .advice import Pairs, add_legacy_issues
from .examples import Example, RowProblem, to_example
from .mapping import ColumnMap, plan_mapping

if TYPE_CHECKING:
    from ..reports.report import FileReport

__all__ = [
    "NOT_CELL_PROBLEMS",
    "Examples",
    "advise_completions",
    "check_table",
    "feed_examples",
    "is_frame",
    "open_examples",
    "scan_examples",
    "start_scan",
]


@dataclass
class Examples:
    """The examples of one source, read as they are iterated, with what was found about the whole source."""

    name: str
    file_type: FileType | None
    mapping: ColumnMap
    items: Iterator[Example]
    sheet: str | None = None
    notes: list[tuple[int | None, RowProblem]] = field(default_factory=list)  # (line, problem) about the whole source


def is_frame(source: Any) -> bool:
    """True for a pandas DataFrame (tested without importing pandas)."""
    return any(c.__module__.startswith("pandas") and c.__name__ == "DataFrame" for c in type(source).__mro__)


@contextmanager
def open_examples(
    source: Any, options: TableOptions, *, chat_output: bool = False, name: str | None = None
) -> Iterator[Examples]:
    """Read a path, a DataFrame, a `datasets.Dataset` or an iterable of row dicts as examples (a context manager)."""
    if isinstance(source, (str, os.PathLike)):
        table_cm: Any = open_table(source, options.read)
    elif is_dataset(source):
        table_cm = dataset_table(source, name or "<Dataset>")
    elif is_frame(source):
        table_cm = _frame_table(source, name or "<DataFrame>")
    else:
        table_cm = _rows_table(source, name or "<rows>")
    with table_cm as table:
        yield _examples(table, options, chat_output)


def _examples(table: Table, options: TableOptions, chat_output: bool) -> Examples:
    cmap = (
        plan_mapping(
            table.columns,
            options.mapping,
            name=table.name,
            tabular=table.tabular,
            system=options.system,
            chat_output=chat_output,
        )
        if table.columns
        else ColumnMap("record")
    )
    notes = [(n.line, RowProblem(n.code, "", n.message, n.column)) for n in table.notes]
    if cmap.unused:
        listed = ", ".join(repr(c) for c in cmap.unused)
        notes.append(
            (
                None,
                RowProblem(
                    "P158",
                    "",
                    f"Column(s) {listed} fill no field, so they are left out of the "
                    "records (use them with --map COLUMN=FIELD, or say so with "
                    "--map COLUMN=ignore).",
                    cmap.unused[0],
                ),
            )
        )
    items = (to_example(row, cmap, system=options.system, sheet=table.sheet) for row in table.rows)
    return Examples(table.name, table.file_type, cmap, items, table.sheet, notes)


# -- in-memory sources -----------------------------------------------------------------


def _frame_table(frame: Any, name: str) -> Table:
    columns = [str(c) for c in frame.columns]
    rows = (
        Row(i, {c: _frame_cell(v) for c, v in zip(columns, values, strict=True)}, index=_label(label))
        for i, (label, *values) in enumerate(frame.itertuples(index=True, name=None), 1)
    )
    return Table(name, None, columns, rows, tabular=True)


def _label(label: Any) -> Any:
    """A DataFrame index label as a JSON value: a number, a string (dates in ISO form), a tuple for a MultiIndex."""
    if isinstance(label, tuple):
        return tuple(_label(part) for part in label)
    if type(label).__module__ == "numpy" and hasattr(label, "item"):
        label = label.item()
    if isinstance(label, (str, int, float, bool)) or label is None:
        return label
    if hasattr(label, "isoformat"):
        return label.isoformat()
    return str(label)


def _frame_cell(value: Any) -> Any:
    """A DataFrame cell as a spreadsheet cell: missing values (NaN, NaT, None, pd.NA) are empty, numbers are text."""
    from ..reading.xlsx import cell_text

    if value is None or isinstance(value, (list, dict)):
        return value
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (bool, int, float)) or hasattr(value, "isoformat"):
        return cell_text(value)
    return _other_cell(value)


def _other_cell(value: Any) -> Any:
    """A cell holding what a spreadsheet cannot: a Decimal is its number, bytes their UTF-8 text, else an error."""
    if isinstance(value, decimal.Decimal):
        return None if value.is_nan() else str(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8") or None
        except UnicodeDecodeError as exc:
            return CellError("P154", f"Cell holds bytes that are not UTF-8 text (byte {exc.start + 1}).")
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return CellError("P119", f"Cell holds a {type(value).__name__} ({shown}), which has no JSON or text form.")


def _rows_table(rows: Iterable[Any], name: str) -> Table:
    from ..records.values import as_dict

    items = (_plain_row(i, as_dict(r)) for i, r in enumerate(rows, 1))
    sample = list(islice(items, SAMPLE_LINES))
    columns = list(dict.fromkeys(k for r in sample if r.cells for k in r.cells))
    return Table(name, None, columns, chain(sample, items), tabular=False)


def _plain_row(number: int, value: Any) -> Row:
    if isinstance(value, dict):
        return Row(number, value)
    note = Note("P107", f"Row {number} is a {type(value).__name__}, not a mapping of column names to values.")
    return Row(number, None, (note,))


# -- checking ----------------------------------------------------------------------------


def add_problem(scan: FileScan | ScanGroup, line: int | None, problem: RowProblem, origin: Origin) -> None:
    """Report a reading or mapping problem on its row, in its column."""
    if problem.column is not None:
        origin = Origin(origin.sheet, ((problem.pointer, problem.column),))
    scan.add(problem.code, line, problem.pointer, problem.message, origin)


def scan_examples(
    examples: Examples,
    items: Iterable[Example],
    run: CheckRun,
    after: Callable[[Example, bool], None] | None = None,
) -> tuple[ScanGroup, set[int]]:
    """Check every example; return the scans (not yet finished) and the lines of examples with errors.

    ``examples`` gives the source's name, sheet and notes; ``items`` its examples (``examples.items``,
    or examples changed since, as ``prep convert`` does). ``after`` is called with each example once it is
    checked, and whether it is free of errors (a streaming conversion writes it then).
    """
    items = iter(items)
    sample = list(islice(items, SAMPLE_LINES))
    group = start_scan(examples, sample, run)
    return group, feed_examples(group, chain(sample, items), after)


def start_scan(examples: Examples, sample: list[Example], run: CheckRun) -> ScanGroup:
    """Scans planned from a source's first examples, holding the problems found with the whole source."""
    records = (e.record for e in sample if e.record is not None)
    plans = plan_file(examples.name, records, run, memory=examples.file_type is None)
    group = ScanGroup(plans, run.tokenizers)
    sheet_origin = Origin(examples.sheet)
    for line, note in examples.notes:
        add_problem(group, line, note, sheet_origin)
    return group


def feed_examples(
    group: ScanGroup, items: Iterable[Example], after: Callable[[Example, bool], None] | None = None
) -> set[int]:
    """Check each example into ``group``; return the lines of the examples with errors. ``after`` is called
    with each example once it is checked, and whether it is free of errors (a streaming conversion writes it then)."""
    failed: set[int] = set()
    for example in items:
        before, starts = _errors(group), [len(s.issues) for s in group.scans]
        for problem in example.problems:
            add_problem(group, example.line, problem, example.origin)
        if example.record is not None:
            group.feed_value(example.line, example.record, origin=example.origin)
            pointers = {p.pointer for p in example.problems if p.pointer and p.code not in NOT_CELL_PROBLEMS}
            for scan, start in zip(group.scans, starts, strict=True):
                _drop_consequences(scan, start, pointers)
        else:
            for scan in group.scans:
                scan.lines += 1
        bad = example.record is None or _errors(group) > before
        if bad:
            failed.add(example.line)
        if after is not None:
            after(example, not bad)
    return failed


#: Issues that only repeat a cell problem: the cell could not be read, so its content is missing.
_CONSEQUENCES = frozenset({"P205", "P206", "P222"})
#: Problems of a row that are not about an unreadable cell (its content is there): a control character,
#: and what a conversion for another target lost.
NOT_CELL_PROBLEMS = frozenset({"P161", "P162", "P163", "P164", "P165", "P166", "P167", "P168"})


def _drop_consequences(scan: FileScan, start: int, pointers: set[str]) -> None:
    """Leave out "content is missing" on a part whose cell was already reported as unreadable."""
    if not pointers:
        return
    kept = []
    for issue in scan.issues[start:]:
        if issue.code in _CONSEQUENCES and issue.pointer in pointers:
            scan.codes[issue.code] -= 1
            if not scan.codes[issue.code]:
                del scan.codes[issue.code]
        else:
            kept.append(issue)
    scan.issues[start:] = kept


def _errors(group: ScanGroup) -> int:
    return sum(
        n for scan in group.scans for code, n in scan.codes.items() if scan.plan.target.severity(code).value == "error"
    )


def check_table(source: Path | Any, run: CheckRun) -> list[FileReport]:
    """Check a table (a file that is not JSONL, or a DataFrame): read, map and check each row; a report per target."""
    table_options = run.options.table or TableOptions()
    if not isinstance(table_options, TableOptions):
        raise InputError("CheckOptions.table must be a prep.TableOptions.")
    with open_examples(source, table_options) as examples:
        group, _ = scan_examples(examples, examples.items, run, after=(pairs := Pairs()))
    add_legacy_issues(group, pairs, run.today)
    return [finish(scan, today=run.today) for scan in group.scans]


def advise_completions(group: ScanGroup, location: str, run: CheckRun) -> None:
    """Add to a JSONL file checked as prompt/completion data the legacy recommendations `prep convert` gives."""
    with open_examples(location, run.options.table or TableOptions()) as examples:
        add_legacy_issues(group, Pairs().extend(examples.items), run.today)
