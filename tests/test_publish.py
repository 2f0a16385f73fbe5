"""prep.publish against the local OpenAI-compatible server (real SDK, real HTTP) and offline W&B."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from prep.errors import PublishError, UsageError
from prep.publishing.jobs import JobSpec
from prep.publishing.publisher import publish
from prep.publishing.steps import ProviderRejectedError
from prep.publishing.types import CheckFailedError, PublishResult
from prep.publishing.wandb_log import TABLE_COLUMNS, WandbTracker, build_artifact
from tests.support.fake_openai import FakeOpenAI
from tests.support.publish_data import PublishRun, example, train_and_valid, write
from tests.support.wandb_records import logged_artifacts, logged_runs

MODEL = "gpt-4o-mini-2024-07-18"
PROJECT = "OpenAI-Fine-Tune"


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    return train_and_valid(tmp_path / "data")


class Run(PublishRun):
    """Calls publish() with the fake OpenAI server and offline W&B, collecting events."""

    def __init__(self, server: FakeOpenAI, data: tuple[Path, Path]) -> None:
        super().__init__(data)
        self.server = server

    def __call__(self, *, client: Any = None, **kwargs: Any) -> PublishResult:
        kwargs.setdefault("model", MODEL)
        return self.publish(client=client or self.server.client(max_retries=0), **kwargs)


@pytest.fixture
def run(fake_openai: FakeOpenAI, data: tuple[Path, Path], offline_wandb: Path) -> Run:
    return Run(fake_openai, data)


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def dataset_artifacts(wandb_dir: Path) -> list[dict[str, Any]]:
    return [a for a in logged_artifacts(wandb_dir) if a["type"] in ("training_files", "validation_files")]


# the whole publish


def test_publish_uploads_logs_artifacts_then_creates_the_job(
    run: Run, fake_openai: FakeOpenAI, offline_wandb: Path
) -> None:
    result = run()

    uploads = fake_openai.uploads
    assert [(u.filename, u.purpose, u.content) for u in uploads] == [
        ("train.jsonl", "fine-tune", run.train.read_bytes()),
        ("valid.jsonl", "fine-tune", run.valid.read_bytes()),
    ]
    train_id, valid_id = (u.id for u in uploads)
    [job] = fake_openai.jobs
    assert (result.job_id, result.job_created) == (job.id, True)
    assert (job.request["training_file"], job.request["validation_file"], job.request["model"]) == (
        train_id,
        valid_id,
        MODEL,
    )
    assert job.request["method"] == {"type": "supervised"}
    assert job.request["metadata"]["wandb_train_artifact"] == f"{PROJECT}/train-{train_id}:{train_id}"
    assert job.request["metadata"]["wandb_valid_artifact"] == f"{PROJECT}/valid-{valid_id}:{valid_id}"
    assert job.request["metadata"]["prep_train_sha256"] == hashlib.sha256(run.train.read_bytes()).hexdigest()

    kinds = [e.kind for e in run.events]
    assert kinds.index("job") > max(i for i, k in enumerate(kinds) if k == "wandb")  # artifacts before the job
    [log] = logged_runs(offline_wandb)
    assert (log.run["job_type"], log.run["project"]) == ("publish-fine-tune-data", PROJECT)
    assert log.summary["fine_tune_job_id"] == job.id
    assert log.config["fine_tune_job"]["training_file"] == train_id


@pytest.mark.parametrize("role", ["train", "valid"])
def test_artifacts_are_what_wandblogger_builds(
    run: Run, fake_openai: FakeOpenAI, offline_wandb: Path, role: str
) -> None:
    run()
    path = run.train if role == "train" else run.valid
    file_id = fake_openai.uploads[0 if role == "train" else 1].id
    raw = path.read_bytes()

    [art] = [a for a in dataset_artifacts(offline_wandb) if a["name"] == f"{role}-{file_id}"]

    assert art["type"] == {"train": "training_files", "valid": "validation_files"}[role]
    assert art["aliases"] == sorted([file_id, "latest"])
    assert art["project"] == PROJECT
    assert set(art["entries"]) == {file_id, f"{file_id}.table.json"}
    digest, size, local = art["entries"][file_id]
    assert (digest, size, Path(local).read_bytes()) == (b64md5(raw), len(raw), raw)
    table = json.loads(Path(art["entries"][f"{file_id}.table.json"][2]).read_text())
    assert table["columns"] == TABLE_COLUMNS and len(table["data"]) == len(raw.splitlines())
    meta = art["metadata"]
    assert meta["items"] == len(raw.splitlines())
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (meta["format"], meta["role"], meta["source"], meta["bytes"]) == ("chat", role, path.name, len(raw))
    assert meta["check"]["ok"] is True and meta["stats"]["tokens"]["total"] > 0
    assert art["digest"] == build_artifact(role, file_id, path, meta).digest


def test_examples_table_is_logged_to_the_run_not_to_the_artifact(run: Run, offline_wandb: Path) -> None:
    run()

    names = [a["name"] for a in logged_artifacts(offline_wandb)]
    [log] = logged_runs(offline_wandb)
    run_id = log.run["run_id"]
    assert f"run-{run_id}-train_examples" in names and f"run-{run_id}-valid_examples" in names
    [train_art] = [a for a in dataset_artifacts(offline_wandb) if a["type"] == "training_files"]
    assert train_art["metadata"]["examples_table"] == {"key": "train_examples", "rows": 12, "truncated": False}
    [table_art] = [a for a in logged_artifacts(offline_wandb) if a["name"] == f"run-{run_id}-train_examples"]
    [(_, _, local)] = table_art["entries"].values()
    table = json.loads(Path(local).read_text())
    assert table["columns"][:4] == ["line", "system", "user", "assistant"]
    assert table["data"][0][:4] == [1, "You are terse.", "q0: capital of country 0?", "City 0."]


# idempotence and resuming


def test_a_second_publish_uploads_and_logs_nothing(run: Run, fake_openai: FakeOpenAI, offline_wandb: Path) -> None:
    first = run()
    requests = len(fake_openai.requests)

    second = run()

    assert len(fake_openai.requests) == requests  # not a single call to the service
    assert (second.job_id, second.job_created) == (first.job_id, False)
    assert [f.uploaded or f.logged for f in second.files] == [False, False]
    assert len(logged_runs(offline_wandb)) == 1 and len(dataset_artifacts(offline_wandb)) == 2
    assert any("already created" in m for m in run.messages("job"))


def test_a_refused_job_resumes_without_uploading_or_logging_again(
    run: Run, fake_openai: FakeOpenAI, offline_wandb: Path
) -> None:
    fake_openai.settings.refuse_jobs_with = "Model gpt-4o-mini-2024-07-18 is not available for fine-tuning."
    with pytest.raises(PublishError) as info:
        run()
    words = "Creating the fine-tuning job failed: HTTP 400: Model gpt-4o-mini-2024-07-18 is not available"
    assert words in str(info.value)
    assert str(run.ledger.path) in str(info.value)
    ledger = run.ledger.data
    assert [e["state"] for e in ledger["uploads"].values()] == ["processed", "processed"]
    assert len(ledger["artifacts"]) == 2
    [job] = ledger["jobs"].values()
    assert job["state"] == "refused" and "not available" in job["error"]
    assert "not available" in logged_runs(offline_wandb)[0].summary["publish_error"]

    fake_openai.settings.refuse_jobs_with = None
    result = run()

    assert len(fake_openai.uploads) == 2 and len(dataset_artifacts(offline_wandb)) == 2
    assert result.job_created and len(fake_openai.jobs) == 1
    [second] = [log for log in logged_runs(offline_wandb) if not log.artifacts]  # a run that logs no artifact
    assert second.summary["fine_tune_job_id"] == result.job_id


def test_an_upload_whose_reply_was_lost_is_found_not_repeated(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.drop_next("/v1/files", method="POST", after_processing=True)

    result = run(tracker=None, client=fake_openai.client())  # the SDK's default retries are on

    assert len(fake_openai.uploads) == 2  # train once (found again), valid once
    assert len(fake_openai.requests_to("POST", "/v1/files")) == 2
    assert result.files[0].file_id == fake_openai.uploads[0].id
    assert any("found the upload of the interrupted publish" in m for m in run.messages("upload"))


def test_a_job_whose_reply_was_lost_is_found_not_repeated(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.drop_next("/v1/fine_tuning/jobs", method="POST", after_processing=True)

    result = run(tracker=None, client=fake_openai.client())

    assert len(fake_openai.jobs) == 1 and result.job_id == fake_openai.jobs[0].id
    assert len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 1
    [entry] = run.ledger.data["jobs"].values()
    assert (entry["state"], entry["job_id"]) == ("created", result.job_id)
    assert any("its answer was lost, and prep found it" in m for m in run.messages("job"))


def test_new_job_reuses_files_and_artifacts(run: Run, fake_openai: FakeOpenAI, offline_wandb: Path) -> None:
    first = run()
    second = run(new_job=True)

    assert len(fake_openai.uploads) == 2 and len(dataset_artifacts(offline_wandb)) == 2
    assert len(fake_openai.jobs) == 2 and second.job_id != first.job_id
    [entry] = run.ledger.data["jobs"].values()
    assert entry["previous_job_ids"] == [first.job_id]


def test_other_parameters_make_another_job_with_the_same_files(run: Run, fake_openai: FakeOpenAI) -> None:
    run(tracker=None)
    result = run(tracker=None, job=JobSpec(model=MODEL, n_epochs=2, suffix="v2"))

    assert len(fake_openai.uploads) == 2 and len(fake_openai.jobs) == 2
    assert fake_openai.jobs[1].request["method"] == {
        "type": "supervised",
        "supervised": {"hyperparameters": {"n_epochs": 2}},
    }
    assert fake_openai.jobs[1].request["suffix"] == "v2" and result.job_created


def test_a_file_deleted_on_the_service_is_uploaded_again_for_a_new_job(run: Run, fake_openai: FakeOpenAI) -> None:
    run(tracker=None)
    fake_openai.client().files.delete(fake_openai.uploads[0].id)

    result = run(tracker=None, job=JobSpec(model=MODEL, n_epochs=3))

    assert len(fake_openai.uploads) == 3 and result.files[0].uploaded and not result.files[1].uploaded
    assert fake_openai.jobs[1].request["training_file"] == fake_openai.uploads[2].id


def test_each_endpoint_has_its_own_uploads(run: Run, fake_openai: FakeOpenAI) -> None:
    run(tracker=None)
    with FakeOpenAI() as other:
        run(tracker=None, client=other.client(max_retries=0))
        assert len(other.uploads) == 2
    assert len(fake_openai.uploads) == 2
    assert len(run.ledger.data["uploads"]) == 4


# failures


def test_a_file_the_service_marks_error_is_p411_in_the_report(
    run: Run, fake_openai: FakeOpenAI, offline_wandb: Path
) -> None:
    fake_openai.settings.fail_files_matching = b"capital"

    with pytest.raises(ProviderRejectedError) as info:
        run()

    train_id, valid_id = (u.id for u in fake_openai.uploads)
    assert str(info.value) == (
        "OpenAI refused 2 file(s) after upload (P411, with its words above); fix the data and publish again. "
        "No artifact and no job were made."
    )
    words = "Invalid file format. Example 1 is missing key 'messages'."
    assert [(i.code, i.path, i.line, i.message) for i in info.value.issues] == [
        ("P411", str(run.train), None, f"OpenAI refused the file after upload: {words}"),
        ("P411", str(run.valid), None, f"OpenAI refused the file after upload: {words}"),
    ]
    assert not info.value.report.ok and [f.codes["P411"] for f in info.value.report.files] == [1, 1]
    entries = run.ledger.data["uploads"].values()
    assert [(e["state"], e["file_id"], e["status_details"]) for e in entries] == [
        ("invalid", train_id, words),
        ("invalid", valid_id, words),
    ]
    assert not fake_openai.jobs and not logged_runs(offline_wandb)
    assert {r.path for r in fake_openai.requests if r.method == "DELETE"} == {
        f"/v1/files/{train_id}",
        f"/v1/files/{valid_id}",
    }  # nothing left behind

    before = len(fake_openai.requests)
    with pytest.raises(ProviderRejectedError):
        run()
    assert len(fake_openai.requests) == before  # the same bytes meet the recorded verdict: nothing sent


def test_server_errors_after_the_sdks_retries(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("/v1/files", 503, times=5, method="POST")

    with pytest.raises(PublishError) as info:
        run(tracker=None, client=fake_openai.client(max_retries=2))

    assert f"Uploading {run.train} failed: HTTP 503: Injected fault: HTTP 503" in str(info.value)
    assert len(fake_openai.requests_to("POST", "/v1/files")) == 3  # the SDK retried twice
    assert not fake_openai.uploads


def test_network_errors(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.drop_next("/v1/files", times=5)
    with pytest.raises(PublishError, match=r"Uploading .* failed: Connection error.*could not be reached"):
        run(tracker=None)


def test_check_errors_refuse_before_anything_unless_forced(run: Run, fake_openai: FakeOpenAI) -> None:
    write(run.train, [example(i) for i in range(12)] + [{"messages": [{"role": "user", "content": "no answer"}]}])

    with pytest.raises(CheckFailedError, match=r"1 error\(s\) in the data.*--force") as info:
        run(tracker=None)
    assert info.value.report.files[0].codes["P204"] == 1
    assert not fake_openai.requests and not run.ledger.path.exists()
    assert run.events[0].kind == "report"

    run(tracker=None, force=True)
    assert len(fake_openai.uploads) == 2


def test_invalid_job_parameters_stop_before_the_check(run: Run, fake_openai: FakeOpenAI) -> None:
    with pytest.raises(UsageError, match="n_epochs must be"):
        run(job=JobSpec(model=MODEL, n_epochs=99))
    with pytest.raises(UsageError, match="needs a validation file"):
        run(valid=None, job=JobSpec(model="o4-mini", method="reinforcement", grader={"type": "string_check"}))
    assert not run.events and not fake_openai.requests


def test_secrets_are_removed_from_the_services_words(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.settings.refuse_jobs_with = "Incorrect API key provided: sk-test-fake-openai. Or sk-proj-abcdef123456."
    with pytest.raises(PublishError) as info:
        run(tracker=None, secrets=("sk-test-fake-openai",))
    assert "fake-openai" not in str(info.value) and "abcdef123456" not in str(info.value)
    assert "Incorrect API key provided: ***. Or sk-***." in str(info.value)


# waiting


def test_wait_follows_the_events_to_the_end(run: Run, fake_openai: FakeOpenAI, offline_wandb: Path) -> None:
    result = run(wait=True)

    assert result.job_status == "succeeded"
    assert result.fine_tuned_model == fake_openai.jobs[0].data["fine_tuned_model"]
    events = run.messages("event")
    assert events[0] == f"Created fine-tuning job: {result.job_id}"
    assert "step 3/3: train_loss=0.87" in events and events[-1] == "The job has successfully completed"
    assert len(events) == len(set(events))
    [note] = run.messages("note")
    run_dir = logged_runs(offline_wandb)[0].path.parent
    assert f"wandb sync {run_dir}" in note
    assert (f"WandbLogger.sync(fine_tune_job_id='{result.job_id}', project='{PROJECT}', entity=None)") in note
    entry = next(iter(run.ledger.data["jobs"].values()))
    assert (entry["status"], entry["synced"]) == ("succeeded", False)


def test_wait_reports_a_failed_job_in_the_services_words(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.settings.job_outcome = "failed"

    with pytest.raises(PublishError) as info:
        run(tracker=None, wait=True)

    job_id = fake_openai.jobs[0].id
    assert str(info.value) == (
        f"Fine-tuning job {job_id} failed: Training file has 3 example(s), but must have "
        "at least 10 examples (code invalid_n_examples)"
    )
    assert next(iter(run.ledger.data["jobs"].values()))["status"] == "failed"


class FakeTracker(WandbTracker):
    """An online tracker whose sync is recorded instead of calling W&B's server."""

    synced: list[tuple[str, str | None]]

    def __init__(self) -> None:
        super().__init__(mode="offline")
        self.synced = []

    @property
    def offline(self) -> bool:
        return False

    def sync(self, *, job_id: str, client: Any, entity: str | None) -> str:
        self.synced.append((job_id, entity))
        return "🎉 wandb sync completed successfully"


def test_wait_runs_the_sync_once_when_online(run: Run) -> None:
    tracker = FakeTracker()
    result = run(tracker=tracker, wait=True)
    first = run.messages()
    again = run(tracker=tracker, wait=True)

    assert tracker.synced == [(result.job_id, None)]
    assert result.synced and again.synced
    assert "W&B: 🎉 wandb sync completed successfully" in first
    assert any("already synced" in m for m in run.messages("sync"))


# endpoints, dry runs


def test_azure_openai_through_the_sdks_azure_client(run: Run, fake_openai: FakeOpenAI) -> None:
    result = run(tracker=None, client=fake_openai.azure_client(max_retries=0), wait=True)

    assert result.job_status == "succeeded"
    assert {r.path.split("/")[1] for r in fake_openai.requests} == {"openai"}
    assert all(r.query.get("api-version") for r in fake_openai.requests)
    assert result.base_url == f"{fake_openai.url}/openai"
    assert all(k.endswith(f"@{fake_openai.url}/openai") for k in run.ledger.data["uploads"])


def test_dry_run_touches_nothing(run: Run, fake_openai: FakeOpenAI, offline_wandb: Path) -> None:
    result = run(dry_run=True, wait=True, client=None, tracker=WandbTracker(mode="offline"))

    plan = run.messages("plan")
    assert result.dry_run and not result.job_id
    assert not fake_openai.requests and not run.ledger.path.exists()
    assert not (offline_wandb / "wandb").exists()
    assert any(m.startswith(f"upload: would upload {run.train}") for m in plan)
    assert any(m.startswith("wandb: would log artifact train-<file id> (type training_files") for m in plan)
    assert any(m.startswith("job: would call client.fine_tuning.jobs.create(") for m in plan)
    assert result.request is not None and result.request["training_file"] == "<file id of train.jsonl>"


def test_dry_run_after_a_publish_says_what_is_done(run: Run, fake_openai: FakeOpenAI) -> None:
    done = run()
    count = len(fake_openai.requests)

    run(dry_run=True, client=None, base_url=fake_openai.base_url)

    plan = run.messages("plan")
    assert len(fake_openai.requests) == count
    assert f"job: {done.job_id} is already created (ledger); no new job" in plan
    assert any("already uploaded" in m for m in plan) and any("already logged" in m for m in plan)


def test_a_file_that_is_never_processed_times_out(run: Run, fake_openai: FakeOpenAI) -> None:
    fake_openai.settings.processing_polls = 10**9
    with pytest.raises(PublishError, match="is still 'uploaded' after 0 s; run again to keep waiting"):
        publish(
            run.train,
            model=MODEL,
            client=fake_openai.client(max_retries=0),
            poll_interval=0.1,
            file_timeout=0.3,
            sleep=lambda s: None,
        )
    assert len(fake_openai.requests_to("GET", "/v1/files/")) == 3
