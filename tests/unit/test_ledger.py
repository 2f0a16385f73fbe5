"""prep.ledger: keyed by sha256 + base URL, written atomically, never holding credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prep.errors import PrepError
from prep.publishing.ledger import LEDGER_VERSION, Ledger, canonical_base_url, default_ledger_path


def test_default_location_is_beside_the_training_file(tmp_path: Path) -> None:
    assert default_ledger_path(tmp_path / "data" / "train.jsonl") == tmp_path / "data" / ".prep" / "ledger.json"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://llm.example.com/v1/", "https://llm.example.com/v1"),
        ("HTTPS://LLM.Example.com/v1", "https://llm.example.com/v1"),
        ("https://user:sk-secret@proxy.example:8443/v1?api-key=sk-secret#x", "https://proxy.example:8443/v1"),
        ("https://res.openai.azure.com/openai/", "https://res.openai.azure.com/openai"),
        ("http://127.0.0.1:5000/v1", "http://127.0.0.1:5000/v1"),
    ],
)
def test_canonical_base_url_drops_credentials_query_and_slash(url: str, canonical: str) -> None:
    assert canonical_base_url(url) == canonical


def test_entries_round_trip_and_are_written_at_once(tmp_path: Path) -> None:
    path = tmp_path / ".prep" / "ledger.json"
    ledger = Ledger.load(path)
    key = Ledger.upload_key("ab" * 32, "https://llm.example.com/v1/")

    ledger.update("uploads", key, state="started", bytes=10)
    ledger.update("uploads", key, state="processed", file_id="file-1")

    again = Ledger.load(path)
    entry = again.get("uploads", key)
    assert entry is not None and (entry["state"], entry["file_id"], entry["bytes"]) == ("processed", "file-1", 10)
    assert key == f"{'ab' * 32}@https://llm.example.com/v1"
    assert json.loads(path.read_text())["version"] == LEDGER_VERSION
    assert [p.name for p in path.parent.iterdir()] == ["ledger.json"]  # no temporary file left


def test_keys_separate_endpoints_and_projects() -> None:
    sha = "cd" * 32
    assert Ledger.upload_key(sha, "https://a.example/v1") != Ledger.upload_key(sha, "https://b.example/v1")
    assert Ledger.artifact_key("file-1", "https://a/v1", None, "P") == "file-1@https://a/v1@-/P"
    team, default = (Ledger.artifact_key("file-1", "https://a/v1", e, "P") for e in ("team", None))
    assert team != default


def test_readonly_ledger_never_writes(tmp_path: Path) -> None:
    path = tmp_path / ".prep" / "ledger.json"
    ledger = Ledger.load(path, readonly=True)
    ledger.update("jobs", "k", job_id="ftjob-1")
    assert ledger.get("jobs", "k")["job_id"] == "ftjob-1"
    assert not path.parent.exists()


def test_remove(tmp_path: Path) -> None:
    ledger = Ledger.load(tmp_path / "l.json")
    ledger.update("uploads", "k", state="processed")
    ledger.remove("uploads", "k")
    assert Ledger.load(tmp_path / "l.json").get("uploads", "k") is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 99}', "[]"])
def test_unreadable_ledger_is_an_error_not_overwritten(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(content)
    with pytest.raises(PrepError, match="move it aside"):
        Ledger.load(path)
    assert path.read_text() == content
