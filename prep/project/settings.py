"""The keys of a configuration file: which option each sets, and how its value is checked.

Each parser takes the value found in the file and the configuration's folder
(paths are relative to it) and returns the value of the option, or raises
`TypeError` whose text completes "must be ..." (`prep.project.config` turns it
into a `ConfigError` naming the file and the key).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..issues import CODES, Severity
from ..reading.table import FileType
from ..targets.profile import DataFormat, Method

__all__ = ["SETTINGS", "Parse", "parse_globs", "parse_path"]

Parse = Callable[[Any, Path], Any]


def _str(value: Any, root: Path) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("a non-empty string")
    return value


def _bool(value: Any, root: Path) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _int_range(low: int, high: int | None = None) -> Parse:
    def parse(value: Any, root: Path) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            raise TypeError(f"an integer from {low}" + (f" to {high}" if high else " up"))
        return value

    return parse


def _choice(kind: type[Method] | type[DataFormat] | type[FileType]) -> Parse:
    def parse(value: Any, root: Path) -> Any:
        try:
            return kind(value)
        except (ValueError, UsageError):
            raise TypeError("one of " + ", ".join(repr(k.value) for k in kind)) from None

    return parse


def parse_path(value: Any, root: Path) -> str:
    return str(root / _str(value, root))


def _target(value: Any, root: Path) -> str:
    """One profile or several: a name, a .toml path (relative to the file), "a,b", or a list of them."""
    names = value if isinstance(value, list) else _str(value, root).split(",")
    names = [_str(name, root).strip() for name in names]
    return ",".join(parse_path(n, root) if n.endswith(".toml") else n for n in names)


def _tokenizer(value: Any, root: Path) -> str:
    """``hf:ORG/NAME``, ``mistral:NAME`` and ``harmony`` as they are; a folder relative to the file."""
    text = _str(value, root)
    if text == "harmony" or text.startswith(("hf:", "mistral:")):
        return text
    return parse_path(text, root)


def _codes(value: Any, root: Path) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise TypeError('a list of issue codes such as ["P402"] (or prefixes, such as "P4")')
    codes = frozenset(c.strip().upper() for c in value)
    unknown = sorted(c for c in codes if not any(known.startswith(c) for known in CODES))
    if unknown:
        raise TypeError(f"a list of known issue codes or prefixes ({', '.join(unknown)} is not one)")
    return codes


def _severities(value: Any, root: Path) -> dict[str, Severity]:
    levels = ", ".join(repr(s.value) for s in Severity)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise TypeError(f'a table of code = severity, such as {{P402 = "error"}} (severities: {levels})')
    unknown = sorted(c for c in value if c.upper() not in CODES)
    if unknown:
        raise TypeError(f"a table whose keys are issue codes ({', '.join(unknown)} is not one)")
    try:
        return {code.upper(): Severity(level) for code, level in value.items()}
    except UsageError:
        raise TypeError(f"a table whose values are severities ({levels})") from None


def _mapping(value: Any, root: Path) -> tuple[tuple[str, str], ...]:
    from ..conversion.mapping import FIELDS

    if not isinstance(value, dict) or not all(isinstance(f, str) for f in value.values()):
        raise TypeError('a table of column = field, such as {"Customer message" = "user"}')
    unknown = sorted(set(value.values()) - set(FIELDS) - {"instruction", "output", "-"})
    if unknown:
        raise TypeError(f"a table whose fields are among {', '.join(FIELDS)} ({', '.join(unknown)} is not one)")
    return tuple(value.items())


#: Config key -> (CheckOptions field, "strict", or "table.<TableOptions field>"; parser of its value).
SETTINGS: dict[str, tuple[str, Parse]] = {
    "target": ("target", _target),
    "method": ("method", _choice(Method)),
    "data-format": ("data_format", _choice(DataFormat)),
    "model": ("model", _str),
    "encoding": ("encoding", _str),
    "token-limit": ("token_limit", _int_range(1)),
    "tokenizer": ("tokenizer", _tokenizer),
    "chat-template": ("chat_template", parse_path),
    "max-seq-length": ("max_seq_length", _int_range(1)),
    "allow-download": ("allow_download", _bool),
    "tokens": ("tokens", _bool),
    "stats": ("stats", _bool),
    "secrets": ("secrets", _bool),
    "tiktoken-dir": ("tiktoken_dir", parse_path),
    "epochs": ("epochs", _int_range(1, 50)),
    "max-line-bytes": ("max_line_bytes", _int_range(1)),
    "ignore": ("ignore", _codes),
    "select": ("select", _codes),
    "severity": ("severity", _severities),
    "jobs": ("jobs", _int_range(1)),
    "dask": ("dask", _str),
    "strict": ("strict", _bool),
    "sheet": ("table.sheet", _str),
    "map": ("table.mapping", _mapping),
    "system": ("table.system", _str),
    "file-type": ("table.file_type", _choice(FileType)),
    "input-encoding": ("table.input_encoding", _str),
    "header": ("table.header", _bool),
}


def parse_globs(value: Any, root: Path) -> tuple[str, ...]:
    """A glob or a list of globs (relative to the configuration's folder)."""
    if isinstance(value, str):
        value = [value]
    if not value or not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
        raise TypeError(f"a glob or a list of globs, relative to {root}")
    return tuple(value)
