"""The ``prep`` command: click commands only, each a thin adapter over the library function of its name.

- `main`: the group, ``prep check``, ``prep convert``, ``prep schema`` and the
  exit-code mapping (`main`);
- `publishing`: ``prep split`` and ``prep publish``;
- `options`: options several commands share (``--config``, ``--isolated``).
"""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
