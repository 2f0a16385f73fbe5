"""The fake Together and Fireworks servers, driven by the real SDKs (together 3.1.1, fireworks-ai 1.2.30).

Besides checking the fakes, these tests pin down what each SDK sends and how it retries:
tests/support/PROVIDERS.md states the same facts for the publisher's author.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_http import CA_FILE, RecordedRequest
from tests.support.fake_openai_routes import parse_form
from tests.support.fake_together import FakeTogether, check_lines

together = pytest.importorskip("together", minversion="3.1")
fireworks = pytest.importorskip("fireworks")
if not hasattr(fireworks, "Fireworks"):  # the unrelated `fireworks` package from PyPI
    pytest.skip("needs fireworks-ai, not the `fireworks` workflow package", allow_module_level=True)

from fireworks.lib.dataset_upload import DatasetUploadError, upload_dataset_shards  # noqa: E402

CHAT = {
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]
}
NO_ROLE = {"messages": [{"content": "Capital of France?"}, {"role": "assistant", "content": "Paris."}]}
TOGETHER_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
FIREWORKS_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
WANDB_KEY = "wandb-key-0123456789abcdef0123456789abcdef01234567"
TOGETHER_TERMINAL = ("completed", "error", "user_error", "cancelled")
FIREWORKS_TERMINAL = ("JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No provider settings from the developer's shell; retries without the SDKs' 0.5-10 s sleeps."""
    for name in (
        "TOGETHER_API_KEY", "TOGETHER_BASE_URL", "TOGETHER_PROJECT_ID", "TOGETHER_CUSTOM_HEADERS",
        "FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID", "FIREWORKS_BASE_URL", "FIREWORKS_CUSTOM_HEADERS",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    # Only the delay changes: which requests are retried, and how often, stays the SDKs' own.
    monkeypatch.setattr(together._base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(fireworks._base_client, "INITIAL_RETRY_DELAY", 0.001)


@pytest.fixture
def train_file(write_jsonl: Callable[..., Path]) -> Path:
    return write_jsonl([CHAT] * 3, name="train.jsonl")


def retry_counts(requests: list[RecordedRequest]) -> list[str]:
    return [r.headers.get("x-stainless-retry-count", "") for r in requests]


def idempotency_headers(requests: list[RecordedRequest]) -> set[str]:
    return {name for r in requests for name in r.headers if "idempot" in name}


def test_sdk_facts_the_note_relies_on() -> None:
    """The numbers PROVIDERS.md quotes from the SDK sources (change the note if this fails)."""
    from fireworks import _constants as fireworks_constants
    from together import _constants as together_constants
    from together.lib import constants as together_lib

    for constants, initial, maximum in ((together_constants, 1.0, 10.0), (fireworks_constants, 0.5, 8.0)):
        assert constants.DEFAULT_MAX_RETRIES == 2
        assert (constants.DEFAULT_TIMEOUT.read, constants.DEFAULT_TIMEOUT.connect) == (60, 5.0)
        assert (initial, maximum) == (constants.INITIAL_RETRY_DELAY, constants.MAX_RETRY_DELAY)
    assert (together_lib.MULTIPART_THRESHOLD_GB, together_lib.MAX_FILE_SIZE_GB) == (5.0, 50.1)
    assert (together_lib.TARGET_PART_SIZE_MB, together_lib.MAX_CONCURRENT_PARTS) == (250, 4)
    statuses = (400, 401, 403, 404, 408, 409, 422, 429, 500, 503)
    with together.Together(api_key="k") as together_client, fireworks.Fireworks(api_key="k") as fireworks_client:
        for client in (together_client, fireworks_client):
            assert client._idempotency_header is None  # no Idempotency-Key header, on any request
            assert [s for s in statuses if client._should_retry(httpx.Response(s))] == [408, 409, 429, 500, 503]
        assert str(together_client.base_url).rstrip("/") == "https://api.together.ai"
        assert str(fireworks_client.base_url).rstrip("/") == "https://api.fireworks.ai"


def test_sdk_clients_reach_127_0_0_1_past_the_test_proxy(
    fake_together: FakeTogether, fake_fireworks: FakeFireworks
) -> None:
    """conftest.py points HTTP(S)_PROXY at a closed port; NO_PROXY lets both SDKs' httpx clients through."""
    assert os.environ["HTTPS_PROXY"] == "http://127.0.0.1:9"
    assert "127.0.0.1" in os.environ["NO_PROXY"].split(",")
    with (
        fake_together.client(max_retries=0) as together_client,
        fake_fireworks.client(max_retries=0) as fireworks_client,
    ):
        assert together_client.files.list().data == []
        assert list(fireworks_client.datasets.list()) == []


# Together: files


def test_together_upload_is_a_form_post_a_302_a_put_and_preprocess(
    fake_together: FakeTogether, train_file: Path
) -> None:
    with fake_together.client(max_retries=0) as client:
        file = client.files.upload(train_file, purpose="fine-tune")

    assert (file.object, file.purpose, file.file_type, file.filename) == ("file", "fine-tune", "jsonl", "train.jsonl")
    assert (file.processing_status, file.validation_report) == ("PENDING", None)
    create, put, preprocess = fake_together.requests
    assert (create.method, create.path, create.status) == ("POST", "/v1/files", 302)
    form = parse_form(create.headers["content-type"], create.body)
    sha256 = hashlib.sha256(train_file.read_bytes()).hexdigest()
    assert {k: v.decode() for k, (_, v) in form.items()} == {
        "purpose": "fine-tune",
        "file_name": "train.jsonl",
        "file_type": "jsonl",
        "checksum": sha256,
    }
    assert all(filename is None for filename, _ in form.values())  # fields only: the bytes go in the PUT
    assert (put.method, put.path.startswith("/storage/"), put.status) == ("PUT", True, 200)
    assert put.body == train_file.read_bytes()
    assert put.headers["content-length"] == str(train_file.stat().st_size)
    assert "authorization" not in put.headers  # the signed URL gets no Together credentials
    assert (preprocess.method, preprocess.path, preprocess.status) == ("POST", f"/v1/files/{file.id}/preprocess", 200)
    assert [f.id for f in fake_together.uploads] == [file.id]


@pytest.mark.parametrize(
    ("polls", "statuses"),
    [
        (0, ["COMPLETED"]),
        (1, ["COMPLETED"]),
        (3, ["QUEUED", "RUNNING", "COMPLETED"]),
    ],
)
def test_together_file_is_validated_after_the_configured_polls(
    fake_together: FakeTogether, train_file: Path, polls: int, statuses: list[str]
) -> None:
    fake_together.settings.processing_polls = polls
    with fake_together.client(max_retries=0) as client:
        file = client.files.upload(train_file)
        seen = [client.files.retrieve(file.id) for _ in statuses]

    assert file.processing_status == ("COMPLETED" if polls == 0 else "PENDING")
    assert [f.processing_status for f in seen] == statuses
    report = seen[-1].validation_report
    assert report is not None
    assert (report.valid, report.dataset_format, report.nlines, report.file_id) == (True, "conversation", 3, file.id)


def test_together_invalid_format_surfaces_in_the_validation_report(
    fake_together: FakeTogether, write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([CHAT, NO_ROLE], name="bad.jsonl")  # passes the 3.x client check: JSON objects only
    with fake_together.client(max_retries=0) as client:
        file = client.files.upload(path, check=True)
        done = [client.files.retrieve(file.id) for _ in range(2)][-1]

        assert done.processing_status == "INVALID_FORMAT"
        assert done.validation_report is not None
        assert done.validation_report.valid is False
        assert done.validation_report.error_type == "INVALID_FORMAT"
        assert done.validation_report.error == "Line 2: `messages[0]` must contain a `role` field"
        with pytest.raises(together.BadRequestError, match="INVALID_FORMAT") as refused:
            client.fine_tuning.create(training_file=file.id, model=TOGETHER_MODEL, train_on_inputs="auto")

    assert refused.value.body["error"]["param"] == "training_file"
    assert not fake_together.jobs


def test_together_failure_knobs(fake_together: FakeTogether, train_file: Path) -> None:
    fake_together.settings.processing_polls = 0
    fake_together.settings.fail_files_matching = b"Paris"
    with fake_together.client(max_retries=0) as client:
        invalid = client.files.upload(train_file)
        fake_together.settings.failure_status = "FAILED"
        failed = client.files.upload(train_file)

    assert invalid.processing_status == "INVALID_FORMAT"
    assert fake_together.files[invalid.id].validation_report == {
        "valid": False,
        "error_type": "INVALID_FORMAT",
        "error": fake_together.settings.failure_message,
        "file_id": invalid.id,
    }
    assert (failed.processing_status, fake_together.files[failed.id].validation_report) == ("FAILED", None)


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([CHAT, {"text": "hi"}], "Line 2: format general differs from line 1 (conversation)"),
        ([{"text": "hi", "messages": CHAT["messages"]}], "Line 1: the sample matches more than one format"),
        ([{"foo": 1}], "Line 1: the sample matches no known format"),
        (
            [{"messages": [{"role": "bot", "content": "x"}]}],
            "Line 1: `messages[0].role` must be one of system, user, assistant, tool",
        ),
        ([["not", "an", "object"]], "Line 1: not a JSON object"),
    ],
)
def test_together_fake_line_checks(rows: list[Any], error: str) -> None:
    content = "".join(json.dumps(row) + "\n" for row in rows).encode()
    assert check_lines(content)[0] == error


def test_together_files_list_content_and_delete(fake_together: FakeTogether, train_file: Path) -> None:
    with fake_together.client(max_retries=0) as client:
        file = client.files.upload(train_file)
        listed = client.files.list().data
        content = client.files.content(file.id).read()
        deleted = client.files.delete(file.id)
        with pytest.raises(together.NotFoundError):
            client.files.retrieve(file.id)

    assert [f.id for f in listed] == [file.id]
    assert content == train_file.read_bytes()
    assert (deleted.id, deleted.deleted) == (file.id, True)


def test_together_multipart_upload_above_the_threshold(
    fake_together: FakeTogether, train_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(together.lib.resources.files, "MULTIPART_THRESHOLD_GB", 0.0)  # really 5 GiB
    fake_together.settings.processing_polls = 0
    with fake_together.client(max_retries=0) as client:
        file = client.files.upload(train_file)

    assert file.processing_status == "COMPLETED"  # the complete call's reply; no /preprocess call follows
    assert [(r.method, r.path.split("/")[-1] if r.method == "PUT" else r.path) for r in fake_together.requests] == [
        ("POST", "/v1/files/multipart/initiate"),
        ("PUT", "1"),
        ("POST", "/v1/files/multipart/complete"),
    ]
    initiate = fake_together.requests[0].json()
    assert initiate["num_parts"] == 1 and initiate["file_size"] == train_file.stat().st_size
    assert fake_together.files[file.id].content == train_file.read_bytes()


def test_together_dedupe_answers_409_which_the_sdk_retries_then_returns_the_existing_file(
    fake_together: FakeTogether, train_file: Path
) -> None:
    fake_together.settings.processing_polls = 0
    fake_together.settings.dedupe_uploads = True
    fake_together.settings.retry_after_ms = 1
    with fake_together.client() as client:  # default max_retries=2
        first = client.files.upload(train_file)
        second = client.files.upload(train_file)

    assert second.id == first.id
    posts = fake_together.requests_to("POST", "/v1/files")
    assert [r.status for r in posts if r.path == "/v1/files"] == [302, 409, 409, 409]  # a 409 is retried
    assert fake_together.requests[-1].path == f"/v1/files/{first.id}"  # then FileAlreadyExistsError -> retrieve
    assert len(fake_together.uploads) == 1


# Together: jobs


def upload_ready(client: Any, path: Path) -> str:
    file = client.files.upload(path)
    while client.files.retrieve(file.id).processing_status not in ("COMPLETED", "INVALID_FORMAT", "FAILED"):
        pass
    return str(file.id)


def run_together_job(client: Any, job_id: str) -> list[str]:
    statuses: list[str] = []
    while len(statuses) < 20 and (not statuses or statuses[-1] not in TOGETHER_TERMINAL):
        statuses.append(client.fine_tuning.retrieve(job_id).status)
    return statuses


def test_together_job_is_created_runs_and_logs_events(fake_together: FakeTogether, train_file: Path) -> None:
    with fake_together.client(max_retries=0) as client:
        file_id = upload_ready(client, train_file)
        sent_before = len(fake_together.requests)
        job = client.fine_tuning.create(
            training_file=file_id,
            model=TOGETHER_MODEL,
            n_epochs=2,
            lora=True,
            suffix="prep-demo",
            train_on_inputs="auto",
            wandb_api_key=WANDB_KEY,
            wandb_project_name="prep",
            wandb_name="run-1",
        )
        statuses = run_together_job(client, job.id)
        events = client.fine_tuning.list_events(job.id).data
        listed = client.fine_tuning.list().data

    limits, estimate, create = fake_together.requests[sent_before : sent_before + 3]
    assert (limits.method, limits.path, limits.query) == (
        "GET",
        "/v1/fine-tunes/models/limits",
        {"model_name": TOGETHER_MODEL},
    )
    assert (estimate.method, estimate.path) == ("POST", "/v1/fine-tunes/estimate-price")
    assert (create.method, create.path, create.status) == ("POST", "/v1/fine-tunes", 200)
    body = create.json()
    assert {
        k: body[k]
        for k in ("training_file", "model", "n_epochs", "suffix", "wandb_key", "wandb_project_name", "wandb_name")
    } == {
        "training_file": file_id,
        "model": TOGETHER_MODEL,
        "n_epochs": 2,
        "suffix": "prep-demo",
        "wandb_key": WANDB_KEY,  # sic: the SDK renames wandb_api_key
        "wandb_project_name": "prep",
        "wandb_name": "run-1",
    }
    assert body["validation_file"] == ""  # the SDK's default, sent as an empty string
    assert body["training_method"] == {"method": "sft", "train_on_inputs": "auto"}
    assert body["training_type"] == {
        "type": "Lora",
        "lora_r": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.0,
        "lora_trainable_modules": "all-linear",
    }
    assert (job.status, job.output_name) == (
        "pending",
        f"fake-user/Meta-Llama-3.1-8B-Instruct-Reference-prep-demo-{job.id[3:11]}",
    )
    assert statuses == ["queued", "running", "uploading", "completed"]
    assert [e.type for e in events] == [
        "job_pending", "wandb_init", "job_start", "training_start", "training_complete",
        "model_uploading", "model_upload_complete", "job_complete",
    ]  # fmt: skip
    assert [j.id for j in listed] == [job.id]


@pytest.mark.parametrize("outcome", ["error", "user_error"])
def test_together_job_failure_is_an_error_status_and_event(
    fake_together: FakeTogether, train_file: Path, outcome: Literal["error", "user_error"]
) -> None:
    """`user_error` is missing from the Literal in types/finetune_response.py, yet comes through as a str."""
    fake_together.settings.job_outcome = outcome
    with fake_together.client(max_retries=0) as client:
        job = client.fine_tuning.create(
            training_file=upload_ready(client, train_file), model=TOGETHER_MODEL, train_on_inputs="auto"
        )
        statuses = run_together_job(client, job.id)
        last = client.fine_tuning.list_events(job.id).data[-1]

    assert statuses[-1] == outcome
    assert (last.type, last.level, last.message) == ("job_error", "error", fake_together.settings.job_error)


def test_together_refused_job_is_a_400_with_the_message(fake_together: FakeTogether, train_file: Path) -> None:
    fake_together.settings.refuse_jobs_with = "Insufficient balance to start the job"
    with fake_together.client(max_retries=0) as client:
        file_id = upload_ready(client, train_file)
        with pytest.raises(together.BadRequestError) as refused:
            client.fine_tuning.create(training_file=file_id, model=TOGETHER_MODEL, train_on_inputs="auto")

    assert refused.value.status_code == 400
    assert refused.value.body["error"]["message"] == "Insufficient balance to start the job"
    assert len(fake_together.requests_to("POST", "/v1/fine-tunes")) == 2  # estimate-price, then the refused create


def test_together_model_limits(fake_together: FakeTogether) -> None:
    fake_together.settings.known_models = (TOGETHER_MODEL,)
    with fake_together.client(max_retries=0) as client:
        limits = client.fine_tuning.model_limits(model_name=TOGETHER_MODEL)
        with pytest.raises(together.NotFoundError):
            client.fine_tuning.model_limits(model_name="no/such-model")

    assert (limits.api_model_name, limits.max_seq_length_sft, limits.lora_training.max_rank) == (
        TOGETHER_MODEL,
        32768,
        64,
    )


# Together: retries


def test_together_500_on_the_upload_post_is_retried_and_makes_one_file(
    fake_together: FakeTogether, train_file: Path
) -> None:
    fake_together.fail_next("/v1/files", 500, method="POST", exact=True)
    with fake_together.client() as client:
        file = client.files.upload(train_file)

    posts = [r for r in fake_together.requests if r.path == "/v1/files"]
    assert [r.status for r in posts] == [500, 302]
    assert retry_counts(posts) == ["0", "1"]
    assert [f.id for f in fake_together.uploads] == [file.id]
    assert not idempotency_headers(fake_together.requests)


def test_together_500_on_preprocess_is_retried(fake_together: FakeTogether, train_file: Path) -> None:
    fake_together.fail_next("/v1/files/", 503, method="POST")
    with fake_together.client() as client:
        file = client.files.upload(train_file)

    assert [r.status for r in fake_together.requests_to("POST", f"/v1/files/{file.id}/preprocess")] == [503, 200]
    assert len(fake_together.uploads) == 1


def test_together_a_dropped_put_is_not_retried_and_escapes_as_an_httpx_error(
    fake_together: FakeTogether, train_file: Path
) -> None:
    fake_together.drop_next("/storage/")
    with fake_together.client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.files.upload(train_file)

    assert len(fake_together.requests_to("PUT", "/storage/")) == 1
    (orphan,) = fake_together.uploads  # a file id was handed out; no bytes, never preprocessed
    assert (orphan.content, orphan.processing_status) == (None, None)


def test_together_500_on_job_creation_is_retried_and_makes_one_job(
    fake_together: FakeTogether, train_file: Path
) -> None:
    with fake_together.client() as client:
        file_id = upload_ready(client, train_file)
        fake_together.fail_next("/v1/fine-tunes", 500, method="POST", exact=True)
        client.fine_tuning.create(training_file=file_id, model=TOGETHER_MODEL, train_on_inputs="auto")

    creates = fake_together.requests_to("POST", "/v1/fine-tunes")[1:]  # after estimate-price
    assert [r.status for r in creates] == [500, 200]
    assert len(fake_together.jobs) == 1


@pytest.mark.parametrize("max_retries", [0, 2])
def test_together_lost_reply_on_job_creation(fake_together: FakeTogether, train_file: Path, max_retries: int) -> None:
    """The SDK re-sends the create POST after a lost reply: with retries on, a duplicate job."""
    with fake_together.client(max_retries=max_retries) as client:
        file_id = upload_ready(client, train_file)
        fake_together.drop_next("/v1/fine-tunes", method="POST", exact=True, after_processing=True)
        if max_retries == 0:
            with pytest.raises(together.APIConnectionError):
                client.fine_tuning.create(training_file=file_id, model=TOGETHER_MODEL, train_on_inputs="auto")
        else:
            job = client.fine_tuning.create(training_file=file_id, model=TOGETHER_MODEL, train_on_inputs="auto")

    creates = [r for r in fake_together.requests if r.method == "POST" and r.path == "/v1/fine-tunes"]
    assert [r.status for r in creates] == ([None, 200] if max_retries else [None])
    assert retry_counts(creates) == ["0", "1"][: len(creates)]
    assert creates[0].body == creates[-1].body  # the same body, no idempotency key: the server cannot tell
    assert not idempotency_headers(creates)
    assert len(fake_together.jobs) == len(creates)  # 1 without retries, 2 (a duplicate) with
    if max_retries:
        assert job.id == list(fake_together.jobs)[-1]


def test_together_stalled_job_creation_times_out_after_retries_and_every_attempt_makes_a_job(
    fake_together: FakeTogether, train_file: Path
) -> None:
    with fake_together.client() as client:
        file_id = upload_ready(client, train_file)
        fake_together.stall_next("/v1/fine-tunes", 1.0, times=2, method="POST", exact=True)
        impatient = client.with_options(max_retries=1, timeout=0.3)
        with pytest.raises(together.APITimeoutError):
            impatient.fine_tuning.create(training_file=file_id, model=TOGETHER_MODEL, train_on_inputs="auto")
    fake_together.settle()

    creates = [r for r in fake_together.requests if r.method == "POST" and r.path == "/v1/fine-tunes"]
    assert retry_counts(creates) == ["0", "1"]
    assert {r.headers["x-stainless-read-timeout"] for r in creates} == {"0.3"}
    assert len(fake_together.jobs) == 2


# Together: credentials


def test_together_api_key_goes_only_in_the_authorization_header(fake_together: FakeTogether, train_file: Path) -> None:
    with fake_together.client(max_retries=0) as client:
        job = client.fine_tuning.create(
            training_file=upload_ready(client, train_file),
            model=TOGETHER_MODEL,
            train_on_inputs="auto",
            wandb_api_key=WANDB_KEY,
        )
        run_together_job(client, job.id)
        client.fine_tuning.list_events(job.id)

    key = fake_together.api_key
    for request in fake_together.requests:
        assert key not in request.body.decode("latin-1") + request.path + json.dumps(request.query)
        assert [n for n, v in request.headers.items() if key in v] == (
            [] if request.path.startswith("/storage/") else ["authorization"]
        )
    assert [r.path for r in fake_together.requests if WANDB_KEY.encode() in r.body] == ["/v1/fine-tunes"]


def test_together_wrong_key_is_401_and_the_upload_says_free_trial(
    fake_together: FakeTogether, train_file: Path
) -> None:
    with together.Together(api_key="wrong", base_url=fake_together.url, max_retries=0) as client:
        with pytest.raises(together.AuthenticationError):
            client.files.list()
        with pytest.raises(together.AuthenticationError, match="free trial credits"):
            client.files.upload(train_file)  # the SDK rewrites any 401 on POST /v1/files so


# Fireworks: datasets


def dataset_name(server: FakeFireworks, dataset_id: str) -> str:
    return f"accounts/{server.account_id}/datasets/{dataset_id}"


def ready_dataset(client: Any, dataset_id: str, path: Path) -> Any:
    client.datasets.create(dataset_id=dataset_id, dataset={"user_uploaded": {}, "example_count": "3"})
    client.datasets.upload(dataset_id, file=path)
    dataset = client.datasets.get(dataset_id)
    while dataset.state != "READY" and dataset.status.code == "OK":
        dataset = client.datasets.get(dataset_id)
    return dataset


def test_fireworks_dataset_is_created_uploaded_and_ready(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    with fake_fireworks.client(max_retries=0) as client:
        created = client.datasets.create(
            dataset_id="train-1", dataset={"user_uploaded": {}, "example_count": "3", "display_name": "Train"}
        )
        uploaded = client.datasets.upload("train-1", file=train_file)
        got = client.datasets.get("train-1")
        listed = list(client.datasets.list())

    create, upload, get = fake_fireworks.requests[:3]
    account = f"/v1/accounts/{fake_fireworks.account_id}"
    assert (create.method, create.path) == ("POST", f"{account}/datasets")
    assert create.json() == {
        "datasetId": "train-1",
        "dataset": {"userUploaded": {}, "exampleCount": "3", "displayName": "Train"},
    }
    assert (upload.method, upload.path) == ("POST", f"{account}/datasets/train-1:upload")
    assert parse_form(upload.headers["content-type"], upload.body) == {"file": ("train.jsonl", train_file.read_bytes())}
    assert (get.method, get.path) == ("GET", f"{account}/datasets/train-1")
    assert (created.name, created.state, created.display_name) == (
        dataset_name(fake_fireworks, "train-1"),
        "UPLOADING",
        "Train",
    )
    assert (uploaded.id, uploaded.bytes, uploaded.filename) == ("train-1", train_file.stat().st_size, "train.jsonl")
    assert (got.state, got.status.code, got.format, got.example_count) == ("READY", "OK", "CHAT", "3")
    assert [d.name for d in listed] == [created.name]


def test_fireworks_large_file_path_signed_https_put_then_validate(
    fake_fireworks: FakeFireworks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """upload_dataset_shards: one getUploadEndpoint for all shards, a credential-free PUT each, validateUpload."""
    monkeypatch.setenv("SSL_CERT_FILE", str(CA_FILE))  # the signed URLs are https://127.0.0.1
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a.jsonl").write_text(json.dumps(CHAT) + "\n")
    (shards / "b.jsonl").write_text((json.dumps(CHAT) + "\n") * 2)
    with fake_fireworks.client(max_retries=0) as client:
        client.datasets.create(dataset_id="big", dataset={"user_uploaded": {}, "example_count": "3"})
        upload_dataset_shards(client, "big", str(shards))
        dataset = client.datasets.get("big")

    account = f"/v1/accounts/{fake_fireworks.account_id}/datasets/big"
    assert [
        (r.method, r.path.split("/")[-1] if r.method == "PUT" else r.path) for r in fake_fireworks.requests[1:]
    ] == [
        ("GET", account),
        ("POST", f"{account}:getUploadEndpoint"),
        ("PUT", "a.jsonl"),
        ("PUT", "b.jsonl"),
        ("POST", f"{account}:validateUpload"),
        ("GET", account),
    ]
    endpoint, put_a, put_b, validate = fake_fireworks.requests[2:6]
    assert endpoint.json() == {"filenameToSize": {"a.jsonl": str(len(put_a.body)), "b.jsonl": str(len(put_b.body))}}
    for put in (put_a, put_b):
        assert put.headers["content-type"] == "application/octet-stream"
        assert put.headers["x-goog-content-length-range"] == f"{len(put.body)},{len(put.body)}"
        assert "authorization" not in put.headers
        assert "X-Goog-Signature" in put.query
    assert validate.json() == {}
    assert (dataset.state, dataset.example_count) == ("READY", "3")


def test_fireworks_a_failed_signed_put_raises_httpx_error_and_skips_validate(
    fake_fireworks: FakeFireworks, train_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CA_FILE))
    fake_fireworks.fail_next("/storage/", 503)
    with fake_fireworks.client() as client:
        client.datasets.create(dataset_id="big", dataset={"user_uploaded": {}})
        with pytest.raises(httpx.HTTPStatusError):
            upload_dataset_shards(client, "big", str(train_file))

    assert len(fake_fireworks.requests_to("PUT", "/storage/")) == 1  # plain httpx: no retry
    assert not [r for r in fake_fireworks.requests if r.path.endswith(":validateUpload")]


def test_fireworks_shard_helper_refuses_an_encrypted_dataset(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    fake_fireworks.settings.encryption_state = "ENCRYPTION_STATE_CMEK"
    with fake_fireworks.client(max_retries=0) as client:
        client.datasets.create(dataset_id="cmek", dataset={"user_uploaded": {}})
        with pytest.raises(DatasetUploadError, match="refuses to upload plaintext"):
            upload_dataset_shards(client, "cmek", str(train_file))

    assert not fake_fireworks.requests_to("PUT", "/storage/")


def test_fireworks_invalid_dataset_is_refused_by_the_upload_call(
    fake_fireworks: FakeFireworks, write_jsonl: Callable[..., Path]
) -> None:
    bad = write_jsonl([CHAT, {"messages": [{"role": "bot", "content": "x"}]}, CHAT], name="bad.jsonl")
    with fake_fireworks.client(max_retries=0) as client:
        client.datasets.create(dataset_id="bad", dataset={"user_uploaded": {}})
        with pytest.raises(fireworks.BadRequestError) as refused:
            client.datasets.upload("bad", file=bad)
        dataset = client.datasets.get("bad")

    assert refused.value.body == {
        "code": 3,
        "message": "dataset validation failed: Line 2: messages[0] has invalid role 'bot'",
        "details": [],
    }
    assert (dataset.state, dataset.status.code) == ("UPLOADING", "OK")  # still waiting for a good upload


def test_fireworks_invalid_dataset_in_status_mode_shows_on_get_and_blocks_jobs(
    fake_fireworks: FakeFireworks, write_jsonl: Callable[..., Path]
) -> None:
    fake_fireworks.settings.invalid_verdict = "status"
    short = write_jsonl([CHAT] * 2, name="short.jsonl")
    with fake_fireworks.client(max_retries=0) as client:
        dataset = ready_dataset(client, "short", short)
        with pytest.raises(fireworks.BadRequestError, match="is not READY") as refused:
            client.supervised_fine_tuning_jobs.create(dataset=dataset.name, base_model=FIREWORKS_MODEL)

    assert (dataset.state, dataset.status.code) == ("UPLOADING", "INVALID_ARGUMENT")
    assert dataset.status.message == "dataset has 2 example(s); at least 3 are required"
    assert refused.value.body["code"] == 9  # FAILED_PRECONDITION, sent as HTTP 400


# Fireworks: jobs


def run_fireworks_job(client: Any, job_id: str) -> list[str]:
    states: list[str] = []
    while len(states) < 20 and (not states or states[-1] not in FIREWORKS_TERMINAL):
        states.append(client.supervised_fine_tuning_jobs.get(job_id).state)
    return states


def test_fireworks_sft_job_is_created_and_runs(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    with fake_fireworks.client(max_retries=0) as client:
        dataset = ready_dataset(client, "train", train_file)
        sent_before = len(fake_fireworks.requests)
        job = client.supervised_fine_tuning_jobs.create(
            supervised_fine_tuning_job_id="prep-job-1",
            dataset=dataset.name,
            base_model=FIREWORKS_MODEL,
            display_name="prep demo",
            epochs=2,
            learning_rate=1e-4,
            lora_rank=16,
            max_context_length=8192,
            eval_auto_carveout=True,
            wandb_config={"api_key": WANDB_KEY, "enabled": True, "entity": "team", "project": "prep", "run_id": "r1"},
        )
        states = run_fireworks_job(client, "prep-job-1")
        listed = list(client.supervised_fine_tuning_jobs.list())

    create = fake_fireworks.requests[sent_before]
    assert (create.method, create.path) == (
        "POST",
        f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs",
    )
    assert create.query == {"supervisedFineTuningJobId": "prep-job-1"}  # the client-chosen id goes in the query
    assert create.json() == {
        "dataset": dataset.name,
        "baseModel": FIREWORKS_MODEL,
        "displayName": "prep demo",
        "epochs": 2,
        "learningRate": 1e-4,
        "loraRank": 16,
        "maxContextLength": 8192,
        "evalAutoCarveout": True,
        "wandbConfig": {"apiKey": WANDB_KEY, "enabled": True, "entity": "team", "project": "prep", "runId": "r1"},
    }
    assert (job.name, job.state) == (
        f"accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs/prep-job-1",
        "JOB_STATE_CREATING",
    )
    assert job.output_model == f"accounts/{fake_fireworks.account_id}/models/prep-job-1"
    assert job.wandb_config is not None and job.wandb_config.api_key is None  # not echoed back
    assert states == ["JOB_STATE_VALIDATING", "JOB_STATE_RUNNING", "JOB_STATE_COMPLETED"]
    assert fake_fireworks.jobs_in()[0].history == ["JOB_STATE_CREATING", *states]
    assert [j.name for j in listed] == [job.name]


def test_fireworks_failed_job_carries_a_status_message(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    fake_fireworks.settings.job_outcome = "JOB_STATE_FAILED"
    with fake_fireworks.client(max_retries=0) as client:
        dataset = ready_dataset(client, "train", train_file)
        job = client.supervised_fine_tuning_jobs.create(dataset=dataset.name, base_model=FIREWORKS_MODEL)
        job_id = job.name.rsplit("/", 1)[-1]
        states = run_fireworks_job(client, job_id)
        done = client.supervised_fine_tuning_jobs.get(job_id)

    assert states[-1] == "JOB_STATE_FAILED"
    assert (done.status.code, done.status.message) == ("INVALID_ARGUMENT", fake_fireworks.settings.job_error)


def test_fireworks_refused_job_is_a_400_with_the_message(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    fake_fireworks.settings.refuse_jobs_with = "base model does not support fine-tuning"
    with fake_fireworks.client(max_retries=0) as client:
        dataset = ready_dataset(client, "train", train_file)
        with pytest.raises(fireworks.BadRequestError) as refused:
            client.supervised_fine_tuning_jobs.create(dataset=dataset.name, base_model=FIREWORKS_MODEL)

    assert refused.value.body == {"code": 3, "message": "base model does not support fine-tuning", "details": []}
    assert not fake_fireworks.jobs


def test_fireworks_dpo_job(fake_fireworks: FakeFireworks, train_file: Path) -> None:
    with fake_fireworks.client(max_retries=0) as client:
        dataset = ready_dataset(client, "prefs", train_file)
        job = client.dpo_jobs.create(
            dpo_job_id="dpo-1", dataset=dataset.name, training_config={"base_model": FIREWORKS_MODEL}
        )
        states = [client.dpo_jobs.get("dpo-1").state for _ in range(3)]

    assert fake_fireworks.requests_to("POST", f"/v1/accounts/{fake_fireworks.account_id}/dpoJobs")[0].query == {
        "dpoJobId": "dpo-1"
    }
    assert job.name.endswith("/dpoJobs/dpo-1")
    assert states == ["JOB_STATE_VALIDATING", "JOB_STATE_RUNNING", "JOB_STATE_COMPLETED"]


# Fireworks: account and credentials


def test_fireworks_account_id_comes_from_the_client_or_the_environment(
    fake_fireworks: FakeFireworks, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fireworks.Fireworks(api_key=fake_fireworks.api_key, base_url=fake_fireworks.url, max_retries=0) as client:
        with pytest.raises(ValueError, match="Missing account_id"):
            client.datasets.list()
        assert list(client.datasets.list(account_id=fake_fireworks.account_id)) == []
    monkeypatch.setenv("FIREWORKS_ACCOUNT_ID", fake_fireworks.account_id)
    monkeypatch.setenv("FIREWORKS_API_KEY", fake_fireworks.api_key)
    monkeypatch.setenv("FIREWORKS_BASE_URL", fake_fireworks.url)
    with fireworks.Fireworks(max_retries=0) as client:
        assert list(client.datasets.list()) == []
    with (
        fake_fireworks.client(account_id="someone-else", max_retries=0) as client,
        pytest.raises(fireworks.PermissionDeniedError),
    ):
        client.datasets.list()

    assert len(fake_fireworks.requests) == 3  # the missing account id never left the client


def test_fireworks_api_key_goes_only_in_the_authorization_header(
    fake_fireworks: FakeFireworks, train_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CA_FILE))
    with fake_fireworks.client(max_retries=0) as client:
        client.datasets.create(dataset_id="big", dataset={"user_uploaded": {}})
        upload_dataset_shards(client, "big", str(train_file))
        dataset = ready_dataset(client, "small", train_file)
        client.supervised_fine_tuning_jobs.create(
            supervised_fine_tuning_job_id="j", dataset=dataset.name, base_model=FIREWORKS_MODEL,
            wandb_config={"api_key": WANDB_KEY, "enabled": True, "project": "prep"},
        )  # fmt: skip
        run_fireworks_job(client, "j")

    key = fake_fireworks.api_key
    for request in fake_fireworks.requests:
        assert key not in request.body.decode("latin-1") + request.path + json.dumps(request.query)
        assert [n for n, v in request.headers.items() if key in v] == (
            [] if request.path.startswith("/storage/") else ["authorization"]
        )
    wandb = [r.path for r in fake_fireworks.requests if WANDB_KEY.encode() in r.body]
    assert wandb == [f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs"]


def test_fireworks_wrong_key_is_401(fake_fireworks: FakeFireworks) -> None:
    with (
        fireworks.Fireworks(
            api_key="wrong", account_id=fake_fireworks.account_id, base_url=fake_fireworks.url
        ) as client,
        pytest.raises(fireworks.AuthenticationError),
    ):
        client.datasets.list()

    assert len(fake_fireworks.requests) == 1  # 401 is not retried


# Fireworks: retries


def test_fireworks_500_on_upload_is_retried_and_the_bytes_arrive_once(
    fake_fireworks: FakeFireworks, train_file: Path
) -> None:
    with fake_fireworks.client() as client:
        client.datasets.create(dataset_id="train", dataset={"user_uploaded": {}})
        fake_fireworks.fail_next("/v1/", 500, method="POST")
        client.datasets.upload("train", file=train_file)
        dataset = client.datasets.get("train")

    uploads = [r for r in fake_fireworks.requests if r.path.endswith(":upload")]
    assert [r.status for r in uploads] == [500, 200]
    assert retry_counts(uploads) == ["0", "1"]
    forms = [parse_form(r.headers["content-type"], r.body) for r in uploads]
    assert forms[0] == forms[1] == {"file": ("train.jsonl", train_file.read_bytes())}  # the file is re-sent whole
    assert dataset.state == "READY"
    assert not idempotency_headers(fake_fireworks.requests)


def test_fireworks_lost_reply_on_a_job_without_an_id_makes_a_duplicate(
    fake_fireworks: FakeFireworks, train_file: Path
) -> None:
    with fake_fireworks.client() as client:
        dataset = ready_dataset(client, "train", train_file)
        fake_fireworks.drop_next(
            f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs", after_processing=True
        )
        job = client.supervised_fine_tuning_jobs.create(dataset=dataset.name, base_model=FIREWORKS_MODEL)

    creates = fake_fireworks.requests_to("POST", f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs")
    assert [r.status for r in creates] == [None, 200]
    assert retry_counts(creates) == ["0", "1"]
    assert creates[0].query == creates[1].query == {}
    jobs = fake_fireworks.jobs_in()
    assert len(jobs) == 2 and job.name == jobs[1].data["name"]  # two jobs, two random ids


def test_fireworks_lost_reply_on_a_job_with_an_id_ends_in_conflict_and_one_job(
    fake_fireworks: FakeFireworks, train_file: Path
) -> None:
    """With a client-chosen id the retry meets 409 ALREADY_EXISTS, which the SDK retries, then raises."""
    with fake_fireworks.client() as client:
        dataset = ready_dataset(client, "train", train_file)
        fake_fireworks.drop_next(
            f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs", after_processing=True
        )
        with pytest.raises(fireworks.ConflictError) as conflict:
            client.supervised_fine_tuning_jobs.create(
                supervised_fine_tuning_job_id="once", dataset=dataset.name, base_model=FIREWORKS_MODEL
            )
        existing = client.supervised_fine_tuning_jobs.get("once")

    creates = fake_fireworks.requests_to("POST", f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs")
    assert [r.status for r in creates] == [None, 409, 409]  # 1 + max_retries POSTs
    assert retry_counts(creates) == ["0", "1", "2"]
    assert conflict.value.body["code"] == 6  # ALREADY_EXISTS
    assert len(fake_fireworks.jobs_in()) == 1
    assert existing.name.endswith("/once")


def test_fireworks_lost_reply_on_dataset_creation_ends_in_conflict(fake_fireworks: FakeFireworks) -> None:
    fake_fireworks.drop_next(f"/v1/accounts/{fake_fireworks.account_id}/datasets", exact=True, after_processing=True)
    with fake_fireworks.client(max_retries=1) as client, pytest.raises(fireworks.ConflictError):
        client.datasets.create(dataset_id="train", dataset={"user_uploaded": {}})

    assert [r.status for r in fake_fireworks.requests] == [None, 409]
    assert list(fake_fireworks.datasets) == ["train"]


@pytest.mark.parametrize(("job_id", "jobs"), [(None, 2), ("once", 1)])
def test_fireworks_stalled_job_creation_times_out(
    fake_fireworks: FakeFireworks, train_file: Path, job_id: str | None, jobs: int
) -> None:
    """Each attempt the server finishes late makes a job, unless the client chose the id."""
    chosen = {} if job_id is None else {"supervised_fine_tuning_job_id": job_id}
    with fake_fireworks.client() as client:
        dataset = ready_dataset(client, "train", train_file)
        fake_fireworks.stall_next(f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs", 1.0, times=2)
        impatient = client.with_options(max_retries=1)
        with pytest.raises(fireworks.APITimeoutError):
            impatient.supervised_fine_tuning_jobs.create(
                dataset=dataset.name, base_model=FIREWORKS_MODEL, timeout=0.3, **chosen
            )
    fake_fireworks.settle()

    creates = fake_fireworks.requests_to("POST", f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs")
    assert retry_counts(creates) == ["0", "1"]
    assert len(fake_fireworks.jobs_in()) == jobs
    assert sorted(r.status or 0 for r in creates) == ([200, 200] if job_id is None else [200, 409])


def test_fireworks_lost_reply_on_upload_resends_the_file_and_the_dataset_gets_ready(
    fake_fireworks: FakeFireworks, train_file: Path
) -> None:
    with fake_fireworks.client() as client:
        client.datasets.create(dataset_id="train", dataset={"user_uploaded": {}})
        fake_fireworks.drop_next("/v1/", method="POST", after_processing=True)
        client.datasets.upload("train", file=train_file)
        dataset = client.datasets.get("train")

    assert [r.status for r in fake_fireworks.requests if r.path.endswith(":upload")] == [None, 200]
    assert dataset.state == "READY"
