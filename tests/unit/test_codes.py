"""Statistics per issue code: exact counts (over the kept-issue cap and across targets), the
JSON report's codes table, and --statistics in text."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import prep
from prep.issues import Issue, Severity
from prep.reports.codes import code_counts
from prep.reports.report import FileReport, Report
from prep.reports.reporters import report_dict, report_statistics
from tests.helpers import REPO, chat

E, W = Severity.ERROR, Severity.WARNING
BAD = REPO / "sample_data" / "chat_bad.jsonl"


def file_report(path, issues, codes=None):
    counted = codes or Counter(i.code for i in issues)
    severities = Counter({E: sum(n for c, n in counted.items() if c.startswith("P2"))})
    return FileReport(path, examples=12, issues=issues, codes=counted, severities=severities)


def test_rows_are_errors_first_then_the_most_frequent_with_their_first_places():
    a = [
        Issue("P201", E, "no role", n, f"/messages/{m}", "a.jsonl")
        for n, m in ((3, 0), (3, 2), (5, 0), (9, 0), (11, 0))
    ]
    a.append(Issue("P403", W, "duplicate", 12, "", "a.jsonl"))
    b = [Issue("P206", E, "empty", 2, "/messages/1/content", "b.jsonl"), Issue("P201", E, "no role", 7, "", "b.jsonl")]
    rows = code_counts(Report([file_report("a.jsonl", a), file_report("b.jsonl", b)]))
    assert [(r.code, r.severity, r.count, r.files) for r in rows] == [
        ("P201", E, 6, 2),
        ("P206", E, 1, 1),
        ("P403", W, 1, 1),
    ]
    # two issues on line 3 are one place: the first places are lines 3, 5 and 9
    assert [(i.path, i.line, i.pointer) for i in rows[0].first] == [
        ("a.jsonl", 3, "/messages/0"),
        ("a.jsonl", 5, "/messages/0"),
        ("a.jsonl", 9, "/messages/0"),
    ]
    assert rows[0].summary == prep.issues.CODES["P201"].summary


def test_counts_are_exact_over_the_kept_issue_cap(write_jsonl):
    path = write_jsonl(["{not json"] * 300 + [json.dumps(chat("q"))] * 3)
    report = prep.check(path, tokens=False, max_issues_per_code=50)
    rows = {r.code: r for r in code_counts(report)}
    assert rows["P106"].count == 300 and rows["P403"].count == 2
    assert [i.line for i in rows["P106"].first] == [1, 2, 3]
    table = {row["code"]: row for row in report_dict(report, max_issues=0)["codes"]}
    assert table["P106"] == {
        "code": "P106",
        "severity": "error",
        "count": 300,
        "files": 1,
        "summary": "Line is not valid JSON.",
        "first": [{"path": str(path), "line": n} for n in (1, 2, 3)],
    }


def test_the_codes_table_sums_to_the_summary_for_several_targets():
    report = prep.check(BAD, target="openai,together")
    data = report_dict(report)
    by_severity = Counter()
    for row in data["codes"]:
        by_severity[row["severity"]] += row["count"]
    assert (by_severity["error"], by_severity["warning"]) == (data["summary"]["errors"], data["summary"]["warnings"])


def test_statistics_text_is_one_line_per_code_then_the_summary():
    out = io.StringIO()
    report_statistics(prep.check(BAD), out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "count  code  severity  meaning",
        "    1  P103  error     Blank line: every line must hold one JSON object.",
        "    1  P106  error     Line is not valid JSON.",
    ]
    assert "    2  P215  warning   Name does not match ^[a-zA-Z0-9_-]{1,64}$." in lines
    assert not any(re.match(rf"{BAD}(:\d+)?: P\d{{3}} ", line) for line in lines)  # no issue lines
    assert lines[-1] == "FAILED: 1 file(s), 19 error(s), 5 warning(s)"


def test_statistics_goes_with_text_only(run_prep):
    code, out, err = run_prep("check", "--statistics", "--format", "json", BAD)
    assert (code, out) == (2, "")
    assert err == "prep: error: --statistics goes with --format text; the json report has its own counts.\n"
    code, out, _ = run_prep("check", "--statistics", BAD)
    assert code == 1 and out.startswith("count  code  severity  meaning\n")
