"""Project configuration: ``prep.toml``, or ``[tool.prep]`` in ``pyproject.toml``.

Found the way ruff finds its configuration: for each checked file, prep walks up
from the file's folder to the filesystem root and takes the *closest* folder
holding a ``prep.toml`` (which wins within a folder) or a ``pyproject.toml``
with a ``[tool.prep]`` table (a ``pyproject.toml`` without one is skipped). The
closest file is used alone; parent configurations are not merged into it. A
``.git`` folder does not stop the walk, as in ruff.

Keys are the long names of ``prep check``'s options (kebab-case)::

    [tool.prep]
    model = "gpt-4o-mini-2024-07-18"
    strict = true
    ignore = ["P402"]

    [[tool.prep.overrides]]
    files = ["legacy/*.jsonl"]
    model = "gpt-3.5-turbo-0613"
    data-format = "chat"

Paths in the file (``target`` profiles, ``tiktoken-dir``, ``baseline``) and the
``files`` globs of overrides are relative to the folder of the configuration
file. Every matching override applies, in order, the later winning; ``ignore``
lists add up. An unknown key or a value of the wrong type is a `ConfigError`
naming the file and the key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..issues import CODES
from ..reading.sources import is_url
from ..reading.table import FileType
from ..targets.profile import DataFormat, Method
from .globs import glob_regex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["BASELINE_NAME", "CONFIG_NAMES", "Config", "ConfigFinder", "Override", "find_config", "load_config"]

#: File names searched in each folder, in order of precedence.
CONFIG_NAMES = ("prep.toml", "pyproject.toml")
#: The baseline file used when the configuration names none.
BASELINE_NAME = ".prep-baseline.json"

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
        except ValueError:
            raise TypeError("one of " + ", ".join(repr(k.value) for k in kind)) from None

    return parse


def _path(value: Any, root: Path) -> str:
    return str(root / _str(value, root))


def _target(value: Any, root: Path) -> str:
    name = _str(value, root)
    return _path(name, root) if name.endswith(".toml") else name


def _codes(value: Any, root: Path) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise TypeError('a list of issue codes such as ["P402"]')
    codes = frozenset(c.upper() for c in value)
    unknown = sorted(codes - set(CODES))
    if unknown:
        raise TypeError(f"a list of known issue codes ({', '.join(unknown)} is not one)")
    return codes


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
    "tokens": ("tokens", _bool),
    "stats": ("stats", _bool),
    "tiktoken-dir": ("tiktoken_dir", _path),
    "epochs": ("epochs", _int_range(1, 50)),
    "max-line-bytes": ("max_line_bytes", _int_range(1)),
    "ignore": ("ignore", _codes),
    "jobs": ("jobs", _int_range(1)),
    "dask": ("dask", _str),
    "strict": ("strict", _bool),
    "sheet": ("table.sheet", _str),
    "map": ("table.mapping", _mapping),
    "system": ("table.system", _str),
    "file-type": ("table.file_type", _choice(FileType)),
    "input-encoding": ("table.input_encoding", _str),
}
_TOP_ONLY = ("baseline", "overrides")


@dataclass(frozen=True)
class Override:
    """Settings for the files that match any of ``patterns`` (globs relative to the config's folder)."""

    patterns: tuple[str, ...]
    settings: Mapping[str, Any]

    def matches(self, relative: str) -> bool:
        return any(glob_regex(p).fullmatch(relative) for p in self.patterns)


@dataclass(frozen=True)
class Config:
    """One configuration file, parsed and checked."""

    path: Path
    settings: Mapping[str, Any] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    baseline: Path | None = None

    @property
    def root(self) -> Path:
        """The folder that relative paths and globs are relative to."""
        return self.path.parent

    @property
    def baseline_path(self) -> Path:
        return self.baseline or self.root / BASELINE_NAME

    def settings_for(self, file: str | os.PathLike[str]) -> dict[str, Any]:
        """The settings of one file: the top level, then each matching override in order.

        Keys are `CheckOptions` field names, plus ``strict``.
        """
        relative = Path(os.path.relpath(Path(file).absolute(), self.root)).as_posix()
        out = dict(self.settings)
        for override in self.overrides:
            if override.matches(relative):
                ignore = out.get("ignore", frozenset()) | override.settings.get("ignore", frozenset())
                out.update(override.settings)
                if ignore:
                    out["ignore"] = ignore
        return out


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read ``prep.toml`` (top-level keys) or ``pyproject.toml`` (its ``[tool.prep]`` table)."""
    path = Path(path).absolute()
    table = _read_table(path)
    if table is None:
        raise ConfigError(f"{path} has no [tool.prep] table.")
    where = "[tool.prep]" if path.name == "pyproject.toml" else "the top level"
    settings = _settings(table, path, where, _TOP_ONLY)
    overrides = table.get("overrides", [])
    if not isinstance(overrides, list) or not all(isinstance(o, dict) for o in overrides):
        raise ConfigError(f"{path}: overrides must be an array of tables ([[{_prefix(path)}overrides]]).")
    baseline = table.get("baseline")
    return Config(
        path=path,
        settings=settings,
        overrides=tuple(_override(o, path, i) for i, o in enumerate(overrides, 1)),
        baseline=None if baseline is None else Path(_checked(_path, baseline, path, where, "baseline")),
    )


def _prefix(path: Path) -> str:
    return "tool.prep." if path.name == "pyproject.toml" else ""


def _override(table: dict[str, Any], path: Path, index: int) -> Override:
    where = f"[[{_prefix(path)}overrides]] number {index}"
    files = table.get("files")
    if isinstance(files, str):
        files = [files]
    if not files or not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        raise ConfigError(f"{path}: {where} needs files = a glob or a list of globs, relative to {path.parent}.")
    return Override(tuple(files), _settings(table, path, where, ("files",)))


def _settings(table: dict[str, Any], path: Path, where: str, extra: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in extra:
            continue
        if key not in SETTINGS:
            raise ConfigError(f"{path}: unknown key {key!r} in {where}{_suggest(key, [*SETTINGS, *extra])}.")
        name, parse = SETTINGS[key]
        out[name] = _checked(parse, value, path, where, key)
    return out


def _checked(parse: Parse, value: Any, path: Path, where: str, key: str) -> Any:
    try:
        return parse(value, path.parent)
    except TypeError as exc:
        raise ConfigError(f"{path}: {key} in {where} must be {exc}, found {value!r}.") from None


def _suggest(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return "; known keys: " + ", ".join(sorted(known))


def _read_table(path: Path) -> dict[str, Any] | None:
    """The prep table of a config file, or None for a pyproject.toml without one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Configuration file {str(path)!r} does not exist.") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}.") from None
    if path.name != "pyproject.toml":
        return data
    table = data.get("tool", {}).get("prep")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.prep must be a table.")
    return table


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The closest configuration file for a file (or folder), walking up to the root."""
    return ConfigFinder().find(Path(start))


class ConfigFinder:
    """Finds and loads the configuration of many files, reading each folder once."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Config] = {}

    def find(self, start: Path) -> Path | None:
        start = start.absolute()
        folder = start if start.is_dir() else start.parent
        walked = []
        found: Path | None = None
        for current in (folder, *folder.parents):
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            walked.append(current)
            found = _config_in(current)
            if found is not None:
                break
        for current in walked:
            self._by_dir[current] = found
        return found

    def config_for(self, file: str | os.PathLike[str]) -> Config | None:
        """The configuration of a file: the closest to it; for a URL, the current folder's."""
        path = self.find(Path.cwd() if is_url(os.fspath(file)) else Path(file))
        if path is None:
            return None
        if path not in self._loaded:
            self._loaded[path] = load_config(path)
        return self._loaded[path]


def _config_in(folder: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file() and (name != "pyproject.toml" or _read_table(candidate) is not None):
            return candidate
    return None
