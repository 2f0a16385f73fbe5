"""`prep check` as users and CI see it: output shape, options and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.helpers import COOKBOOK_TOY, REPO, chat

GOOD = REPO / "sample_data" / "chat_good.jsonl"
BAD = REPO / "sample_data" / "chat_bad.jsonl"
TOY = COOKBOOK_TOY


def test_text_lines_name_path_line_code_message_and_pointer(run_prep):
    _, out, _ = run_prep("check", BAD)
    assert (
        f"{BAD}:3: P201 Message has no role; use one of: assistant, function, system, tool, user. (/messages/1/role)\n"
        in out
    )
    assert f"{BAD}: P402 File has 20 examples; 50 or more are recommended.\n" in out
    assert out.endswith("FAILED: 1 file(s), 19 error(s), 5 warning(s)\n")


def test_json_report(run_prep):
    code, out, _ = run_prep("check", "--format", "json", GOOD, BAD)
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["status"] == "fail"
    good, bad = report["files"]
    assert (good["path"], good["format"], good["examples"], good["ok"], good["issues"]) == (
        str(GOOD),
        "chat",
        60,
        True,
        [],
    )
    assert bad["issues"][0] == {
        "code": "P402",
        "severity": "warning",
        "line": None,
        "pointer": "",
        "message": "File has 20 examples; 50 or more are recommended.",
    }
    assert {
        "code": "P201",
        "severity": "error",
        "line": 3,
        "pointer": "/messages/1/role",
        "message": "Message has no role; use one of: assistant, function, system, tool, user.",
    } in bad["issues"]
    assert report["summary"] == {"files": 2, "examples": 80, "errors": 19, "warnings": 5, "infos": 0}


def test_max_issues_caps_printing_not_checking(run_prep):
    code, out, _ = run_prep("check", "--max-issues", "3", BAD)
    assert code == 1
    assert sum(bool(re.match(rf"{BAD}(:\d+)?: P\d\d\d ", line)) for line in out.splitlines()) == 3
    assert "… 21 more issue(s) not shown" in out
    assert out.endswith("FAILED: 1 file(s), 19 error(s), 5 warning(s)\n")
    _, out, _ = run_prep("check", "--format", "json", "--max-issues", "0", BAD)
    (f,) = json.loads(out)["files"]
    assert (f["issues"], f["omitted"], f["errors"]) == ([], 24, 19)


def test_warnings_pass_unless_strict(run_prep, write_jsonl):
    path = write_jsonl([chat(f"Question {i}?") for i in range(12)])  # 12 < 50: a warning
    assert run_prep("check", path)[0] == 0
    assert run_prep("check", "--strict", path)[0] == 1
    assert run_prep("check", "--strict", "--ignore", "P402", path)[0] == 0


def test_method_forces_the_format(run_prep):
    _, out, _ = run_prep("check", "--method", "dpo", "--format", "json", GOOD)
    (f,) = json.loads(out)["files"]
    assert f["format"] == "preference"
    assert {i["code"] for i in f["issues"] if i["line"]} == {"P109"}
    assert sum(i["code"] == "P109" for i in f["issues"]) == 60


def test_model_option_changes_the_limit(run_prep):
    _, out, _ = run_prep("check", "--model", "gpt-3.5-turbo-0613", TOY)
    assert f"{TOY}:5: P301 Example has 8,032 tokens, over the 4,096-token limit of gpt-3.5-turbo-0613" in out
    assert "estimate: 20 epoch(s) × 4,306 billed tokens = 86,120 trained tokens" in out


def test_shut_down_model_is_flagged(run_prep):
    _, out, _ = run_prep("check", "--model", "gpt-3.5-turbo-0125", GOOD)
    assert "P302 gpt-3.5-turbo-0125 was shut down on 2026-10-23" in out


def test_bad_invocations_exit_2_with_one_sentence(run_prep, tmp_path):
    code, out, err = run_prep("check", tmp_path / "missing.jsonl")
    assert (code, out) == (2, "")
    assert err == f"prep: error: Cannot read '{tmp_path / 'missing.jsonl'}': no such file.\n"
    code, _, err = run_prep("check", "--model", "gpt-9", GOOD)
    assert code == 2 and err.startswith("prep: error: Unknown model 'gpt-9' for target 'openai'; known models:")
    code, _, err = run_prep("check", "--frobnicate", GOOD)
    assert code == 2 and "No such option '--frobnicate'" in err
    code, _, err = run_prep("check")
    assert code == 2 and "Missing argument" in err


def test_console_script_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "prep", "check", str(GOOD)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "ok: 1 file(s)" in result.stdout


def test_input_files_are_never_modified(run_prep):
    before = {p: p.read_bytes() for p in (REPO / "sample_data").glob("*.jsonl")}
    run_prep("check", *before)
    assert {p: p.read_bytes() for p in before} == before


def test_every_command_has_help(run_prep):
    from prep.cli.main import cli

    for name, command in cli.commands.items():
        assert command.help, name
        code, out, _ = run_prep(name, "--help")
        assert code == 0 and "Usage:" in out


def test_a_folder_means_the_data_files_below_it(run_prep, tmp_path):
    (tmp_path / "nested").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("a.jsonl", "nested/b.csv", ".hidden/c.jsonl", "notes.md"):
        (tmp_path / name).write_text('{"messages": []}\n' if name.endswith("jsonl") else "question,answer\nq,a\n")
    _, out, _ = run_prep("check", "--format", "json", "--no-tokens", tmp_path)
    assert [f["path"] for f in json.loads(out)["files"]] == [
        str(tmp_path / "a.jsonl"),
        str(tmp_path / "nested" / "b.csv"),
    ]


def test_a_file_prep_does_not_read_is_one_sentence(run_prep, tmp_path):
    path = tmp_path / "notes.toml"
    path.write_text("x = 1\n")
    code, out, err = run_prep("check", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"prep: error: {path} is not a data file prep reads (.jsonl,") and err.count("\n") == 1


def test_the_bundled_samples_as_the_readme_runs_them(run_prep):
    code, out, err = run_prep("check", REPO / "sample_data")
    assert code == 1 and err == ""
    assert "support_tickets.xlsx: chat, 12 example(s), ok" in out  # read through sample_data/prep.toml's map
    assert "completion_good.jsonl: completion, 60 example(s), ok" in out  # checked for Together (prep.toml)
    assert "reinforcement_good.jsonl: reinforcement, 60 example(s), ok" in out  # checked for Azure OpenAI
    assert "\nopenai    passes" not in out and "\nazure     fails" in out  # the verdict of each target named
    assert "vertex_good.jsonl: vertex, 120 example(s), ok" in out  # Vertex AI's format, checked for Vertex
    assert "nova-preference_good.jsonl: nova-preference, 60 example(s), ok" in out
    assert out.endswith("FAILED: 26 file(s), 79 error(s), 36 warning(s)\n")
