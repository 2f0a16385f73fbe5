"""The CI reporters on hand-built reports: GitHub workflow annotations and SARIF."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest

from prep.issues import Issue, Severity
from prep.reports.report import FileReport, Report
from prep.reports.reporters import REPORTERS, format_annotation

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def file_report(path, issues, examples=12):
    severities = Counter(i.severity for i in issues)
    return FileReport(
        path, examples=examples, issues=issues, codes=Counter(i.code for i in issues), severities=severities
    )


def render(name, report, **kw):
    out = io.StringIO()
    REPORTERS[name](report, out, **kw)
    return out.getvalue()


@pytest.mark.parametrize(
    ("issue", "expected"),
    [
        (
            Issue("P201", E, "Message has no role.", 3, "/messages/1/role", "data/train.jsonl"),
            "::error file=data/train.jsonl,line=3,title=prep P201::P201 Message has no role. (/messages/1/role)",
        ),
        (
            Issue("P402", W, "File has 12 examples; 50 or more are recommended.", None, "", "train.jsonl"),
            "::warning file=train.jsonl,title=prep P402::P402 File has 12 examples; 50 or more are recommended.",
        ),
        (
            Issue("P303", INFO, "Token limits were not checked (--no-tokens).", None, "", "a.jsonl"),
            "::notice file=a.jsonl,title=prep P303::P303 Token limits were not checked (--no-tokens).",
        ),
        # data escapes %, CR and LF; properties also escape : and ,
        (
            Issue("P106", E, "Invalid JSON: 100% wrong\r\nhere: {x}", 7, "", "dir,1/a:b.jsonl"),
            "::error file=dir%2C1/a%3Ab.jsonl,line=7,title=prep P106::P106 Invalid JSON: 100%25 wrong%0D%0Ahere: {x}",
        ),
        (
            Issue("P205", E, "content is null.", 4, "/messages/0/content", "t.xlsx", column="B", sheet="Sheet1"),
            "::error file=t.xlsx,line=4,title=prep P205::P205 content is null. "
            "(sheet Sheet1, column B, /messages/0/content)",
        ),
        (
            Issue("P204", E, "No assistant.", 1, "/messages", None),
            "::error line=1,title=prep P204::P204 No assistant. (/messages)",
        ),
    ],
)
def test_annotations(issue, expected):
    assert format_annotation(issue) == expected


def test_github_report_is_annotations_then_the_summary():
    bad = file_report(
        "data/bad.jsonl",
        [
            Issue("P402", W, "File has 12 examples; 50 or more are recommended.", None, "", "data/bad.jsonl"),
            Issue("P201", E, "Message has no role.", 3, "/messages/1/role", "data/bad.jsonl"),
        ],
    )
    ok = file_report("data/good.jsonl", [], examples=60)
    out = render("github", Report([bad, ok]))
    assert out.splitlines() == [
        "::warning file=data/bad.jsonl,title=prep P402::P402 File has 12 examples; 50 or more are recommended.",
        "::error file=data/bad.jsonl,line=3,title=prep P201::P201 Message has no role. (/messages/1/role)",
        "data/bad.jsonl: unknown format, 12 example(s), 1 error(s), 1 warning(s)",
        "data/good.jsonl: unknown format, 60 example(s), ok, 0 warning(s)",
        "FAILED: 2 file(s), 1 error(s), 1 warning(s)",
    ]


def test_github_report_respects_max_issues():
    issues = [Issue("P201", E, "No role.", n, "", "a.jsonl") for n in range(1, 6)]
    out = render("github", Report([file_report("a.jsonl", issues)]), max_issues=2)
    assert [line for line in out.splitlines() if line.startswith("::")] == [
        "::error file=a.jsonl,line=1,title=prep P201::P201 No role.",
        "::error file=a.jsonl,line=2,title=prep P201::P201 No role.",
    ]
    assert "a.jsonl: … 3 more issue(s) not shown" in out
    assert out.endswith("FAILED: 1 file(s), 5 error(s), 0 warning(s)\n")


def test_sarif_log():
    issues = [
        Issue("P201", E, "Message has no role.", 3, "/messages/1/role", "data/my train.jsonl", fingerprint="00ff"),
        Issue("P402", W, "File has 12 examples.", None, "", "data/my train.jsonl"),
        Issue("P201", E, "Message has no role.", 9, "/messages/0/role", "/abs/b.jsonl"),
    ]
    log = json.loads(render("sarif", Report([file_report("data/my train.jsonl", issues)])))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "prep"
    assert run["tool"]["driver"]["rules"] == [
        {
            "id": "P201",
            "shortDescription": {"text": "Message has no role."},
            "defaultConfiguration": {"level": "error"},
        },
        {
            "id": "P402",
            "shortDescription": {"text": "Fewer examples than recommended."},
            "defaultConfiguration": {"level": "warning"},
        },
    ]
    first, whole_file, absolute = run["results"]
    assert first == {
        "ruleId": "P201",
        "ruleIndex": 0,
        "level": "error",
        "message": {"text": "Message has no role."},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": "data/my%20train.jsonl"}, "region": {"startLine": 3}}}
        ],
        "partialFingerprints": {"prepLineContent/v1": "00ff"},
        "properties": {"pointer": "/messages/1/role"},
    }
    assert whole_file["ruleIndex"] == 1 and whole_file["level"] == "warning"
    assert "region" not in whole_file["locations"][0]["physicalLocation"]
    assert absolute["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "file:///abs/b.jsonl"


def test_empty_sarif_log_is_valid():
    log = json.loads(render("sarif", Report([file_report("a.jsonl", [])])))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_github_annotates_ten_of_each_level_and_lists_the_rest_with_a_closing_notice():
    issues = [Issue("P201", E, "No role.", n, "", "a.jsonl") for n in range(1, 14)]
    issues += [Issue("P403", W, "Duplicate.", n, "", "a.jsonl") for n in range(20, 31)]
    issues += [Issue("P459", INFO, "Classification.", None, "", "a.jsonl")]
    lines = render("github", Report([file_report("a.jsonl", issues)])).splitlines()
    annotated = [line for line in lines if line.startswith("::")]
    assert sum(line.startswith("::error ") for line in annotated) == 10
    assert sum(line.startswith("::warning ") for line in annotated) == 10
    assert "a.jsonl:11: P201 No role." in lines and "a.jsonl:30: P403 Duplicate." in lines  # still in the log
    assert annotated[-1] == (
        "::notice title=prep::3 error(s), 1 warning(s) not annotated: GitHub shows 10 annotations of each level "
        "per step; this log lists every issue."
    )
    assert lines[-1] == "FAILED: 1 file(s), 13 error(s), 11 warning(s)"


def test_github_under_the_cap_has_no_closing_notice():
    issues = [Issue("P201", E, "No role.", n, "", "a.jsonl") for n in range(1, 11)]
    out = render("github", Report([file_report("a.jsonl", issues)]))
    assert out.count("::error ") == 10 and "::notice" not in out
