"""The README's notebook session runs as written: check a DataFrame, read the issues as a DataFrame, split in memory."""

from __future__ import annotations

import doctest
import re

from tests.helpers import REPO

README = (REPO / "README.md").read_text()
SECTION = README[README.index("## Use as a library\n") : README.index("\n## What is checked")]


def test_the_notebook_session_in_the_readme_runs(tmp_path, monkeypatch):
    (session,) = re.findall(r"^```pycon\n(.*?)^```", SECTION, re.M | re.S)
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(session, {}, "README.md: Use as a library", "README.md", 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    failures = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)
    assert list(tmp_path.iterdir()) == []  # split in memory: nothing written
