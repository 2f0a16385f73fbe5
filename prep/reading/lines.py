"""JSON Lines as rows, for converting: one object per line, with its line number.

``prep check`` reads JSONL with its own streaming checker (`.jsonl`); this
reader serves ``prep convert`` and `load_records`, which rewrite the file: a BOM,
CRLF endings and blank lines are dropped from the output, so they are not
reported here. A line that is not a JSON object is a row with a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import IO

from .jsonl import iter_lines, parse_line
from .table import FileType, Note, ReadOptions, Row, Table

__all__ = ["SAMPLE_ROWS", "read_jsonl"]

#: Rows whose keys name the columns (for mapping) before the rest are read.
SAMPLE_ROWS = 1000


def read_jsonl(path: Path, options: ReadOptions) -> Table:
    fp = path.open("rb")
    rows = _rows(fp)
    sample = list(islice(rows, SAMPLE_ROWS))
    columns = list(dict.fromkeys(k for r in sample if r.cells for k in r.cells))
    return Table(str(path), FileType.JSONL, columns, chain(sample, rows), tabular=False, closer=fp.close)


def _rows(fp: IO[bytes]) -> Iterator[Row]:
    for line in iter_lines(fp):
        if line.length:
            yield Row(
                line.number,
                None,
                (Note("P105", f"Line is {line.length:,} bytes long; it was not read.", None, line.number),),
            )
            continue
        if not line.data.strip():
            continue
        value, problem = parse_line(line.data)
        if problem is not None:
            yield Row(line.number, None, (Note(problem.code, problem.message, None, line.number),))
        else:
            yield Row(line.number, value)
