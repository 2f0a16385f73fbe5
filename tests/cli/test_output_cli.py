"""Where the report goes: -o/--output-file (written whole and atomically) and -q/--quiet."""

from __future__ import annotations

import json

from tests.helpers import REPO

BAD = REPO / "sample_data" / "chat_bad.jsonl"


def test_output_file_holds_the_report_and_stdout_stays_empty(run_prep, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = run_prep("check", "--format", "json", "-o", target, BAD)
    assert (code, out) == (1, "")
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["errors"] == 19
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind


def test_output_file_dash_is_stdout(run_prep):
    code, out, _ = run_prep("check", "--output-file", "-", BAD)
    assert code == 1 and out.endswith("FAILED: 1 file(s), 19 error(s), 5 warning(s)\n")


def test_output_file_in_a_missing_folder_stops_before_checking(run_prep, tmp_path):
    code, out, err = run_prep("check", "-o", tmp_path / "nope" / "r.txt", BAD)
    assert (code, out) == (2, "")
    assert err == (
        f"prep: error: Cannot write the report to '{tmp_path / 'nope' / 'r.txt'}': the folder "
        f"'{tmp_path / 'nope'}' does not exist.\n"
    )


def test_output_file_never_overwrites_an_input(run_prep, tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_bytes(BAD.read_bytes())
    code, _, err = run_prep("check", "-o", data, data)
    assert code == 2 and "never overwrites its input" in err
    assert data.read_bytes() == BAD.read_bytes()


def test_quiet_leaves_out_the_notes_on_stderr(run_prep, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the baseline is written beside the configuration, here none: the working folder
    data = tmp_path / "train.jsonl"
    data.write_bytes(BAD.read_bytes())
    assert run_prep("check", "--write-baseline", data)[0] == 0
    _, _, err = run_prep("check", data)
    assert "known issue(s)" in err
    code, out, err = run_prep("check", "-q", data)
    assert (code, err) == (0, "")
    assert out.endswith("ok: 1 file(s), 0 error(s), 0 warning(s)\n")
