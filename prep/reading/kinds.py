"""Which files hold data: the types a folder walk takes, and JSON that configures a tool instead.

A folder holds more than data: ``package.json``, a trainer's ``trainer_state.json``,
editor settings. `is_configuration` tells such JSON from data without reading
it as a table: by a well-known name, or by its content, a top-level object that
is not itself an example and holds no array of objects (a data file is an
array of objects, an object holding one, JSON Lines, or one example).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..records.values import loads
from .detect import vote
from .files import EXTENSIONS, detect_file_type
from .table import FileType

__all__ = ["FOLDER_EXTENSIONS", "is_configuration", "is_configuration_name"]

#: Extensions a folder walk takes: every type prep reads except .txt, which is read only when named.
FOLDER_EXTENSIONS = frozenset(EXTENSIONS)

#: JSON files that configure a tool, by name (any case): npm, TypeScript, Composer, trainers' *_state.json,
#: JSON Schemas. The pre-commit hook's exclude pattern (.pre-commit-hooks.yaml) names the same files.
_CONFIG_NAME = re.compile(r"(?i)(package(-lock)?|composer|[jt]sconfig.*|.*_state|.*\.schema)\.json")
#: Larger JSON objects are judged by their first bytes only.
_PARSE_BYTES = 8 * 1024 * 1024
_HEAD_BYTES = 64 * 1024
_ARRAY_OF_OBJECTS = re.compile(r"\[\s*\{")


def is_configuration_name(path: str | os.PathLike[str]) -> bool:
    """True for the name of a well-known configuration JSON file (``package.json``, ``tsconfig.app.json``...)."""
    return _CONFIG_NAME.fullmatch(Path(path).name) is not None


def is_configuration(path: str | os.PathLike[str]) -> bool:
    """True when a ``.json`` file configures a tool rather than holding examples.

    By name (`is_configuration_name`), or by content: a top-level JSON object
    that is not one example and whose values hold no array of objects. A file
    that does not parse (JSON with comments, as tsconfig allows) is judged by
    whether an array of objects starts in its first 64 KiB.
    """
    path = Path(path)
    if is_configuration_name(path):
        return True
    if path.suffix.lower() != ".json" or detect_file_type(path) is not FileType.JSON:
        return False
    try:
        with path.open("rb") as fp:
            head = fp.read(_PARSE_BYTES + 1)
    except OSError:
        return False
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if not text.startswith("{"):
        return False
    value = _parsed(text) if len(head) <= _PARSE_BYTES else None
    if value is None:
        return _ARRAY_OF_OBJECTS.search(text[:_HEAD_BYTES]) is None
    return isinstance(value, dict) and vote(value) is None and not any(_objects(v) for v in value.values())


def _parsed(text: str) -> Any:
    try:
        return loads(text)
    except ValueError:
        return None


def _objects(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value[:10])
