"""What a CI author and a terminal user see: a closed pipe, colour, any encoding, --exit-zero, -v."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from prep.cli.terminal import use_color
from tests.helpers import REPO, chat

SAMPLES = REPO / "sample_data"


def many(write_jsonl, n, bad=False):
    rows = [chat("Hi", "Hello")] * n  # all duplicates of the first: n - 1 warnings (P403), no error
    return write_jsonl(rows + ([{"messages": []}] if bad else []), name="many.jsonl")


def head_one(path):
    """``prep check PATH | head -1``: read one line, close the pipe, and return (exit code, line, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "prep", "check", str(path), "--isolated", "--no-stats"]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        line = proc.stdout.readline()
        proc.stdout.close()  # what head does after its line
        err = proc.stderr.read()
        return proc.wait(), line, err


@pytest.mark.parametrize(("bad", "status"), [(False, 0), (True, 1)])
def test_a_closed_pipe_exits_quietly_with_the_status_of_the_check(write_jsonl, bad, status):
    path = many(write_jsonl, 20_000, bad)  # over a megabyte of report: far more than a pipe holds
    code, line, err = head_one(path)
    assert line.startswith(f"{path}:".encode())
    assert (code, err) == (status, b"")


def test_colour_follows_the_terminal_and_the_environment():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert use_color(Terminal(), {}) is True
    assert use_color(io.StringIO(), {}) is False  # piped
    assert use_color(io.StringIO(), {"FORCE_COLOR": "1"}) is True
    assert use_color(Terminal(), {"NO_COLOR": "1"}) is False
    assert use_color(Terminal(), {"NO_COLOR": "1", "FORCE_COLOR": "1"}) is False  # no-color.org: NO_COLOR wins
    assert use_color(Terminal(), {"NO_COLOR": ""}) is True  # set but empty: not asked for


def test_piped_output_is_plain_and_forced_colour_paints_severities(run_prep, monkeypatch):
    _code, plain, _ = run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "--select", "P201,P402")
    assert "\x1b[" not in plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, painted, _ = run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "--select", "P201,P402")
    assert "\x1b[1;31mP201\x1b[0m Message has no role" in painted  # errors red
    assert "\x1b[33mP402\x1b[0m File has 20 examples" in painted  # warnings yellow
    assert painted.rstrip().endswith("\x1b[1;31mFAILED\x1b[0m: 1 file(s), 1 error(s), 1 warning(s)")
    assert (
        painted.replace("\x1b[1;31m", "").replace("\x1b[33m", "").replace("\x1b[1m", "").replace("\x1b[0m", "") == plain
    )
    _, as_json, _ = run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "--format", "json")
    assert "\x1b[" not in as_json


def test_a_report_file_is_never_coloured(run_prep, monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")
    run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "-o", tmp_path / "report.txt")
    assert "\x1b[" not in (tmp_path / "report.txt").read_text()


def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_crash():
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"}
    args = [sys.executable, "-m", "prep", "check", str(SAMPLES / "chat_bad.jsonl"), "--isolated"]
    done = subprocess.run(args, capture_output=True, env=env, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    assert b"estimate: 5 epoch(s) \\xd7 " in done.stdout  # the multiplication sign, escaped
    assert b"over the limit: 0 \\xb7 without system" in done.stdout


def test_exit_zero_passes_issues_but_not_a_check_that_could_not_run(run_prep, tmp_path):
    code, out, _ = run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--no-stats", "--exit-zero")
    assert code == 0 and out.rstrip().endswith("FAILED: 1 file(s), 19 error(s), 5 warning(s)")
    (tmp_path / "results.csv").write_text("run,score\n1,0.5\n")
    code, _, _ = run_prep("check", tmp_path, "--isolated", "--exit-zero")
    assert code == 2  # no file given holds fine-tuning data
    code, _, _ = run_prep("check", SAMPLES / "chat_bad.jsonl", "--isolated", "--exit-zero", "--encoding", "o300k")
    assert code == 2


def test_verbose_says_which_configuration_and_settings_each_file_gets(run_prep, tmp_path, monkeypatch):
    (tmp_path / "prep.toml").write_text('model = "gpt-4.1-mini"\nignore = ["P402"]\nstrict = true\n')
    (tmp_path / "train.jsonl").write_text(json.dumps(chat()) + "\n")
    monkeypatch.chdir(tmp_path)
    _, _, err = run_prep("check", "train.jsonl", "--no-stats", "-v", "--select", "P4")
    assert err.splitlines()[0] == (
        f"prep: train.jsonl: {tmp_path / 'prep.toml'}; ignore=P402, model=gpt-4.1-mini, select=P4, stats=False, strict"
    )
    _, _, quiet = run_prep("check", "train.jsonl", "--no-stats", "-v", "-q")
    assert quiet == ""
