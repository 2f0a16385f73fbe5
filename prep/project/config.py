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
lists add up, and ``severity`` tables (``severity = {P402 = "error"}``) merge
code by code. An unknown key or a value of the wrong type is a `ConfigError`
naming the file and the key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from ..reading.sources import is_url
from .globs import glob_regex
from .settings import SETTINGS, Parse, parse_globs, parse_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "BASELINE_NAME",
    "CONFIG_NAMES",
    "Config",
    "ConfigFinder",
    "Configs",
    "Override",
    "find_config",
    "load_config",
    "merge_settings",
]

#: File names searched in each folder, in order of precedence.
CONFIG_NAMES = ("prep.toml", "pyproject.toml")
#: The baseline file used when the configuration names none.
BASELINE_NAME = ".prep-baseline.json"

_TOP_ONLY = ("baseline", "exclude", "overrides")


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
    exclude: tuple[str, ...] = ()

    @property
    def root(self) -> Path:
        """The folder that relative paths and globs are relative to."""
        return self.path.parent

    def relative(self, file: str | os.PathLike[str]) -> str:
        """A path relative to the configuration's folder, with ``/`` (how globs see it)."""
        return Path(os.path.relpath(Path(file).absolute(), self.root)).as_posix()

    def excludes(self, path: str | os.PathLike[str]) -> bool:
        """True when a path, or a folder it is in, matches ``exclude`` (globs as in ``files``)."""
        if not self.exclude:
            return False
        parts = self.relative(path).split("/")
        if parts[0] == "..":
            return False
        folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
        return any(
            glob_regex(p).fullmatch("/".join(parts))
            or any(glob_regex(p).fullmatch(f) or glob_regex(p).fullmatch(f + "/") for f in folders)
            for p in self.exclude
        )

    @property
    def baseline_path(self) -> Path:
        return self.baseline or self.root / BASELINE_NAME

    def settings_for(self, file: str | os.PathLike[str]) -> dict[str, Any]:
        """The settings of one file: the top level, then each matching override in order.

        Keys are `CheckOptions` field names, plus ``strict``.
        """
        relative = self.relative(file)
        out = dict(self.settings)
        for override in self.overrides:
            if override.matches(relative):
                out = merge_settings(out, override.settings)
        return out


def merge_settings(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: ``ignore`` codes add up, ``severity`` tables merge code by code, the rest is replaced."""
    out = {**base, **top}
    ignore = frozenset(base.get("ignore", ())) | frozenset(top.get("ignore", ()))
    if ignore:
        out["ignore"] = ignore
    severity = {**dict(base.get("severity", ())), **dict(top.get("severity", ()))}
    if severity:
        out["severity"] = severity
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
        baseline=None if baseline is None else Path(_checked(parse_path, baseline, path, where, "baseline")),
        exclude=_checked(parse_globs, table["exclude"], path, where, "exclude") if "exclude" in table else (),
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


class Configs:
    """The configuration of each file of a run: ``config`` for every file, none when ``isolated``, else the closest."""

    def __init__(self, config: str | os.PathLike[str] | None = None, *, isolated: bool = False) -> None:
        if config is not None and isolated:
            raise UsageError(
                "--config and --isolated contradict each other (--config names the configuration to use, "
                "--isolated uses none); give one of the two."
            )
        self.isolated = isolated
        self.forced = load_config(config) if config is not None and not isolated else None
        self._finder = ConfigFinder()

    def __call__(self, path: str | os.PathLike[str]) -> Config | None:
        if self.isolated:
            return None
        return self.forced or self._finder.config_for(path)

    def excludes(self, path: str | os.PathLike[str]) -> bool:
        """True when the configuration of ``path`` excludes it."""
        config = self(path)
        return config is not None and config.excludes(path)


def _config_in(folder: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file() and (name != "pyproject.toml" or _read_table(candidate) is not None):
            return candidate
    return None
