"""``prep convert --to vertex|nova|trl``: OpenAI records (from any file type) streamed into another target's data.

Each row is read, mapped (tables go through the column mapping), converted by
the writer of the output format and checked against the target, one at a
time: a record without an error is written as soon as it is checked (its
images too), so memory does not grow with the file. The output format is
the target's (its profile's ``methods``): chat data becomes the format of its
supervised method, preference data that of its DPO method, reinforcement data
that of its reinforcement method. Data already in a format the target takes
(plain text for TRL, Vertex data for Vertex...) goes through as it is.

The output is written atomically: when the report has errors nothing is
written (the images written so far are removed), unless ``force``, which keeps
every record without an error. The same input gives the same bytes. Without an
output path the records are returned, and their images are still written to
the media folder (they are what the records refer to; ``prep convert -o -``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from ..io import atomic_writer
from ..reading.detect import vote
from ..targets.profile import DataFormat, Method, Target
from ..validation.checker import prepare, report_of
from ..validation.dataset import finish
from ..validation.options import CheckOptions
from .examples import Example
from .media import MediaStore, Settings, media_store
from .options import ConvertOptions
from .results import BOM, ConversionResult, dumps
from .tables import open_examples, scan_examples
from .to_nova import nova_preference, nova_sft
from .to_trl import trl_chat, trl_preference
from .to_vertex import vertex_preference, vertex_reinforcement, vertex_sft
from .turns import Losses

__all__ = ["WRITERS", "convert_for_target"]

Writer = Callable[[dict[str, Any], Settings, Losses], dict[str, Any]]

#: The writer of each output format (chosen by the target's methods).
WRITERS: dict[DataFormat, Writer] = {
    DataFormat.VERTEX: vertex_sft,
    DataFormat.VERTEX_PREFERENCE: vertex_preference,
    DataFormat.VERTEX_REINFORCEMENT: vertex_reinforcement,
    DataFormat.NOVA: nova_sft,
    DataFormat.NOVA_PREFERENCE: nova_preference,
    DataFormat.CHAT: trl_chat,
    DataFormat.TRL_PREFERENCE: trl_preference,
}
#: OpenAI's formats, and the method that trains each.
_SOURCES = {
    DataFormat.CHAT: Method.SUPERVISED,
    DataFormat.PREFERENCE: Method.DPO,
    DataFormat.REINFORCEMENT: Method.REINFORCEMENT,
}


class _Discard(Exception):
    """Raised inside the atomic writer so that nothing is written."""


def convert_for_target(
    source: Any, output: str | os.PathLike[str] | None, options: ConvertOptions, check: CheckOptions
) -> ConversionResult:
    """Convert ``source`` for ``options.to`` and check the records against that target; write them to ``output``."""
    assert options.target is not None
    run = prepare(dataclasses.replace(check, target=options.target))
    target = run.targets[0]
    settings = Settings(target, options.zero_weight, media_store(options.media_dir, options.media_prefix, target))
    bom = options.bom if options.bom is not None else target.bom == "require"
    sink = _Sink(settings.media, keep=output is None)
    opened: AbstractContextManager[IO[bytes] | None] = atomic_writer(output) if output is not None else nullcontext()
    try:
        with opened as fp:
            sink.fp = fp
            if fp is not None and bom:
                fp.write(BOM)
            with open_examples(source, options.table, chat_output=True) as examples:
                items = (_convert(e, settings, sink.pending) for e in examples.items)
                group, failed = scan_examples(examples, items, run, after=sink.take)
            report = report_of([[finish(scan, today=run.today) for scan in group.scans]], run)
            if not (report.ok or options.force):
                raise _Discard
    except BaseException as exc:
        sink.discard()  # nothing is written: neither the records nor their images
        if isinstance(exc, OSError):
            raise InputError(f"Cannot write {os.fspath(output or '')}: {exc.strerror or exc}.") from None
        if not isinstance(exc, _Discard):
            raise
        output = None
    skipped = [] if report.ok else sorted(failed)
    path = None if output is None else Path(output)
    return ConversionResult(sink.records, report, path, skipped, bom, lines=sink.lines, count=sink.count)


class _Sink:
    """Where checked records go: written at once (with their images), or kept in memory."""

    def __init__(self, media: MediaStore | None, *, keep: bool) -> None:
        self.media = media
        self.fp: IO[bytes] | None = None
        self.records: list[dict[str, Any]] = []
        self.lines: list[int] = []
        self.count = 0
        self.pending: dict[int, list[tuple[str, bytes]]] = {}  # the images of each converted line, until checked
        self._keep = keep

    def take(self, example: Example, ok: bool) -> None:
        files = self.pending.pop(example.line, [])
        if not ok or example.record is None:
            return
        for name, data in files:  # the images a record refers to, even when the records stay in memory
            if self.media is not None:
                self.media.write(name, data)
        if self.fp is not None:
            self.fp.write(dumps(example.record) + b"\n")
        if self._keep:
            self.records.append(example.record)
            self.lines.append(example.line)
        self.count += 1

    def discard(self) -> None:
        if self.media is not None:
            self.media.discard()


def _convert(example: Example, settings: Settings, pending: dict[int, list[tuple[str, bytes]]]) -> Example:
    """One row's record for the target, with what it lost; None when it cannot be converted."""
    record = example.record
    if record is None:
        return example
    fmt = vote(record)
    if fmt not in _SOURCES and fmt is not DataFormat.COMPLETION:
        return example  # another target's data, or nothing known: checked as it is
    losses = Losses(settings.target.provider)
    out = _write(record, fmt, settings, losses)
    pending[example.line] = losses.files
    problems = (*example.problems, *losses.problems)
    return dataclasses.replace(example, record=None if losses.failed else out, problems=problems)


def _write(record: dict[str, Any], fmt: DataFormat | None, settings: Settings, losses: Losses) -> dict[str, Any]:
    target = settings.target
    if fmt is DataFormat.COMPLETION or fmt is None:
        losses.fail(
            "", "Prompt/completion records are converted to chat first: prep convert FILE -o CHAT.jsonl --to chat."
        )
        return record
    method = _SOURCES[fmt]
    writer = _writer(target, method)
    if writer is None:
        losses.fail("", f"{target.provider} has no {method} training that prep converts {fmt} data for.")
        return record
    return writer(record, settings, losses)


def _writer(target: Target, method: Method) -> Writer | None:
    formats = target.methods.get(method, ())
    return next((WRITERS[f] for f in formats if f in WRITERS), None)
