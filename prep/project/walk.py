"""Which files a run checks: the paths given, each folder replaced by the data files below it.

A folder walk takes the files of the types prep reads (`FOLDER_EXTENSIONS`:
not ``.txt``, which is read only when named) and leaves out what is not
fine-tuning data:

- hidden files and folders (``.git/``, prep's own ``.prep/``, ``.vscode/``...),
  W&B's ``wandb/`` run folders, ``node_modules/``, ``__pycache__/`` and
  virtual environments (a folder holding ``pyvenv.cfg``);
- whatever git ignores (`GitIgnore`);
- what the project configuration's ``exclude`` names;
- configuration JSON (`prep.reading.kinds.is_configuration`).

A URL (``s3://bucket/data/*.jsonl``, ``s3://bucket/data/``) stands for the
files its glob matches or the data files below it (`prep.reading.sources`).
A path named is read whatever its name, unless the configuration excludes it
(so the pre-commit hook, which names the staged files, skips it too). A path
that does not exist, or a folder with no data file below it, is an
`InputError`: one sentence, exit 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..reading.kinds import FOLDER_EXTENSIONS, is_configuration
from ..reading.sources import expand_url, is_url
from .config import Configs
from .gitignore import GitIgnore

__all__ = ["SKIPPED_FOLDERS", "DataFile", "Selection", "select_files"]

#: The data files a URL folder stands for (compressed ones too: ``train.jsonl.gz``).
_URL_EXTENSIONS = tuple(sorted(FOLDER_EXTENSIONS))
#: Folders never walked (besides hidden ones and virtual environments).
SKIPPED_FOLDERS = frozenset({"wandb", "node_modules", "__pycache__"})


@dataclass(frozen=True)
class DataFile:
    """A file to check; ``found`` when it was found in a folder rather than named."""

    path: str
    found: bool = False


@dataclass
class Selection:
    """The files to check, in order, and the named files the configuration excludes."""

    files: list[DataFile] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


def select_files(paths: Sequence[str | os.PathLike[str]], configs: Configs | None = None) -> Selection:
    """The files to check: each path named, then each folder's data files (sorted) not named or found before."""
    configs = configs or Configs(isolated=True)
    out = Selection()
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if is_url(os.fspath(given)):
            found = [DataFile(url, found=url != given) for url in expand_url(os.fspath(given), _URL_EXTENSIONS)]
        elif path.is_dir():
            found = [DataFile(p, True) for p in _walk(path, configs)]
            if not found:
                raise InputError(_empty(path))
        elif not path.exists():
            raise InputError(f"Cannot read {os.fspath(given)!r}: no such file.")
        elif configs.excludes(path):
            out.excluded.append(os.fspath(given))
            continue
        else:
            found = [DataFile(os.fspath(given))]
        out.files += [f for f in found if not (f.found and f.path in seen)]
        seen.update(f.path for f in found)
    return out


def _walk(folder: Path, configs: Configs) -> list[str]:
    ignore = GitIgnore(folder)
    found = []
    for top, dirs, files in os.walk(folder):
        here = Path(top)
        dirs[:] = sorted(d for d in dirs if _walks_into(here / d, ignore, configs))
        found += [str(here / f) for f in files if _takes(here / f, ignore, configs)]
    return sorted(found)


def _walks_into(folder: Path, ignore: GitIgnore, configs: Configs) -> bool:
    name = folder.name
    if name.startswith(".") or name in SKIPPED_FOLDERS or (folder / "pyvenv.cfg").is_file():
        return False
    return not ignore.ignored(folder, is_dir=True) and not configs.excludes(folder)


def _takes(file: Path, ignore: GitIgnore, configs: Configs) -> bool:
    if file.name.startswith(".") or file.suffix.lower() not in FOLDER_EXTENSIONS or not file.is_file():
        return False
    if ignore.ignored(file) or configs.excludes(file):
        return False
    return not is_configuration(file)


def _empty(folder: Path) -> str:
    kinds = ", ".join(sorted(FOLDER_EXTENSIONS))
    return (
        f"No data file in {os.fspath(folder)}: a folder stands for the {kinds} files below it, leaving out hidden "
        "folders, wandb/, what .gitignore or the configuration's exclude names, and configuration JSON; "
        "name a file to check it anyway."
    )
