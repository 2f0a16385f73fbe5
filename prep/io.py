"""Writing outputs safely: a temporary file in the same folder, then a rename.

The temporary file is named ``.<name>.prep-<process id>-<random>.tmp``. A run
that was killed while writing leaves it behind; the next write of the same
output removes the ones whose process no longer runs (`clean_stale`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .errors import InputError

__all__ = ["atomic_write_text", "atomic_writer", "clean_stale", "process_alive"]

_TEMP = re.compile(r"\.prep-(\d+)-[^.]*\.tmp$")


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (unknown counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the temporary files of earlier writes of ``target`` whose process is gone; the ones removed."""
    removed = []
    for name in glob.glob(f".{glob.escape(target.name)}.prep-*.tmp", root_dir=target.parent):
        match = _TEMP.search(name)
        if match and not process_alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()
                removed.append(target.parent / name)
    return removed


@contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Open a binary temporary file beside ``path``; rename it over ``path`` on success.

    On an exception the temporary file is removed and ``path`` is untouched. A
    folder that cannot be written is an `InputError` (one sentence).
    """
    target = Path(path)
    clean_stale(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.prep-{os.getpid()}-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    try:
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "wb") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise InputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 minus the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_writer(path) as fp:
        fp.write(text.encode("utf-8"))
    return Path(path)
