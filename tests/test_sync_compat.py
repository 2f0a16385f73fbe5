"""W&B's own WandbLogger.sync against what prep published (spec wandb-artifacts.md §3.7).

`WandbLogger.sync` runs for real, offline, against the fake OpenAI server; only its three
server touch-points are stubbed (`_ensure_logged_in`, `_get_wandb_run`,
`_get_wandb_artifact`), and `Run.use_artifact` (which raises offline) records its calls.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from prep.publishing.publisher import publish
from prep.publishing.wandb_log import WandbTracker
from tests.support import wandb_records
from tests.support.fake_openai import FakeOpenAI

MODEL = "gpt-4o-mini-2024-07-18"
PROJECT = "OpenAI-Fine-Tune"


def three(i: int) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": f"Q{i}?"},
            {"role": "assistant", "content": f"A{i}."},
        ]
    }


def two(i: int) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": f"Zürich № {i}? 😀"}, {"role": "assistant", "content": "Ja."}]}


SHAPES = {
    "three messages": lambda rows: "".join(json.dumps(r) + "\n" for r in rows),
    "two messages, unicode, CRLF": lambda rows: "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows),
}


@pytest.fixture
def published(
    fake_openai: FakeOpenAI, offline_wandb: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    shape = getattr(request, "param", "three messages")
    make = three if shape == "three messages" else two
    train, valid = tmp_path / "d" / "train.jsonl", tmp_path / "d" / "valid.jsonl"
    train.parent.mkdir()
    train.write_bytes(SHAPES[shape]([make(i) for i in range(12)]).encode())
    valid.write_bytes(SHAPES[shape]([make(100 + i) for i in range(3)]).encode())
    result = publish(
        train,
        valid=valid,
        model=MODEL,
        client=fake_openai.client(max_retries=0),
        tracker=WandbTracker(mode="offline"),
        wait=True,
        poll_interval=0,
        sleep=lambda s: None,
    )
    assert result.job_status == "succeeded"
    [log] = wandb_records.logged_runs(offline_wandb)
    ours = {a["name"]: a for a in log.artifacts if a["type"] in ("training_files", "validation_files")}
    return {"result": result, "artifacts": ours, "train": train, "valid": valid}


class SyncHarness:
    """Stubs the server touch-points of WandbLogger and records use_artifact."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, found: dict[str, Any]) -> None:
        import wandb
        from wandb.integration.openai.fine_tuning import WandbLogger

        self.logger = WandbLogger
        self.looked_up: list[str] = []
        self.used: list[tuple[Any, list[str]]] = []
        for name, value in (("_run", None), ("_wandb_api", None), ("_logged_in", False), ("openai_client", None)):
            monkeypatch.setattr(WandbLogger, name, value)
        monkeypatch.setattr(WandbLogger, "_ensure_logged_in", classmethod(lambda cls: None))
        monkeypatch.setattr(WandbLogger, "_get_wandb_run", classmethod(lambda cls, path: None))

        def get_artifact(cls: Any, path: str) -> Any:
            self.looked_up.append(path)
            return found.get(path)

        monkeypatch.setattr(WandbLogger, "_get_wandb_artifact", classmethod(get_artifact))
        monkeypatch.setattr(
            wandb.Run,
            "use_artifact",
            lambda run, artifact, aliases=None, **kw: self.used.append((artifact, aliases)) or artifact,
        )

    def sync(self, client: Any, job_id: str) -> str:
        return str(self.logger.sync(fine_tune_job_id=job_id, openai_client=client, project=PROJECT, entity=None))


def test_sync_reuses_the_published_artifacts(
    published: dict[str, Any], fake_openai: FakeOpenAI, offline_wandb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = published["result"]
    train_id, valid_id = (f.file_id for f in result.files)
    found = {}
    for f in result.files:  # what the server would hold: prep's artifacts, under the paths prep recorded
        art = published["artifacts"][f"{f.role}-{f.file_id}"]
        found[f.artifact] = SimpleNamespace(name=art["name"], metadata=art["metadata"], published=True)
    harness = SyncHarness(monkeypatch, found)

    tracker = WandbTracker(mode="offline")  # prep's own call of WandbLogger.sync (what --wait runs online)
    message = tracker.sync(job_id=result.job_id, client=fake_openai.client(max_retries=0), entity=None)

    assert message == "🎉 wandb sync completed successfully"
    assert harness.looked_up == [f"{PROJECT}/train-{train_id}:{train_id}", f"{PROJECT}/valid-{valid_id}:{valid_id}"]
    assert [(a.name, aliases) for a, aliases in harness.used] == [
        (f"train-{train_id}", ["latest", train_id]),
        (f"valid-{valid_id}", ["latest", valid_id]),
    ]
    assert all(getattr(a, "published", False) for a, _ in harness.used)
    contents = [r.path for r in fake_openai.requests if r.path.endswith("/content")]
    assert contents == [f"/v1/files/{fake_openai.jobs[0].data['result_files'][0]}/content"]  # results only
    [sync_run] = [log for log in wandb_records.logged_runs(offline_wandb) if log.run["run_id"] == result.job_id]
    assert (sync_run.config["n_train"], sync_run.config["n_valid"]) == (12, 3)
    assert sync_run.summary["status"] == "succeeded"
    assert sync_run.summary["fine_tuned_model"] == result.fine_tuned_model
    assert [(a["name"], a["aliases"]) for a in sync_run.artifacts if a["type"] == "model"] == [
        ("model-metadata", sorted([result.job_id, "latest"]))
    ]


@pytest.mark.parametrize("published", list(SHAPES), indirect=True)
def test_prep_digest_equals_the_digest_wandblogger_builds(
    published: dict[str, Any], fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = published["result"]
    harness = SyncHarness(monkeypatch, found={})  # nothing found: sync builds the artifacts itself

    harness.sync(fake_openai.client(max_retries=0), result.job_id)

    contents = {r.path for r in fake_openai.requests if r.path.endswith("/content")}
    assert {f"/v1/files/{f.file_id}/content" for f in result.files} <= contents  # sync downloaded both files
    built = {a.name: a for a, _ in harness.used}
    assert set(built) == set(published["artifacts"])
    for name, ours in published["artifacts"].items():
        theirs = built[name]
        assert theirs.digest == ours["digest"]
        assert theirs.type == ours["type"]
        assert {p: e.digest for p, e in theirs.manifest.entries.items()} == {
            p: digest for p, (digest, _, _) in ours["entries"].items()
        }
        assert theirs.metadata.get("items", ours["metadata"]["items"]) == ours["metadata"]["items"]
