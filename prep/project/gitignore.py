"""What git ignores, as a folder walk sees it: ``.gitignore`` files read with pathspec.

The patterns of a path are those of every ``.gitignore`` from the repository's
root (the closest folder above holding ``.git``; without one, the folder
walked) down to the path's folder, plus ``.git/info/exclude``; as in git, the
deepest matching pattern decides, and ``!pattern`` takes a path back.
pathspec (a small pure-Python library, about 10 ms to import) is imported only
when a walked folder has a ``.gitignore``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["GitIgnore"]


class GitIgnore:
    """Answers "does git ignore this path?" for the paths below one folder."""

    def __init__(self, folder: Path) -> None:
        folder = folder.absolute()
        self.root = next((p for p in (folder, *folder.parents) if (p / ".git").exists()), folder)
        self._specs: dict[Path, Any] = {}
        info = self.root / ".git" / "info" / "exclude"
        self._info = _spec(info) if info.is_file() else None

    def ignored(self, path: Path, *, is_dir: bool = False) -> bool:
        """True when the deepest pattern that matches ``path`` (a file, or a folder with ``is_dir``) ignores it."""
        path = path.absolute()
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return False
        folders = [self.root, *(self.root / Path(*relative.parts[:i]) for i in range(1, len(relative.parts)))]
        decided: bool | None = _decide(self._info, relative, is_dir)
        for folder in folders:
            spec = self._spec_of(folder)
            if spec is not None:
                verdict = _decide(spec, path.relative_to(folder), is_dir)
                decided = decided if verdict is None else verdict
        return bool(decided)

    def _spec_of(self, folder: Path) -> Any:
        if folder not in self._specs:
            file = folder / ".gitignore"
            self._specs[folder] = _spec(file) if file.is_file() else None
        return self._specs[folder]


def _spec(file: Path) -> Any:
    import pathspec

    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _decide(spec: Any, relative: Path, is_dir: bool) -> bool | None:
    """True ignored, False taken back by ``!``, None when no pattern matches."""
    if spec is None:
        return None
    result = spec.check_file(relative.as_posix() + ("/" if is_dir else ""))
    return None if result.include is None else bool(result.include)
