"""prep rule CODE explains each code; --select beside --ignore; per-code severity in the configuration."""

from __future__ import annotations

import json

import pytest

from prep.issues import CODES, _explanations, explain
from tests.helpers import REPO

SAMPLES = REPO / "sample_data"


def test_every_code_is_explained_and_nothing_else():
    table = _explanations()
    assert set(table) == set(CODES)
    for code, entry in table.items():
        assert set(entry) == {"what", "why", "source", "fix"}, code
        assert all(isinstance(v, str) and len(v) > 15 and v.rstrip()[-1] in ".)\"'" for v in entry.values()), code


def test_prep_rule_says_what_why_where_and_how_to_fix(run_prep):
    code, out, err = run_prep("rule", "p201")
    assert (code, err) == (0, "")
    e = explain("P201")
    assert out.splitlines()[0] == "P201 (error by default): Message has no role."
    assert [line.split(":")[0] for line in out.splitlines()[2:] if not line.startswith(" ")] == [
        "What",
        "Why",
        "Source",
        "Fix",
    ]
    assert " ".join(out.split()).endswith(" ".join(f"Fix: {e.fix}".split()))
    assert run_prep("explain", "P201")[1] == out


def test_prep_rule_lists_the_codes_or_those_of_a_prefix(run_prep):
    _, every, _ = run_prep("rule")
    assert len(every.splitlines()) == len(CODES)
    assert every.splitlines()[0] == "P101  error    Line is not valid UTF-8."
    _, family, _ = run_prep("rule", "P4")
    assert {line[:4] for line in family.splitlines()} == {c for c in CODES if c.startswith("P4")}


def test_an_unknown_code_is_one_sentence(run_prep):
    assert run_prep("rule", "P2011") == (
        2,
        "",
        "prep: error: Unknown issue code 'P2011' (did you mean P211?); prep rule lists every code.\n",
    )


def codes_of(out):
    return {i["code"] for f in json.loads(out)["files"] for i in f["issues"]}


def test_select_reports_only_what_it_names_and_ignore_takes_away(run_prep):
    args = ("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "--format", "json")
    _, out, _ = run_prep(*args, "--select", "P20", "--select", "P402", "--ignore", "P203,P204")
    assert codes_of(out) == {"P201", "P202", "P205", "P206", "P208", "P209", "P402"}
    code, out, err = run_prep(*args, "--select", "P999")
    assert (code, out) == (2, "")
    assert "Unknown issue code 'P999' in select" in err


def test_the_configuration_sets_severity_and_select_per_code(run_prep, tmp_path, write_jsonl):
    write_jsonl([{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}] * 12)
    (tmp_path / "prep.toml").write_text(
        'select = ["P4"]\nseverity = {P402 = "error"}\n\n[[overrides]]\nfiles = ["*.jsonl"]\nseverity = {P403 = "info"}\n'
    )
    code, out, _ = run_prep("check", tmp_path / "data.jsonl", "--no-stats", "--format", "json")
    issues = json.loads(out)["files"][0]["issues"]
    assert {(i["code"], i["severity"]) for i in issues} == {("P402", "error"), ("P403", "info")}
    assert code == 1  # P402 is an error now


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('severity = {P402 = "fatal"}', "severity in the top level must be a table whose values are severities"),
        ('severity = {P999 = "error"}', "severity in the top level must be a table whose keys are issue codes (P999"),
        ('select = ["Q1"]', "select in the top level must be a list of known issue codes or prefixes (Q1 is not one)"),
    ],
)
def test_bad_severities_and_selections_in_the_configuration_are_one_sentence(run_prep, tmp_path, text, message):
    (tmp_path / "prep.toml").write_text(text + "\n")
    code, _, err = run_prep("check", SAMPLES / "chat_good.jsonl", "--config", tmp_path / "prep.toml")
    assert code == 2 and message in err and err.count("\n") == 1


def test_the_readme_shows_what_prep_rule_prints(run_prep, monkeypatch):
    readme = (REPO / "README.md").read_text()
    shown = readme[readme.index("$ prep rule P208\n") :].split("\n", 1)[1].split("```")[0]
    monkeypatch.setenv("COLUMNS", "100")
    assert run_prep("rule", "P208")[1] == shown
