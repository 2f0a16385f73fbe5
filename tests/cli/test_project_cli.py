"""`prep check` in a dataset repository: configuration files, baselines and CI output formats."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO, chat

LONG = chat("Summarize: " + "hello " * 6000)  # about 6,000 tokens: over 4,096, under 65,536
BAD = REPO / "sample_data" / "chat_bad.jsonl"
NO_ROLE = {"messages": [{"content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
P301 = re.compile(r"toy\.jsonl:5: P301 Example has [\d,]+ tokens, over the 4,096-token limit you set;")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A dataset repository as the current folder: write(name, text) adds a file."""
    monkeypatch.chdir(tmp_path)

    def write(name, text):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    write("toy.jsonl", toy())
    return write


def good(n):
    return "".join(json.dumps(chat(f"Question {i}?")) + "\n" for i in range(n))


def toy():
    """12 examples, the 5th over a 4,096-token limit (under the default)."""
    lines = good(12).splitlines(keepends=True)
    lines[4] = json.dumps(LONG) + "\n"
    return "".join(lines)


def test_config_changes_the_limit(project, run_prep):
    code, out, _ = run_prep("check", "toy.jsonl")
    assert code == 0 and "P301" not in out
    project("pyproject.toml", "[tool.ruff]\nline-length = 100\n\n[tool.prep]\ntoken-limit = 4096\n")
    code, out, _ = run_prep("check", "toy.jsonl")
    assert code == 0 and P301.search(out)
    project("pyproject.toml", "[tool.prep]\ntoken-limit = 4096\nstrict = true\n")
    assert run_prep("check", "toy.jsonl")[0] == 1


def test_command_line_wins_and_defaults_do_not_override(project, run_prep):
    project("prep.toml", "token-limit = 4096\nstrict = true\ntokens = false\n")
    code, out, _ = run_prep("check", "toy.jsonl")  # tokens = false holds: click's default does not override it
    assert code == 1 and "P303 Token limits were not checked" in out
    code, out, _ = run_prep("check", "--tokens", "toy.jsonl")
    assert code == 1 and P301.search(out)
    code, out, _ = run_prep("check", "--tokens", "--no-strict", "toy.jsonl")
    assert code == 0 and P301.search(out)
    code, out, _ = run_prep("check", "--tokens", "--no-strict", "--token-limit", "65536", "toy.jsonl")
    assert code == 0 and "P301" not in out
    code, out, _ = run_prep("check", "--isolated", "toy.jsonl")
    assert code == 0 and "P301" not in out and "P303" not in out


def test_per_path_overrides_keep_the_input_order(project, run_prep):
    project("legacy/toy.jsonl", toy())
    project("prep.toml", '[[overrides]]\nfiles = "legacy/"\ntoken-limit = 4096\n')
    code, out, _ = run_prep("check", "--format", "json", "legacy/toy.jsonl", "toy.jsonl", "legacy/toy.jsonl")
    report = json.loads(out)
    assert [(f["path"], f["stats"]["token_limit"]) for f in report["files"]] == [
        ("legacy/toy.jsonl", 4096),
        ("toy.jsonl", 65536),
        ("legacy/toy.jsonl", 4096),
    ]
    assert report["summary"]["files"] == 3 and code == 0


def test_bad_configuration_exits_2_with_one_line(project, run_prep):
    path = project("pyproject.toml", '[tool.prep]\nmodle = "gpt-4o"\n')
    code, out, err = run_prep("check", "toy.jsonl")
    assert (code, out) == (2, "")
    assert err == f"prep: error: {path}: unknown key 'modle' in [tool.prep] (did you mean 'model'?).\n"
    path = project("pyproject.toml", '[tool.prep]\nmodel = "gpt-9"\n')
    code, _, err = run_prep("check", "toy.jsonl")
    assert code == 2 and err.startswith("prep: error: Unknown model 'gpt-9'")
    assert err.endswith(f"(configuration: {path}).\n")
    code, _, err = run_prep("check", "--config", "missing.toml", "toy.jsonl")
    assert code == 2 and "missing.toml" in err and "does not exist" in err


def test_explicit_config_file(project, run_prep):
    project("ci/strict.toml", "token-limit = 4096\n")
    code, out, _ = run_prep("check", "--config", "ci/strict.toml", "toy.jsonl")
    assert code == 0 and P301.search(out)


def test_baseline_round_trip(project, run_prep):
    data = project("data/train.jsonl", good(12) + json.dumps(NO_ROLE) + "\n")
    code, out, err = run_prep("check", "--no-tokens", "data/train.jsonl")
    assert code == 1 and "data/train.jsonl:13: P201" in out
    code, out, err = run_prep("check", "--no-tokens", "--write-baseline", "data/train.jsonl")
    assert (code, out, err) == (0, "wrote .prep-baseline.json: 3 known issue(s)\n", "")
    code, out, err = run_prep("check", "--no-tokens", "data/train.jsonl")
    assert code == 0 and "P201" not in out and "P402" not in out
    assert err == "prep: 3 known issue(s) in .prep-baseline.json not shown (--no-baseline shows them).\n"
    data.write_text(json.dumps(NO_ROLE) + "\n" + good(12) + json.dumps(NO_ROLE) + "\n" + "{oops\n")
    code, out, err = run_prep("check", "--no-tokens", "data/train.jsonl")
    assert code == 1
    assert re.findall(r"train\.jsonl:(\d+): (P\d+)", out) == [("14", "P201"), ("14", "P403"), ("15", "P106")]
    assert "3 known issue(s)" in err
    code, out, _ = run_prep("check", "--no-tokens", "--no-baseline", "data/train.jsonl")
    assert re.findall(r"train\.jsonl:(\d+): (P\d+)", out) == [
        ("1", "P201"),
        ("14", "P201"),
        ("14", "P403"),
        ("15", "P106"),
    ]


def test_baseline_location_comes_from_the_config(project, run_prep):
    project("ds/prep.toml", 'baseline = "ci/known.json"\n')
    project("ds/a.jsonl", good(12) + json.dumps(NO_ROLE) + "\n")
    project("other/b.jsonl", good(12) + json.dumps(NO_ROLE) + "\n")
    code, out, _ = run_prep("check", "--no-tokens", "--write-baseline", "ds/a.jsonl", "other/b.jsonl")
    assert code == 0
    known, fallback = Path("ds/ci/known.json").absolute(), Path(".prep-baseline.json")
    assert out == f"wrote {known}: 3 known issue(s)\nwrote {fallback}: 3 known issue(s)\n"
    assert [e["path"] for e in json.loads(known.read_text())["issues"]] == ["../a.jsonl"] * 3
    assert [e["path"] for e in json.loads(fallback.read_text())["issues"]] == ["other/b.jsonl"] * 3
    assert run_prep("check", "--no-tokens", "ds/a.jsonl", "other/b.jsonl")[0] == 0
    code, out, _ = run_prep("check", "--no-tokens", "--baseline", "elsewhere.json", "ds/a.jsonl")
    assert code == 1 and "P201" in out


def test_github_format(project, run_prep):
    project("bad.jsonl", BAD.read_text())
    code, out, _ = run_prep("check", "--no-tokens", "--format", "github", "bad.jsonl")
    assert code == 1
    lines = out.splitlines()
    assert "::warning file=bad.jsonl,title=prep P402::P402 File has 20 examples; 50 or more are recommended." in lines
    assert (
        "::error file=bad.jsonl,line=3,title=prep P201::P201 Message has no role; use one of: assistant, "
        "function, system, tool, user. (/messages/1/role)"
    ) in lines
    assert (
        "::error file=bad.jsonl,line=17,title=prep P106::P106 Invalid JSON: Expecting ',' delimiter%3A line 1 "
        "column 92 (char 91)."
    ) not in lines  # ':' is escaped in properties only
    # the 11th error on: GitHub shows 10 per step, so it is a plain line of the log
    assert "bad.jsonl:17: P106 Invalid JSON: Expecting ',' delimiter: line 1 column 92 (char 91)." in lines
    assert lines[-1] == "FAILED: 1 file(s), 19 error(s), 5 warning(s)"
    assert lines[-3] == (
        "::notice title=prep::9 error(s) not annotated: GitHub shows 10 annotations of each level per step; "
        "this log lists every issue."
    )
    assert sum(line.startswith("::") for line in lines) == 10 + 5 + 1 + 1  # errors, warnings, P303, the notice


def test_sarif_format(project, run_prep):
    project("bad.jsonl", BAD.read_text())
    code, out, _ = run_prep("check", "--no-tokens", "--format", "sarif", "bad.jsonl")
    log = json.loads(out)
    results = log["runs"][0]["results"]
    assert code == 1 and len(results) == 25  # 24 issues + P303 (info: a note)
    assert {r["level"] for r in results} == {"error", "warning", "note"}


def test_per_path_column_map_for_a_spreadsheet(project, run_prep):
    shutil.copy(REPO / "sample_data" / "support_tickets.xlsx", "support_tickets.xlsx")
    code, out, err = run_prep("check", "--no-stats", "support_tickets.xlsx")
    assert (code, err) == (1, "")  # its columns have no common names: one issue about the file (P160)
    assert "support_tickets.xlsx: P160 " in out and "--map COLUMN=FIELD" in out
    project(
        "pyproject.toml",
        """
[[tool.prep.overrides]]
files = "*.xlsx"
sheet = "Tickets"
map = {"Customer message" = "user", "Agent reply" = "assistant", "System prompt" = "system"}
""",
    )
    code, out, _ = run_prep("check", "--no-stats", "support_tickets.xlsx", "toy.jsonl")
    assert code == 0, out
    assert "support_tickets.xlsx: chat, 12 example(s), ok" in out
