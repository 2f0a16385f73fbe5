"""- reads standard input; -o - writes standard output."""

from __future__ import annotations

import io
import json
import sys

import pytest

from tests.helpers import REPO, chat

SAMPLES = REPO / "sample_data"


@pytest.fixture
def stdin(monkeypatch):
    def give(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    return give


def test_dash_checks_standard_input_as_the_file_would_be(stdin, run_prep):
    bad = SAMPLES / "chat_bad.jsonl"
    stdin(bad.read_bytes())
    code, out, err = run_prep("check", "-", "--isolated", "--no-stats")
    _, from_file, _ = run_prep("check", bad, "--isolated", "--no-stats")
    assert code == 1 and err == ""
    assert out == from_file.replace(str(bad), "<stdin>")


def test_a_table_on_standard_input_takes_its_type(stdin, run_prep):
    stdin((SAMPLES / "faq.csv").read_bytes())
    code, out, _ = run_prep("check", "-", "--file-type", "csv", "--isolated", "--no-stats", "--format", "json")
    assert code == 0
    assert json.loads(out)["files"][0]["path"] == "<stdin>"


def test_standard_input_takes_the_configuration_of_the_current_folder(stdin, run_prep, tmp_path, monkeypatch):
    (tmp_path / "prep.toml").write_text('ignore = ["P402"]\n')
    monkeypatch.chdir(tmp_path)
    twelve = b"".join(json.dumps(chat(f"q{i}")).encode() + b"\n" for i in range(12))
    stdin(twelve)
    _, out, _ = run_prep("check", "-", "--no-stats", "--format", "json")
    assert "P402" not in {i["code"] for i in json.loads(out)["files"][0]["issues"]}
    stdin(twelve)
    _, out, _ = run_prep("check", "-", "--no-stats", "--format", "json", "--isolated")
    assert "P402" in {i["code"] for i in json.loads(out)["files"][0]["issues"]}


def test_dash_stands_alone(stdin, run_prep):
    stdin(b"")
    code, out, err = run_prep("check", "-", SAMPLES / "chat_good.jsonl")
    assert (code, out) == (2, "")
    assert err == "prep: error: - reads standard input; give it alone, not with other files.\n"


def test_convert_reads_standard_input_and_writes_standard_output(stdin, run_prep, tmp_path):
    written = tmp_path / "faq.jsonl"
    code, _, _ = run_prep("convert", SAMPLES / "faq.csv", "-o", written, "--isolated")
    assert code == 0
    stdin((SAMPLES / "faq.csv").read_bytes())
    code, out, err = run_prep("convert", "-", "--file-type", "csv", "-o", "-", "--isolated")
    assert code == 0
    assert out.encode() == written.read_bytes()  # the records, and nothing else, on stdout
    assert "<stdin>: chat, 12 example(s), ok" in err
    assert err.endswith("prep: wrote 12 record(s) to standard output.\n")


def test_convert_to_standard_output_writes_nothing_when_the_data_has_errors(run_prep):
    code, out, err = run_prep("convert", SAMPLES / "legacy_products.csv", "-o", "-", "--isolated")
    assert code == 1 and out == ""
    assert err.endswith(
        "prep: did not write the records to standard output: the data has 2 error(s); fix them, or pass --force "
        "to write the 14 record(s) without errors.\n"
    )


def test_split_reads_standard_input_into_a_folder(stdin, run_prep, tmp_path):
    stdin((SAMPLES / "chat_good.jsonl").read_bytes())
    code, out, _ = run_prep("split", "-", "-o", tmp_path, "--isolated", "--valid-count", "6")
    assert code == 0
    assert out.splitlines()[0] == (
        f"wrote {tmp_path / 'stdin.train.jsonl'} (54 examples) and {tmp_path / 'stdin.valid.jsonl'} (6 examples)"
    )
    from_file = run_prep(
        "split", SAMPLES / "chat_good.jsonl", "-o", tmp_path / "file", "--isolated", "--valid-count", "6"
    )
    assert from_file[0] == 0
    assert (tmp_path / "stdin.valid.jsonl").read_bytes() == (tmp_path / "file" / "chat_good.valid.jsonl").read_bytes()
    stdin(b"")
    assert run_prep("split", "-") == (
        2,
        "",
        "prep: error: prep split - (standard input) needs -o DIR, the folder to write both files to.\n",
    )
