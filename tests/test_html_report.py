"""The HTML report: one self-contained page whose numbers are the JSON report's, data escaped; in headless
Chromium, a screenshot shows the histograms and the per-code table, and the DOM holds the JSON's numbers."""

from __future__ import annotations

import io
from collections import Counter

import pytest

import prep
from prep.issues import Issue, Severity
from prep.reports.charts import bin_counts
from prep.reports.html import report_html
from prep.reports.report import FileReport, Report
from tests.helpers import REPO
from tests.support.browser import CHROMIUM, data_keys, dump_dom, keep, screenshot

SAMPLES = [REPO / "sample_data" / "chat_bad.jsonl", REPO / "sample_data" / "chat_good.jsonl"]


def render(report, **kw):
    out = io.StringIO()
    report_html(report, out, **kw)
    return out.getvalue()


def value_at(data, key):
    for part in key.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def assert_numbers_match(keys: dict[str, str], data: dict) -> None:
    """Every number shown is the JSON report's at the path its element names (floats to one decimal)."""
    for key, text in keys.items():
        value, shown = value_at(data, key), text.strip()
        if value is None:
            assert shown == "-", key
        elif isinstance(value, bool):
            assert shown == ("yes" if value else "no"), key
        elif isinstance(value, int):
            assert int(shown.replace(",", "")) == value, key
        else:
            assert float(shown.replace(",", "")) == round(value, 1), key


def required_keys(data: dict) -> set[str]:
    """What the page must show: the summary, each code's count, each target's counts, each file's statistics."""
    keys = {f"summary.{k}" for k in ("files", "examples", "errors", "warnings")}
    keys |= {f"codes.{i}.count" for i in range(len(data["codes"]))}
    keys |= {f"targets.{i}.{k}" for i in range(len(data["targets"])) for k in ("errors", "warnings")}
    for i, f in enumerate(data["files"]):
        keys |= {f"files.{i}.{k}" for k in ("examples", "errors", "warnings")}
        stats = f["stats"]
        if stats:
            keys |= {f"files.{i}.stats.tokens.{k}" for k in ("min", "max", "mean", "median", "p10", "p90", "total")}
            keys |= {f"files.{i}.stats.estimate.{k}" for k in ("epochs", "billed_tokens", "trained_tokens")}
            keys |= {f"files.{i}.stats.{k}" for k in ("over_limit", "without_system", "without_user", "token_limit")}
    return keys


@pytest.fixture
def sample(monkeypatch):
    monkeypatch.chdir(REPO)
    return prep.check([p.relative_to(REPO) for p in SAMPLES], target="openai,together")


def test_every_number_on_the_page_is_the_json_reports(sample):
    page = render(sample)
    keys, links = data_keys(page)
    data = sample.to_dict()
    assert required_keys(data) <= set(keys)
    assert_numbers_match(keys, data)
    assert all(link.startswith("#") for link in links)  # self-contained: nothing fetched, links inside the page
    assert "<script" not in page and "<img" not in page and "@import" not in page


def test_codes_link_to_their_list_and_first_places_to_their_issues(sample):
    page = render(sample)
    assert '<a href="#code-P201">P201</a>' in page and '<h3 id="code-P201">' in page
    _, links = data_keys(page)
    for anchor in {link[1:] for link in links}:
        assert f'id="{anchor}"' in page, anchor
    assert page.count("<svg") == 4  # total and trained tokens, for each file
    assert "together 16,384" in page and "openai 65,536" in page  # each target's limit drawn


def test_max_issues_shortens_the_list_not_the_counts(sample):
    page = render(sample, max_issues=2)
    keys, _ = data_keys(page)
    assert keys["summary.errors"] == "21" and page.count('<tr id="i') == 2
    assert "more not listed" in page


def test_data_and_file_names_are_escaped():
    path = 'evil"<script>alert(1)</script>.jsonl'
    issue = Issue("P201", Severity.ERROR, "</td></table><img src=x onerror=alert(1)>", 3, "/<b>", path)
    f = FileReport(path, examples=1, issues=[issue], codes=Counter(["P201"]), severities=Counter([Severity.ERROR]))
    page = render(Report([f]))
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "evil&quot;&lt;script&gt;alert(1)&lt;/script&gt;.jsonl:3" in page
    assert "&lt;/td&gt;&lt;/table&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_bins_are_exact_counts_on_a_log_axis():
    hist = Counter({0: 2, 1: 1, 7: 3, 100: 4, 65_000: 1})
    rows = bin_counts(hist, 70_000)
    assert sum(n for *_, n in rows) == 11 and rows[0] == (0, 1, 2)
    assert all(low < high for low, high, _ in rows) and rows[-1][1] > 70_000
    assert [n for low, high, n in rows if low <= 7 < high] == [3]


def test_the_cli_writes_the_page(run_prep, tmp_path):
    out = tmp_path / "report.html"
    code, stdout, _ = run_prep("check", "--format", "html", "-o", out, *SAMPLES)
    assert (code, stdout) == (1, "")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
)


@needs_chromium
def test_in_headless_chromium_the_dom_holds_the_json_numbers_and_the_screenshot_shows_the_charts(sample, tmp_path):
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(render(sample), encoding="utf-8")
    keys, _ = data_keys(dump_dom(page, tmp_path / "chromium-profile"))
    data = sample.to_dict()
    assert required_keys(data) <= set(keys)
    assert_numbers_match(keys, data)
    shot = screenshot(page, tmp_path / "report.png")  # kept in the test's folder, to look at
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    colours = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
    assert colours.get((0x4C, 0x78, 0xA8), 0) > 2_000  # the histograms' bars
    assert colours.get((0xD9, 0x2D, 0x20), 0) > 100  # the limit lines
    assert colours.get((0xF6, 0xF8, 0xFA), 0) > 20_000  # the tables' header rows (the per-code table among them)
    print(f"screenshot: {keep(shot, 'html-report.png')}")


def test_figures_a_newer_report_adds_are_shown_with_their_paths(sample, monkeypatch):
    """What another part of prep adds to the JSON (exact counts of an open model, truncation) shows up too."""
    plain = Report.to_dict

    def with_more(self, **kw):
        data = plain(self, **kw)
        data["files"][0]["stats"]["truncated"] = {"examples": 3, "tokens": 1234}
        data["files"][0]["tokenizer"] = "Qwen/Qwen3-8B <exact>"
        return data

    monkeypatch.setattr(Report, "to_dict", with_more)
    page = render(sample)
    keys, _ = data_keys(page)
    assert keys["files.0.stats.truncated.examples"] == "3" and keys["files.0.stats.truncated.tokens"] == "1,234"
    assert "<th>tokenizer</th><td>Qwen/Qwen3-8B &lt;exact&gt;</td>" in page
