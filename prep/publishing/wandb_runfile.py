"""Reading an offline W&B run's transaction log (``run-<id>.wandb``) back: did an artifact reach it?

Offline, ``run.log_artifact`` returns before wandb-core has written the
artifact's record, and records reach the file only as the run finishes, so a
publish killed in between would leave a ledger that says "logged" for an
artifact no ``wandb sync`` will ever upload. The publisher therefore records an
offline artifact as logged only once `holds_artifact` finds it in the run file.

The file is a LevelDB log (32 KiB blocks of CRC'd chunks) after a 7-byte W&B
header; each payload is a ``wandb.proto.wandb_internal_pb2.Record``
(shared/docs/wandb-artifacts.md §3.3). A truncated tail (a run still writing,
or killed) ends the reading, and what was complete before it counts.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["holds_artifact", "is_finished", "iter_records", "wait_for_artifacts"]

BLOCK = 32768
CHUNK_HEADER = 7  # crc32 (4), length (2), chunk type (1)
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
HEADER = struct.Struct("<4sHB")  # b":W&B", 0xBEE1, version 0


def check_header(data: bytes, path: Path) -> None:
    if len(data) < HEADER.size or HEADER.unpack_from(data) != (b":W&B", 0xBEE1, 0):
        raise ValueError(f"{path}: not a W&B transaction log")


def iter_chunks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(chunk type, chunk) pairs; stops at a truncated or damaged tail."""
    pos = CHUNK_HEADER
    while pos + CHUNK_HEADER <= len(data):
        left = BLOCK - pos % BLOCK
        if left < CHUNK_HEADER:  # block trailer padding
            pos += left
            continue
        crc, length, kind = struct.unpack_from("<IHB", data, pos)
        if kind == 0 and length == 0:  # zero fill up to the next block
            pos += left
            continue
        chunk = data[pos + CHUNK_HEADER : pos + CHUNK_HEADER + length]
        if len(chunk) < length or zlib.crc32(chunk, zlib.crc32(bytes([kind]))) != crc:
            return
        pos += CHUNK_HEADER + length
        yield kind, chunk


def iter_payloads(path: str | Path) -> Iterator[bytes]:
    """Whole record payloads, with FIRST + MIDDLE... + LAST chunks joined."""
    data = Path(path).read_bytes()
    check_header(data, Path(path))
    parts: list[bytes] = []
    for kind, chunk in iter_chunks(data):
        if kind == FULL:
            yield chunk
        elif kind == FIRST:
            parts = [chunk]
        elif kind == MIDDLE:
            parts.append(chunk)
        elif kind == LAST:
            yield b"".join([*parts, chunk])
            parts = []


def iter_records(path: str | Path) -> Iterator[Any]:
    """``wandb_internal_pb2.Record`` messages (typed Any: wandb star-imports them)."""
    from wandb.proto import wandb_internal_pb2 as pb

    for payload in iter_payloads(path):
        record = pb.Record()  # type: ignore[attr-defined]
        record.ParseFromString(payload)
        yield record


def is_finished(path: str | Path) -> bool:
    """Whether the log holds its ``exit`` record (the last one a finished run writes)."""
    try:
        return any(record.WhichOneof("record_type") == "exit" for record in iter_records(path))
    except (OSError, ValueError):
        return False


def holds_artifact(path: str | Path, name: str, digest: str) -> bool:
    """Whether the log holds the record of artifact ``name`` with this digest."""
    try:
        for record in iter_records(path):
            artifact = record.artifact if record.WhichOneof("record_type") == "artifact" else None
            if artifact is not None and artifact.name == name and artifact.digest == digest:
                return True
    except (OSError, ValueError):
        return False
    return False


def wait_for_artifacts(path: str | Path, artifacts: list[tuple[str, str]], timeout: float) -> list[bool]:
    """For each (name, digest), whether the log holds it, waiting up to ``timeout`` s for the run to finish."""
    deadline = time.monotonic() + timeout
    while not is_finished(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [holds_artifact(path, name, digest) for name, digest in artifacts]
