"""The fake OpenAI server, driven by the real `openai` SDK; the W&B log reader."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types import FileObject
from openai.types.fine_tuning import FineTuningJob, FineTuningJobEvent

from tests.support.fake_openai import FakeOpenAI
from tests.support.wandb_records import logged_artifacts, logged_runs

CHAT = {
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]
}
TRAIN = (json.dumps(CHAT) + "\n").encode() * 3
MODEL = "gpt-4o-mini-2024-07-18"
TERMINAL = ("succeeded", "failed", "cancelled")


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> Iterator[openai.OpenAI]:
    with fake_openai.client(max_retries=0) as sdk_client:
        yield sdk_client


def upload(client: openai.OpenAI, content: bytes = TRAIN) -> FileObject:
    return client.files.create(file=("train.jsonl", content), purpose="fine-tune")


def processed_file(client: openai.OpenAI) -> FileObject:
    return client.files.wait_for_processing(upload(client).id, poll_interval=0)


def new_job(client: openai.OpenAI, **kwargs: Any) -> FineTuningJob:
    file_id = processed_file(client).id
    return client.fine_tuning.jobs.create(model=MODEL, training_file=file_id, **kwargs)


def run_job(client: openai.OpenAI, job_id: str) -> list[str]:
    """Retrieve the job until it ends; the statuses seen."""
    statuses: list[str] = []
    while len(statuses) < 20 and (not statuses or statuses[-1] not in TERMINAL):
        statuses.append(client.fine_tuning.jobs.retrieve(job_id).status)
    return statuses


# files


def test_upload_returns_a_file_object(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    file = upload(client)

    assert re.fullmatch(r"file-[0-9a-f]{24}", file.id)
    assert (file.object, file.status, file.purpose) == ("file", "uploaded", "fine-tune")
    assert (file.filename, file.bytes) == ("train.jsonl", len(TRAIN))
    assert [(u.id, u.content) for u in fake_openai.uploads] == [(file.id, TRAIN)]
    sent = fake_openai.requests[-1]
    assert (sent.method, sent.path, sent.status) == ("POST", "/v1/files", 200)
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.headers["authorization"] == "Bearer sk-test-fake-openai"
    assert sent.body_size > len(TRAIN)


@pytest.mark.parametrize(
    ("polls", "statuses"),
    [
        (0, ["processed"]),
        (1, ["processed"]),
        (3, ["uploaded", "uploaded", "processed"]),
    ],
)
def test_file_is_processed_after_the_configured_polls(
    fake_openai: FakeOpenAI, client: openai.OpenAI, polls: int, statuses: list[str]
) -> None:
    fake_openai.settings.processing_polls = polls
    file = upload(client)

    assert file.status == ("processed" if polls == 0 else "uploaded")
    assert [client.files.retrieve(file.id).status for _ in statuses] == statuses
    FileObject.model_validate(fake_openai.state.retrieve_file(file.id))


def test_wait_for_processing_polls_retrieve(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.settings.processing_polls = 3
    file = upload(client)

    done = client.files.wait_for_processing(file.id, poll_interval=0.01)

    assert done.status == "processed"
    assert len(fake_openai.requests_to("GET", f"/v1/files/{file.id}")) == 3


def test_file_with_the_failure_marker_ends_in_error(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.settings.fail_files_matching = b'"role": "system"'
    file = client.files.wait_for_processing(upload(client).id, poll_interval=0)

    assert file.status == "error"
    assert file.status_details == fake_openai.settings.file_error_details
    with pytest.raises(openai.BadRequestError, match="is not ready"):
        client.fine_tuning.jobs.create(model=MODEL, training_file=file.id)


@pytest.mark.parametrize(
    "content",
    [
        TRAIN,
        b"",
        b'\xef\xbb\xbf{"a": 1}\r\n{"b": 2}\r\n',
        b"no newline at the end",
        b"\x00\xff\xfe binary\r\r\n\n--boundary\r\nContent-Type: text/plain\r\n\r\n",
        "unicode: é ü 漢字 🙂\n".encode(),
    ],
)
def test_content_round_trips_byte_identical(client: openai.OpenAI, content: bytes) -> None:
    file = upload(client, content)

    assert file.bytes == len(content)
    assert client.files.content(file.id).read() == content


def test_list_and_delete_files(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    first, second = upload(client), upload(client)
    client.files.create(file=("notes.txt", b"notes"), purpose="assistants")

    listed = client.files.list(purpose="fine-tune")
    deleted = client.files.delete(first.id)

    assert [f.id for f in listed.data] == [second.id, first.id]
    assert (deleted.id, deleted.deleted) == (first.id, True)
    assert [f.id for f in client.files.list(purpose="fine-tune")] == [second.id]
    with pytest.raises(openai.NotFoundError, match="No such File object"):
        client.files.retrieve(first.id)
    assert len(fake_openai.uploads) == 3


# jobs


def test_job_progresses_to_succeeded(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    job = new_job(client, suffix="demo")

    statuses = run_job(client, job.id)
    done = client.fine_tuning.jobs.retrieve(job.id)

    assert re.fullmatch(r"ftjob-[0-9a-f]{24}", job.id)
    assert (job.status, job.object) == ("validating_files", "fine_tuning.job")
    assert statuses == ["queued", "running", "succeeded"]
    assert done.fine_tuned_model == f"ft:{MODEL}:org-fake:demo:{job.id[-8:]}"
    assert done.trained_tokens
    assert done.finished_at
    assert done.error is None
    FineTuningJob.model_validate(fake_openai.jobs[0].data)


def test_result_file_is_a_base64_csv_of_metrics(client: openai.OpenAI) -> None:
    job = new_job(client)
    run_job(client, job.id)
    result_id = client.fine_tuning.jobs.retrieve(job.id).result_files[0]

    result = client.files.retrieve(result_id)
    text = base64.b64decode(client.files.content(result_id).read()).decode()
    rows = list(csv.DictReader(io.StringIO(text)))

    assert (result.purpose, result.status) == ("fine-tune-results", "processed")
    assert list(rows[0]) == [
        "step",
        "train_loss",
        "train_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
    ]
    assert [r["step"] for r in rows] == ["1", "2", "3"]
    assert [r["valid_loss"] for r in rows] == ["", "", "0.95"]


def test_polls_per_status_slows_the_job_down(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.settings.polls_per_status = 2
    job = new_job(client)

    statuses = run_job(client, job.id)

    slow = ["validating_files", "queued", "queued", "running", "running", "succeeded"]
    assert statuses == slow


def test_job_can_end_failed(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.settings.job_outcome = "failed"
    job = new_job(client)

    statuses = run_job(client, job.id)
    failed = client.fine_tuning.jobs.retrieve(job.id)
    newest = client.fine_tuning.jobs.list_events(job.id).data[0]

    assert statuses == ["queued", "running", "failed"]
    assert failed.error is not None
    assert (failed.error.code, failed.error.param) == ("invalid_n_examples", "training_file")
    assert (failed.fine_tuned_model, failed.result_files) == (None, [])
    assert (newest.level, newest.message) == ("error", failed.error.message)
    FineTuningJob.model_validate(fake_openai.jobs[0].data)


def test_create_echoes_the_request(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    valid = processed_file(client)
    method: Any = {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1, "n_epochs": 2}}}
    wandb = {"project": "OpenAI-Fine-Tune", "entity": "team"}
    metadata = {"wandb_train_artifact": "team/OpenAI-Fine-Tune/train-file-x:file-x"}

    job = new_job(
        client,
        validation_file=valid.id,
        method=method,
        seed=7,
        metadata=metadata,
        integrations=[{"type": "wandb", "wandb": wandb}],
    )

    assert (job.validation_file, job.seed, job.metadata) == (valid.id, 7, metadata)
    assert job.method == FineTuningJob.model_validate(fake_openai.jobs[0].data).method
    assert job.method is not None
    assert job.method.type == "dpo"
    assert (job.hyperparameters.n_epochs, job.hyperparameters.batch_size) == (2, "auto")
    assert job.integrations is not None
    assert job.integrations[0].wandb.entity == "team"
    sent = fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")[0]
    assert fake_openai.jobs[0].request == sent.json()
    assert sent.json()["method"] == method


@pytest.mark.parametrize(
    ("field", "file_id", "message", "code"),
    [
        ("training_file", "file-x", "invalid training_file: file-x", "invalid_file_id"),
        ("validation_file", "file-x", "invalid validation_file", "invalid_file_id"),
        ("validation_file", "notes", "not 'fine-tune'", "invalid_file_purpose"),
    ],
)
def test_create_rejects_bad_files(client: openai.OpenAI, field: str, file_id: str, message: str, code: str) -> None:
    notes = client.files.create(file=("notes.txt", b"notes"), purpose="assistants")
    files = {"training_file": processed_file(client).id}
    files[field] = notes.id if file_id == "notes" else file_id

    with pytest.raises(openai.BadRequestError, match=message) as caught:
        client.fine_tuning.jobs.create(model=MODEL, **files)  # type: ignore[arg-type]

    error = caught.value
    assert (error.param, error.code, error.type) == (field, code, "invalid_request_error")


def test_create_rejects_a_file_not_yet_processed(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    file = upload(client)

    with pytest.raises(openai.BadRequestError, match=f"File {file.id} is not ready") as e:
        client.fine_tuning.jobs.create(model=MODEL, training_file=file.id)

    assert e.value.code == "file_not_ready"
    assert fake_openai.jobs == []


def test_create_rejects_bad_metadata(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        new_job(client, metadata={"k": "v" * 513})

    assert caught.value.param == "metadata"


def test_refused_job_raises_bad_request_with_the_server_text(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.settings.refuse_jobs_with = "Quota exceeded for fine-tuning jobs"

    with pytest.raises(openai.BadRequestError, match="Quota exceeded for fine") as caught:
        new_job(client)

    assert caught.value.status_code == 400
    assert fake_openai.jobs == []


def test_list_jobs_filters_on_metadata_and_pages(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    a1, _, a2 = (new_job(client, metadata={"run": run}) for run in ("a", "b", "a"))

    first = client.fine_tuning.jobs.list(metadata={"run": "a"}, limit=1)

    assert [j.id for j in first.data] == [a2.id]
    assert first.has_more
    assert fake_openai.requests[-1].query == {"metadata[run]": "a", "limit": "1"}
    assert [j.id for j in first] == [a2.id, a1.id]  # auto-pagination with `after`
    assert len(client.fine_tuning.jobs.list().data) == 3


def test_events_are_listed_newest_first(client: openai.OpenAI) -> None:
    job = new_job(client)
    run_job(client, job.id)

    events = client.fine_tuning.jobs.list_events(job.id, limit=2)
    everything = list(client.fine_tuning.jobs.list_events(job.id))

    assert len(events.data) == 2
    assert events.has_more
    assert events.data[0].message == "The job has successfully completed"
    assert everything[-1].message == f"Created fine-tuning job: {job.id}"
    assert all(isinstance(e, FineTuningJobEvent) for e in everything)
    assert [e.type for e in everything].count("metrics") == 1


def test_cancel_job(client: openai.OpenAI) -> None:
    job = new_job(client)

    cancelled = client.fine_tuning.jobs.cancel(job.id)

    assert cancelled.status == "cancelled"
    assert client.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError, match="already completed"):
        client.fine_tuning.jobs.cancel(job.id)


def test_unknown_job_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="ftjob-missing"):
        client.fine_tuning.jobs.retrieve("ftjob-missing")


def http_error(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    """Status and `error` object of a plain GET that fails."""
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
    with caught.value as reply:
        return reply.code, json.load(reply)["error"]


def test_missing_key_and_unknown_route(fake_openai: FakeOpenAI) -> None:
    key = {"Authorization": "Bearer sk-test"}

    no_key = http_error(fake_openai.base_url + "/files", {})
    unknown = http_error(fake_openai.base_url + "/models", key)

    assert (no_key[0], no_key[1]["code"]) == (401, "invalid_api_key")
    assert (unknown[0], unknown[1]["message"]) == (404, "Invalid URL (GET /v1/models)")


# faults and the SDK's retries


@pytest.mark.parametrize("status", [429, 500, 503])
def test_sdk_retries_transient_errors(fake_openai: FakeOpenAI, status: int) -> None:
    fake_openai.fail_next("/v1/files", status, times=2)

    with fake_openai.client(max_retries=2) as client:
        file = upload(client)

    attempts = fake_openai.requests_to("POST", "/v1/files")
    assert [(r.status, r.headers["x-stainless-retry-count"]) for r in attempts] == [
        (status, "0"),
        (status, "1"),
        (200, "2"),
    ]
    assert [u.id for u in fake_openai.uploads] == [file.id]


def test_persistent_5xx_raises_internal_server_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next("/v1/files", 500, times=3)

    with (
        fake_openai.client(max_retries=2) as client,
        pytest.raises(openai.InternalServerError, match="Injected fault: HTTP 500"),
    ):
        upload(client)

    assert len(fake_openai.requests_to("POST", "/v1/files")) == 3
    assert fake_openai.uploads == []


def test_faults_match_method_and_prefix(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.fail_next("/v1/fine_tuning", 500, method="POST")
    file = processed_file(client)

    with pytest.raises(openai.InternalServerError):
        client.fine_tuning.jobs.create(model=MODEL, training_file=file.id)
    job = client.fine_tuning.jobs.create(model=MODEL, training_file=file.id)

    assert job.status == "validating_files"


def test_dropped_connections_are_retried_then_fail(fake_openai: FakeOpenAI) -> None:
    fake_openai.drop_next("/v1/files", times=3)

    with fake_openai.client(max_retries=1) as client:
        with pytest.raises(openai.APIConnectionError):
            upload(client)
        file = upload(client)

    assert [r.status for r in fake_openai.requests] == [None, None, None, 200]
    assert [u.id for u in fake_openai.uploads] == [file.id]


def test_lost_reply_after_upload_makes_the_sdk_upload_twice(fake_openai: FakeOpenAI) -> None:
    fake_openai.drop_next("/v1/files", after_processing=True)

    with fake_openai.client(max_retries=1) as client:
        file = upload(client)

    first, second = fake_openai.uploads  # uploads carry no idempotency key
    assert second.id == file.id
    assert first.content == second.content


class ReadOnlyFile:
    """A file-like object without seek/fileno: httpx streams it chunked."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def test_unseekable_upload_is_chunked_and_never_retried(fake_openai: FakeOpenAI) -> None:
    streams: list[Any] = [ReadOnlyFile(TRAIN), ReadOnlyFile(TRAIN)]
    with fake_openai.client(max_retries=2) as client:
        file = client.files.create(file=("a.jsonl", streams[0]), purpose="fine-tune")
        fake_openai.fail_next("/v1/files", 500)
        with pytest.raises(openai.InternalServerError):
            client.files.create(file=("b.jsonl", streams[1]), purpose="fine-tune")

    assert fake_openai.requests[0].headers["transfer-encoding"] == "chunked"
    assert [(u.id, u.content) for u in fake_openai.uploads] == [(file.id, TRAIN)]
    assert len(fake_openai.requests_to("POST", "/v1/files")) == 2


# Azure


def test_azure_client_uses_the_openai_prefix(fake_openai: FakeOpenAI) -> None:
    with fake_openai.azure_client(max_retries=0) as azure:
        file = azure.files.wait_for_processing(upload(azure).id, poll_interval=0)
        job = azure.fine_tuning.jobs.create(model=MODEL, training_file=file.id)
        listed = azure.fine_tuning.jobs.list()
        content = azure.files.content(file.id).read()

    assert [j.id for j in listed.data] == [job.id]
    assert content == TRAIN
    sent = fake_openai.requests[0]
    assert (sent.path, sent.query) == ("/openai/files", {"api-version": "2024-10-21"})
    assert sent.headers["api-key"] == "sk-test-fake-openai"
    assert "authorization" not in sent.headers
    assert all(r.path.startswith("/openai/") for r in fake_openai.requests)


# W&B offline records (shared/docs/wandb-artifacts.md §2.2 and §3.4)

KIND = {"train": "training_files", "valid": "validation_files"}
TABLE_COLUMNS: list[str | int] = ["role: system", "role: user", "role: assistant"]


def build_artifact(prefix: str, file_id: str, path: Path, metadata: dict[str, Any]) -> Any:
    """§2.2's `build_artifact`, for 3-message chat records (so always with a table)."""
    import wandb

    raw = path.read_bytes()
    lines = [line for line in raw.decode("utf-8").splitlines() if line.strip()]
    name = re.sub(r"[^a-zA-Z0-9_\-.]", "_", f"{prefix}-{file_id}")
    metadata = {**metadata, "items": len(lines)}
    art = wandb.Artifact(name, type=KIND[prefix], metadata=metadata)
    art.add_file(str(path), name=file_id)
    table = wandb.Table(columns=TABLE_COLUMNS)
    for line in lines:
        table.add_data(*(m["content"] for m in json.loads(line)["messages"]))
    art.add(table, file_id)
    return art


def b64_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_logged_artifact_reads_back(offline_wandb: Path) -> None:
    import wandb

    path = offline_wandb / "train.jsonl"
    path.write_bytes(TRAIN)
    file_id, sha = "file-abc123", hashlib.sha256(TRAIN).hexdigest()
    run = wandb.init(project="OpenAI-Fine-Tune", entity="team", job_type="publish")
    with run:
        art = build_artifact("train", file_id, path, {"sha256": sha})
        run.log_artifact(art, aliases=["latest", file_id])

    [logged] = logged_artifacts(offline_wandb)

    assert (logged["name"], logged["type"]) == ("train-file-abc123", "training_files")
    assert (logged["project"], logged["entity"]) == ("OpenAI-Fine-Tune", "team")
    assert (logged["digest"], logged["run_id"]) == (art.digest, run.id)
    assert logged["aliases"] == [file_id, "latest"]
    assert logged["metadata"] == {"items": 3, "sha256": sha}
    assert set(logged["entries"]) == {file_id, f"{file_id}.table.json"}
    digest, size, local_path = logged["entries"][file_id]
    assert (digest, size) == (b64_md5(TRAIN), len(TRAIN))
    assert Path(local_path).read_bytes() == TRAIN
    table = Path(logged["entries"][f"{file_id}.table.json"][2]).read_text()
    assert json.loads(table)["columns"] == TABLE_COLUMNS


def test_run_config_and_summary_read_back(offline_wandb: Path) -> None:
    import wandb

    big = "x" * 100_000  # a record spanning several 32 KiB log blocks
    with wandb.init(project="p", job_type="publish", name="pub", config={"m": MODEL}) as run:
        run.config.update({"nested": {"big": big}})  # type: ignore[no-untyped-call]
        run.summary["n_train"] = 3

    [log] = logged_runs(offline_wandb)

    assert log.run == {
        "run_id": run.id,
        "display_name": "pub",
        "job_type": "publish",
        "project": "p",
        "entity": "",
        "tags": [],
    }
    assert log.config["m"] == MODEL
    assert log.config["nested"] == {"big": big}
    assert log.summary["n_train"] == 3
    assert log.artifacts == []


def test_reader_waits_for_the_exit_record_of_a_run(tmp_path: Path) -> None:
    log = tmp_path / "wandb" / "offline-run-20260101_000000-x" / "run-x.wandb"
    log.parent.mkdir(parents=True)
    log.write_bytes(b":W&B\xe1\xbe\x00")  # header only: what `finish()` may leave for a moment

    with pytest.raises(TimeoutError, match="no exit record"):
        logged_runs(tmp_path, timeout=0.1)
