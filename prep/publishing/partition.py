"""Which examples go to validation: the deterministic part of a split, over examples that were checked.

Two streaming passes over the examples (`Items`: each example's bytes as
written, and its value), so memory grows with the number of *distinct*
examples, never with their size:

1. hash every example (the checker's 64-bit hash of its canonical JSON, so
   key order and spacing do not matter) and, for legacy classification data,
   its label;
2. write every example's bytes to the training or the validation file.

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
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import UsageError
from ..io import atomic_writer
from ..records.values import canonical_json
from ..validation.canonical import example_hash

__all__ = ["Items", "Partition", "partition", "write_sides"]

BOM = b"\xef\xbb\xbf"
#: Legacy ``prepare_data``: classification when distinct completions < examples / 3.
CLASSIFICATION_THRESHOLD = 3

#: The examples of a source, from the start each time it is called: (bytes as written, value).
Items = Callable[[], Iterator[tuple[bytes, Any]]]


@dataclass
class Partition:
    """The examples' hashes in order, their groups, and the groups chosen for validation."""

    hashes: array[int]  # per example, in order
    sizes: Counter[int]  # group hash -> examples
    group_label: dict[int, int]  # group hash -> label hash (completion data only)
    completion_examples: int
    chosen: set[int]
    stratified: bool = False

    @property
    def valid_examples(self) -> int:
        return sum(self.sizes[h] for h in self.chosen)

    @property
    def labels(self) -> int:
        return len(set(self.group_label.values())) if self.stratified else 0


def partition(
    items: Items, name: str, *, fraction: float | None, count: int | None, seed: int, stratify: bool | None
) -> Partition:
    """Hash every example of ``name`` and choose the groups that go to validation (see the module doc)."""
    part = Partition(array("Q"), Counter(), {}, 0, set())
    for raw, value in items():
        h, label = _identify(raw, value)
        part.hashes.append(h)
        part.sizes[h] += 1
        if label is not None:
            part.completion_examples += 1
            part.group_label[h] = label
    n = len(part.hashes)
    target = _target(n, fraction, count)
    part.stratified = _stratify(part, stratify)
    part.chosen = _choose(part, target, seed)
    if part.valid_examples >= n:
        raise UsageError(f"{name} holds only one distinct example; it cannot be split.")
    return part


def write_sides(items: Items, part: Partition, train_path: Path, valid_path: Path, *, bom: bool) -> None:
    """Write each example's bytes to its side, atomically (a missing final newline is added)."""
    train_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(train_path) as train, atomic_writer(valid_path) as valid:
        if bom:
            train.write(BOM)
            valid.write(BOM)
        for index, (raw, _) in enumerate(items()):
            out = valid if part.hashes[index] in part.chosen else train
            out.write(raw if raw.endswith(b"\n") else raw + b"\n")


def _identify(raw: bytes, value: Any) -> tuple[int, int | None]:
    """The example's hash and, for prompt/completion examples, its label's hash."""
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


def _stratify(part: Partition, stratify: bool | None) -> bool:
    n = len(part.hashes)
    all_completion = part.completion_examples == n
    if stratify is True and not all_completion:
        raise UsageError("Stratifying needs prompt/completion data: every example's completion is its label.")
    if stratify is not None:
        return stratify
    labels = len(set(part.group_label.values()))
    return all_completion and labels >= 2 and labels * CLASSIFICATION_THRESHOLD < n


def _order_key(seed: int, value: int) -> bytes:
    return hashlib.blake2b(value.to_bytes(8, "little"), digest_size=16, key=str(seed).encode()[:64]).digest()


def _choose(part: Partition, target: int, seed: int) -> set[int]:
    """The groups that go to validation."""
    order = sorted(part.sizes, key=lambda h: (_order_key(seed, h), h))
    if not part.stratified:
        return _take(order, part.sizes, target)
    by_label: dict[int, list[int]] = {}
    for h in order:
        by_label.setdefault(part.group_label[h], []).append(h)
    quotas = _quotas({lab: sum(part.sizes[h] for h in gs) for lab, gs in by_label.items()}, target, seed)
    chosen: set[int] = set()
    for label, groups in by_label.items():
        if quotas[label]:
            chosen |= _take(groups, part.sizes, quotas[label], fallback=False)
    return chosen or _take(order, part.sizes, target)


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
