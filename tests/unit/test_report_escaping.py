"""Reports cannot be forged: what comes from data or file names is escaped in every reporter."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prep.issues import Issue, Severity
from prep.reports.escape import json_safe, visible
from prep.reports.report import FileReport, Report
from prep.reports.reporters import REPORTERS
from tests.helpers import chat

FORGED = "a\n::error file=README.md,line=1::forged"


def render(name: str, report: Report) -> str:
    out = io.StringIO()
    REPORTERS[name](report, out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain é 🙂", "plain é 🙂"),
        ("two\nlines\r", "two\\nlines\\r"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        (os.fsdecode(b"not-utf8-\xff"), "not-utf8-\\xff"),
        ("bidi \u202e override, line \u2028 separator", "bidi \\u202e override, line \\u2028 separator"),
        ("tab\there", "tab\\there"),
    ],
)
def test_visible(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert "\n" not in visible(text) and visible(text).encode("utf-8")


def test_json_safe_keeps_strings_writable() -> None:
    assert json_safe({"k\ud800": ["\udcff", 1, None]}) == {"k\\ud800": ["\\xff", 1, None]}


def test_a_file_name_with_a_newline_forges_no_github_annotation(tmp_path: Path) -> None:
    report = Report([FileReport(FORGED, examples=1, issues=[])])
    out = render("github", report)
    assert [line for line in out.splitlines() if line.startswith("::")] == []
    assert (
        out.splitlines()[0]
        == "a\\n::error file=README.md,line=1::forged: unknown format, 1 example(s), ok, 0 warning(s)"
    )


def test_a_file_name_that_is_a_github_command_is_not_one() -> None:
    report = Report([FileReport("::error::forged.jsonl", examples=1, issues=[])])
    out = render("github", report)
    assert out.splitlines()[0].startswith("./::error::forged.jsonl: ")


def test_annotations_keep_one_line_each() -> None:
    issue = Issue("P110", Severity.ERROR, "Unknown key 'x\n::warning::y\x1b[2J'.", 3, "/x\n", FORGED)
    out = render("github", Report([FileReport(FORGED, examples=1, issues=[issue])]))
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=a\\n%3A%3Aerror file=README.md%2Cline=1%3A%3Aforged,line=3,title=prep P110::"
        "P110 Unknown key 'x%0A::warning::y\\x1b[2J'. (/x\\n)"
    ]


def test_keys_with_newlines_and_escapes_forge_no_text_report_line(run_prep, write_jsonl) -> None:
    row = {**chat(), "x\nforged.jsonl:1: P999 Forged issue\x1b[2J": 1}
    path = write_jsonl([row] * 3)

    code, out, _ = run_prep("check", path, "--no-tokens", "--isolated")

    assert code == 1
    issue_lines = [line for line in out.splitlines() if line.startswith(f"{path}:")]
    assert all(line.startswith(f"{path}:") for line in out.splitlines() if ": P" in line)
    assert "\x1b" not in out and not any(line.startswith("forged.jsonl") for line in out.splitlines())
    assert any("x\\nforged.jsonl:1: P999 Forged issue\\x1b[2J" in line for line in issue_lines)


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "github"])
def test_a_file_name_that_is_not_utf8_is_reported(tmp_path: Path, fmt: str) -> None:
    name = os.fsdecode(b"bad-\xff\xfe.jsonl")
    path = tmp_path / name
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")

    done = subprocess.run(
        [sys.executable, "-m", "prep", "check", "--isolated", "--no-tokens", "--format", fmt, os.fsencode(path)],
        capture_output=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr
    text = done.stdout.decode("utf-8")  # valid UTF-8, whatever the file name
    if fmt == "text":
        assert f"{tmp_path}/bad-\\xff\\xfe.jsonl:1: P204" in text
    if fmt == "github":
        assert f"::error file={tmp_path}/bad-\\xff\\xfe.jsonl,line=1,title=prep P204::P204" in text
    if fmt == "json":
        assert json.loads(text)["files"][0]["path"] == f"{tmp_path}/bad-\\xff\\xfe.jsonl"
    if fmt == "sarif":
        [result, *_] = json.loads(text)["runs"][0]["results"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("bad-%FF%FE.jsonl")
