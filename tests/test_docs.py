"""The README stays true: every issue code documented, the CI runs its test command, every public name exported."""

from __future__ import annotations

import re
import types

import prep
from prep.issues import CODES
from tests.helpers import REPO

README = (REPO / "README.md").read_text()


def test_every_issue_code_is_in_the_readme_table():
    rows = dict(re.findall(r"^\| `(P\d{3})` \| \w+ \| (.+) \|$", README, re.M))
    assert set(rows) == set(CODES)
    for code, info in CODES.items():
        assert rows[code] == info.summary, code


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    command = re.search(r"^python3 -m venv \.venv && .*pytest.*$", README, re.M)
    assert command, "README lost its test command"
    assert command.group(0).replace("-e '.[test]'", "") in ci.replace("-e '.[test]'", "").replace(
        ".venv/bin/pip install -q --upgrade pip && ", ""
    )


def test_public_api_is_explicit_sorted_and_complete():
    public = {
        name
        for name, value in vars(prep).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert prep.__all__ == sorted(prep.__all__)
    assert set(prep.__all__) - {"__version__"} == public
