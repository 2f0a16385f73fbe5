"""The README stays true: every issue code documented, the CI runs its test command, every public name exported."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

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
    assert prep.__all__ == sorted(prep.__all__)
    assert set(prep.__all__) - {"__version__"} == set(prep._HOME)
    for name in prep.__all__:
        assert getattr(prep, name) is not None, name


def test_each_public_name_is_imported_lazily_from_the_module_type_checkers_see():
    """`prep._HOME` (what runs) and the TYPE_CHECKING imports of prep/__init__.py (what mypy reads) agree."""
    tree = ast.parse((REPO / "prep" / "__init__.py").read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    imported = {
        alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert imported == prep._HOME
    code = "import sys, prep; prep.check; print(sorted(m for m in sys.modules if m.startswith('prep.publishing')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"  # checking imports nothing of publishing
