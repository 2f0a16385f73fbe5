"""Deterministic train/validation split of a JSONL file.

Two streaming passes, so memory grows with the number of *distinct* examples,
never with their size:

1. hash every example (the checker's 64-bit hash of its canonical JSON, so
   key order and spacing do not matter) and, for legacy classification data,
   its label;
2. copy every line, byte for byte, to ``<stem>.train.jsonl`` or
   ``<stem>.valid.jsonl``.

Exact duplicates form one group and land on the same side, so the validation
file never holds a copy of a training example. Groups are taken for validation
in the order of a seeded blake2b hash of their example hash: the same input and
seed give the same bytes on every platform and Python version (no `random`).
Legacy prompt/completion data with few distinct completions (fewer than a third
of the examples, the rule of OpenAI's old ``prepare_data`` tool) is split per
label, so each label keeps its share on both sides.
"""

from __future__ import annotations

import hashlib
import math
import os
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from ..errors import InputError, UsageError
from ..io import atomic_writer
from ..records.values import canonical_json
from ..validation.scan import example_hash

__all__ = ["SplitResult", "split", "split_paths"]

BOM = b"\xef\xbb\xbf"
#: Legacy ``prepare_data``: classification when distinct completions < examples / 3.
CLASSIFICATION_THRESHOLD = 3


@dataclass(frozen=True)
class SplitResult:
    """What `split` wrote. ``labels`` is the number of labels when stratified, else 0."""

    train_path: Path
    valid_path: Path
    train_examples: int
    valid_examples: int
    groups: int
    stratified: bool
    labels: int = 0
    blank_lines: int = 0


def split_paths(path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """``<stem>.train.jsonl`` and ``<stem>.valid.jsonl``, beside ``path`` or in ``out_dir``."""
    source = Path(path)
    folder = Path(out_dir) if out_dir is not None else source.parent
    stem = source.name[: -len(source.suffix)] if source.suffix else source.name
    return folder / f"{stem}.train.jsonl", folder / f"{stem}.valid.jsonl"


def split(
    path: str | os.PathLike[str],
    *,
    valid_fraction: float | None = None,
    valid_count: int | None = None,
    seed: int = 0,
    out_dir: str | os.PathLike[str] | None = None,
    stratify: bool | None = None,
) -> SplitResult:
    """Split a JSONL file into training and validation files.

    Give ``valid_fraction`` (0 < F < 1; default 0.1) or ``valid_count`` (N
    examples). ``stratify`` None detects legacy classification data; True
    forces stratifying by ``completion``; False turns it off. Blank lines are
    dropped; every other line is copied unchanged (a missing final newline is
    added). Both files are written atomically.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(f"Cannot read {str(source)!r}: no such file.")
    train_path, valid_path = split_paths(source, out_dir)
    if source.resolve() in (train_path.resolve(), valid_path.resolve()):
        raise UsageError(f"{source} would be overwritten by its own split; use -o DIR.")
    scan = _scan(source)
    n = len(scan.hashes)
    target = _target(n, valid_fraction, valid_count)
    stratified = _stratify(scan, stratify)
    chosen = _choose(scan, target, seed, stratified)
    valid_n = sum(scan.sizes[h] for h in chosen)
    if valid_n >= n:
        raise UsageError(f"{source} holds only one distinct example; it cannot be split.")
    train_path.parent.mkdir(parents=True, exist_ok=True)
    _write(source, scan, chosen, train_path, valid_path)
    labels = len(set(scan.group_label.values())) if stratified else 0
    return SplitResult(train_path, valid_path, n - valid_n, valid_n, len(scan.sizes), stratified, labels, scan.blank)


@dataclass
class _Scan:
    hashes: array[int]  # per example line, in file order
    sizes: Counter[int]  # group hash -> examples
    group_label: dict[int, int]  # group hash -> label hash (completion data only)
    completion_lines: int
    bom: bool
    blank: int


def _iter_lines(fp: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    """(line bytes with its terminator, is blank); the first line's BOM removed."""
    first = True
    for raw in fp:
        if first and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        first = False
        yield raw, not raw.strip()


def _scan(source: Path) -> _Scan:
    scan = _Scan(array("Q"), Counter(), {}, 0, False, 0)
    with source.open("rb") as fp:
        scan.bom = fp.read(len(BOM)) == BOM
        fp.seek(0)
        for raw, blank in _iter_lines(fp):
            if blank:
                scan.blank += 1
                continue
            h, label = _identify(raw)
            scan.hashes.append(h)
            scan.sizes[h] += 1
            if label is not None:
                scan.completion_lines += 1
                scan.group_label[h] = label
    return scan


def _identify(raw: bytes) -> tuple[int, int | None]:
    """The example's hash and, for prompt/completion examples, its label's hash."""
    try:
        value: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = None
    if not isinstance(value, dict):  # not an example: group it by its bytes
        return _hash64(b"raw\0" + raw.rstrip(b"\r\n")), None
    label = None
    if "completion" in value and "messages" not in value and "input" not in value:
        try:
            label = _hash64(orjson.dumps(value["completion"], option=orjson.OPT_SORT_KEYS))
        except (TypeError, orjson.JSONEncodeError):  # a lone surrogate, deep nesting
            label = _hash64(canonical_json(value["completion"]))
    return example_hash(value), label


def _hash64(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _target(n: int, fraction: float | None, count: int | None) -> int:
    if fraction is not None and count is not None:
        raise UsageError("Give either a validation fraction or a validation count, not both.")
    if n < 2:
        raise UsageError(f"A split needs at least 2 examples; the file has {n}.")
    if count is not None:
        if not 1 <= count < n:
            raise UsageError(f"The validation count must be between 1 and {n - 1} (the file has {n} examples).")
        return count
    fraction = 0.1 if fraction is None else fraction
    if not 0 < fraction < 1:
        raise UsageError(f"The validation fraction must be between 0 and 1 (exclusive), not {fraction}.")
    return min(n - 1, max(1, math.floor(n * fraction + 0.5)))


def _stratify(scan: _Scan, stratify: bool | None) -> bool:
    n = len(scan.hashes)
    all_completion = scan.completion_lines == n
    if stratify is True and not all_completion:
        raise UsageError("Stratifying needs prompt/completion data: every example's completion is its label.")
    if stratify is not None:
        return stratify
    labels = len(set(scan.group_label.values()))
    return all_completion and labels >= 2 and labels * CLASSIFICATION_THRESHOLD < n


def _order_key(seed: int, value: int) -> bytes:
    return hashlib.blake2b(value.to_bytes(8, "little"), digest_size=16, key=str(seed).encode()[:64]).digest()


def _choose(scan: _Scan, target: int, seed: int, stratified: bool) -> set[int]:
    """The groups that go to validation."""
    order = sorted(scan.sizes, key=lambda h: (_order_key(seed, h), h))
    if not stratified:
        return _take(order, scan.sizes, target)
    by_label: dict[int, list[int]] = {}
    for h in order:
        by_label.setdefault(scan.group_label[h], []).append(h)
    quotas = _quotas({lab: sum(scan.sizes[h] for h in gs) for lab, gs in by_label.items()}, target, seed)
    chosen: set[int] = set()
    for label, groups in by_label.items():
        if quotas[label]:
            chosen |= _take(groups, scan.sizes, quotas[label], fallback=False)
    return chosen or _take(order, scan.sizes, target)


def _take(order: list[int], sizes: Counter[int], target: int, *, fallback: bool = True) -> set[int]:
    """Whole groups, in order, while they fit under ``target``."""
    chosen: set[int] = set()
    total = 0
    for h in order:
        if total + sizes[h] <= target:
            chosen.add(h)
            total += sizes[h]
            if total == target:
                break
    if not chosen and fallback:  # every group is larger than the target: take the smallest
        chosen.add(min(order, key=lambda h: sizes[h]))
    return chosen


def _quotas(counts: dict[int, int], target: int, seed: int) -> dict[int, int]:
    """Each label's share of ``target`` by largest remainder, in integers."""
    n = sum(counts.values())
    quotas = {label: target * c // n for label, c in counts.items()}
    left = target - sum(quotas.values())
    by_remainder = sorted(counts, key=lambda lab: (-(target * counts[lab] % n), _order_key(seed, lab), lab))
    for label in by_remainder[:left]:
        quotas[label] += 1
    return quotas


def _write(source: Path, scan: _Scan, chosen: set[int], train_path: Path, valid_path: Path) -> None:
    with source.open("rb") as fp, atomic_writer(train_path) as train, atomic_writer(valid_path) as valid:
        if scan.bom:
            train.write(BOM)
            valid.write(BOM)
        index = 0
        for raw, blank in _iter_lines(fp):
            if blank:
                continue
            out = valid if scan.hashes[index] in chosen else train
            index += 1
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")
