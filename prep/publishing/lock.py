"""One publish at a time per ledger: a lock file created with O_EXCL, and a rule for stale locks.

``<ledger>.lock`` holds the process id, the host and the time of the publish
that holds it. A second publish on the same ledger waits for it (saying so
once), and refuses after ``wait`` seconds with one sentence. A lock whose
process is gone (same host, no such process) is stale: it is removed and
taken. A lock from another host is never taken over: the sentence names the
file to delete once that publish is known to be gone. No fcntl or msvcrt:
creating a file with O_EXCL is atomic on every platform and file system
prep supports.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..io import process_alive

__all__ = ["ledger_lock"]

POLL = 0.2


def _holder_alive(holder: dict[str, Any]) -> bool:
    """Whether the process that wrote the lock may still run (unknown counts as alive)."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return True
    return process_alive(holder["pid"])


def _read(lock: Path) -> dict[str, Any] | None:
    """The lock's holder; None when the lock is gone; {} when it is being written or unreadable."""
    try:
        holder = json.loads(lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _try_create(lock: Path) -> bool:
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        json.dump(holder, fp)
    return True


def _break_if_stale(lock: Path, holder: dict[str, Any]) -> bool:
    """Remove a lock whose process is gone; True if it was removed."""
    if not holder or _holder_alive(holder):
        return False
    if _read(lock) == holder:  # still the same stale holder (not one that took it meanwhile)
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
    return True


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "another prep publish"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(holder.get("since", 0))))
    return f"another prep publish (process {holder.get('pid')} on {holder.get('host')}, since {since})"


@contextlib.contextmanager
def ledger_lock(ledger: Path, *, wait: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold ``<ledger>.lock`` for the block; wait up to ``wait`` seconds for another publish to end."""
    lock = ledger.with_name(ledger.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline, told = time.monotonic() + wait, False
    while not _try_create(lock):
        holder = _read(lock)
        if holder is None or _break_if_stale(lock, holder):
            continue
        if time.monotonic() >= deadline:
            raise PublishError(
                f"{_describe(holder)} is using the ledger {ledger}; run again when it has finished "
                f"(if it is gone, delete {lock})."
            )
        if not told:
            on_wait(f"waiting for {_describe(holder)} to finish with the ledger {ledger} (at most {wait:.0f} s)")
            told = True
        time.sleep(POLL)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
