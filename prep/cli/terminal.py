"""The terminal the command writes to: colour or not, any encoding, and a reader that stops reading.

- `use_color`: colour by severity on a terminal; never when piped or written to
  a file, unless ``FORCE_COLOR`` is set; never when ``NO_COLOR`` is set
  (https://no-color.org).
- `safe_streams`: a character the terminal's encoding cannot show is written
  as a backslash escape instead of stopping the report (a cp1252 console, a
  ``PYTHONIOENCODING=ascii`` pipe, a lone surrogate in the data).
- `until_pipe_closes`: ``prep check ... | head`` stops writing when ``head``
  has read enough, and exits with the status of the check, quietly.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import TextIO

__all__ = ["safe_streams", "silence_stdout", "until_pipe_closes", "use_color"]


def use_color(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream``: NO_COLOR wins, then FORCE_COLOR, then "is it a terminal"."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR") not in (None, "", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def safe_streams() -> None:
    """Make stdout and stderr write what their encoding cannot hold as backslash escapes, never raise."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "surrogateescape"):
            stream.reconfigure(errors="backslashreplace")


def silence_stdout() -> None:
    """Point stdout at the null device, so that nothing more is written to a closed pipe (not even at exit)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture): nothing to do
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def until_pipe_closes(write: Callable[[], object], status: int) -> None:
    """Run ``write``; when the reader closes the pipe, stop quietly and exit with ``status`` (the check's)."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        sys.exit(status)
