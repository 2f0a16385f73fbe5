"""The Markdown report (and GitHub job summary): verdicts, codes, first problems, files; data escaped."""

from __future__ import annotations

import io
from collections import Counter

import prep
from prep.issues import Issue, Severity
from prep.reports.markdown import markdown_text, report_markdown
from prep.reports.report import FileReport, Report
from tests.helpers import REPO

E, W = Severity.ERROR, Severity.WARNING
BAD = REPO / "sample_data" / "chat_bad.jsonl"


def render(report, **kw):
    out = io.StringIO()
    report_markdown(report, out, **kw)
    return out.getvalue()


def test_sample_report_sections(monkeypatch):
    monkeypatch.chdir(REPO)
    text = render(prep.check("sample_data/chat_bad.jsonl", target="openai,together"))
    assert text.startswith("## prep check: FAILED\n\n1 file(s), 20 example(s): 21 error(s), 5 warning(s).\n")
    assert "| OpenAI fine-tuning API | **fails** | 19 | 5 | P110 ×1, P201 ×1, P202 ×1, P203 ×1 |" in text
    assert (
        "| P202 | error | 2 | 1 | Unknown role. | sample\\_data/chat\\_bad.jsonl:4, sample\\_data/chat\\_bad.jsonl:5 |"
        in (text)
    )
    # an issue that only some targets have says which
    assert (
        "- sample\\_data/chat\\_bad.jsonl:5: **P202** Unknown role 'developer'; use one of: assistant, system, tool, "
        "user. (/messages/0/role) \\[together\\]" in text
    )
    assert "- … and 6 more (the text report lists every one)" in text
    assert (
        "| sample\\_data/chat\\_bad.jsonl | chat | 20 | 21 | 5 | 986 | 4,930 (5 epochs) | unknown for 4 models "
        "(the profile gives no training price for them) |" in text
    )


def test_max_issues_sets_the_first_problems():
    text = render(prep.check(BAD), max_issues=2)
    problems = text.split("### First problems\n\n")[1].split("\n\n")[0].splitlines()
    assert len(problems) == 3 and problems[-1] == "- … and 22 more (the text report lists every one)"
    assert "### First problems" not in render(prep.check(BAD), max_issues=0)


def test_data_and_file_names_are_text_never_markdown_or_html():
    path = "evil|<img src=x onerror=alert(1)>`*_[a](http://x)\n## forged.jsonl"
    issue = Issue("P201", E, "Role <script>alert(1)</script> | $x$ ~~s~~\r\n# heading", 3, "/messages/0", path)
    f = FileReport(path, examples=1, issues=[issue], codes=Counter(["P201"]), severities=Counter([E]))
    text = render(Report([f]))
    assert "<" not in text.replace("\\<", "") and "\n## forged" not in text and "\n# heading" not in text
    assert "Role \\<script\\>alert(1)\\</script\\> \\| \\$x\\$ \\~\\~s\\~\\~ \\# heading" in text
    rows = [line for line in text.splitlines() if line.startswith(("| evil", "| P201"))]
    assert [row.replace("\\|", "").count("|") for row in rows] == [7, 9]  # every table row keeps its columns


def test_markdown_text_escapes_each_special_character_once():
    assert markdown_text("a_b*c`d|e<f>&g") == "a\\_b\\*c\\`d\\|e\\<f\\>\\&g"
    assert markdown_text("plain words, 1.5 and 2/3") == "plain words, 1.5 and 2/3"


def test_cli_format_markdown_and_the_job_summary(run_prep, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run_prep("check", "--format", "github", BAD)
    assert code == 1 and out.startswith("::")
    written = summary.read_text()
    assert written.startswith("earlier step\n## prep check: FAILED\n")  # appended, as GitHub expects
    code, out, _ = run_prep("check", "--format", "markdown", BAD)
    assert out.startswith("## prep check: FAILED\n") and summary.read_text() == written + out + "\n"


def test_an_unwritable_job_summary_is_a_note_not_a_failure(run_prep, tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    code, _, err = run_prep("check", BAD)
    assert code == 1 and "prep: Cannot write the job summary to" in err
