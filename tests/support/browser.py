"""Debian's headless Chromium for the HTML report's tests: a screenshot and the DOM after parsing.

`CHROMIUM` is None when it is not installed (``.ci/run`` installs it; the tests that need it skip
with that reason). Flags as the machine notes give them: no sandbox as root, no GPU, no background
networking (this machine's closed network refuses it), a fresh profile each time. `keep` copies what
a test rendered into ``$PREP_TEST_ARTIFACTS`` when that is set (``.ci/run`` sets it to
``test-artifacts/``, for CI to upload); it stays in the test's temporary folder too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["CHROMIUM", "data_keys", "dump_dom", "keep", "screenshot"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def _run(page: Path, profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def screenshot(page: Path, out: Path, *, width: int = 1280, height: int = 2400) -> Path:
    """Render ``page`` and save the top ``width`` x ``height`` pixels as a PNG at ``out``."""
    _run(page, out.parent / "chromium-profile-shot", f"--window-size={width},{height}", f"--screenshot={out}")
    return out


def keep(path: Path, name: str) -> Path:
    """``path`` copied as ``name`` into ``$PREP_TEST_ARTIFACTS`` (made if missing) when set; the path to look at."""
    folder = os.environ.get("PREP_TEST_ARTIFACTS")
    if not folder:
        return path
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(path, Path(folder) / name))


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of ``page`` as Chromium built it, serialized."""
    return _run(page, profile, "--dump-dom")


class _Keys(HTMLParser):
    """The text of every element with a ``data-key`` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._open.append((tag, found.get("data-key")))
        for name in ("src", "href"):
            if found.get(name) is not None:
                self.links.append(str(found[name]))
        if found.get("data-key") is not None:
            self.found[str(found["data-key"])] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, key in self._open:
            if key is not None:
                self.found[key] += data


def data_keys(html: str) -> tuple[dict[str, str], list[str]]:
    """The text of each ``data-key`` element, and every src/href of the page."""
    parser = _Keys()
    parser.feed(html)
    return parser.found, parser.links
