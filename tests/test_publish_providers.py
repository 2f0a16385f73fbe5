"""prep.publish to Together and Fireworks: their official SDKs over real HTTP against the local fakes, W&B offline.

The same steps as for OpenAI (tests/test_publish.py): check, upload, the provider's verdict, W&B artifacts,
the job exactly once, the ledger keyed by target. The fakes and what they model: tests/support/PROVIDERS.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from prep.errors import PublishError
from prep.publishing.jobs import JobSpec, WandbIntegration
from prep.publishing.providers import open_provider
from prep.publishing.steps import ProviderRejectedError
from prep.publishing.types import PublishResult
from prep.targets.loader import load_target
from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_together import FakeTogether
from tests.support.publish_data import PublishRun, dpo_example, fast_sdk_retries, train_and_valid, write
from tests.support.wandb_records import logged_artifacts, logged_runs

together = pytest.importorskip("together", minversion="3.1")
fireworks = pytest.importorskip("fireworks")
if not hasattr(fireworks, "Fireworks"):  # the unrelated `fireworks` package from PyPI
    pytest.skip("needs fireworks-ai, not the `fireworks` workflow package", allow_module_level=True)

TOGETHER_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
FIREWORKS_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
WANDB_KEY = "wandb-key-0123456789abcdef0123456789abcdef01234567"
MODELS = {"together": TOGETHER_MODEL, "fireworks": FIREWORKS_MODEL}


@pytest.fixture(autouse=True)
def _fast_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_sdk_retries(monkeypatch)  # prep's own retries sleep through publish(sleep=...)


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    return train_and_valid(tmp_path / "data")


class Run(PublishRun):
    """Calls publish() on one target's fake server with offline W&B, collecting events."""

    def __init__(self, target: str, server: Any, data: tuple[Path, Path]) -> None:
        super().__init__(data)
        self.target, self.server = target, server

    def provider(self, *, wandb_key: str | None = None, **client: Any) -> Any:
        """The target's adapter over a real SDK client of the fake (the SDK's default retries, as the CLI has)."""
        return open_provider(load_target(self.target), self.server.client(**client), wandb_key=wandb_key)

    def __call__(self, *, provider: Any = None, **kwargs: Any) -> PublishResult:
        if "job" not in kwargs:
            kwargs.setdefault("model", MODELS[self.target])
        return self.publish(provider=provider or self.provider(), **kwargs)


@pytest.fixture
def tg(fake_together: FakeTogether, data: tuple[Path, Path], offline_wandb: Path) -> Run:
    return Run("together", fake_together, data)


@pytest.fixture
def fw(fake_fireworks: FakeFireworks, data: tuple[Path, Path], offline_wandb: Path) -> Run:
    return Run("fireworks", fake_fireworks, data)


def dataset_artifacts(wandb_dir: Path) -> list[dict[str, Any]]:
    return [a for a in logged_artifacts(wandb_dir) if a["type"] in ("training_files", "validation_files")]


def job_posts(server: FakeTogether) -> list[Any]:
    """The job-creating requests (``fine_tuning.create`` also posts to /v1/fine-tunes/estimate-price)."""
    return [r for r in server.requests_to("POST", "/v1/fine-tunes") if r.path == "/v1/fine-tunes"]


def files_written(*folders: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for folder in folders for p in folder.rglob("*") if p.is_file()}


# Together


def test_together_one_upload_per_file_one_job_and_the_artifacts_name_target_and_file(
    tg: Run, fake_together: FakeTogether, offline_wandb: Path
) -> None:
    result = tg()

    assert [(u.filename, u.content) for u in fake_together.uploads] == [
        ("train.jsonl", tg.train.read_bytes()),
        ("valid.jsonl", tg.valid.read_bytes()),
    ]
    train_id, valid_id = (u.id for u in fake_together.uploads)
    [job] = fake_together.jobs.values()
    assert (result.job_id, result.job_created, result.target) == (job.id, True, "together")
    assert (job.request["training_file"], job.request["validation_file"]) == (train_id, valid_id)
    assert (job.request["model"], job.request["training_method"]["method"]) == (TOGETHER_MODEL, "sft")
    assert len(job_posts(fake_together)) == 1
    arts = {a["name"]: a for a in dataset_artifacts(offline_wandb)}
    assert set(arts) == {f"train-{train_id}", f"valid-{valid_id}"}
    for role, file_id in (("train", train_id), ("valid", valid_id)):
        meta = arts[f"{role}-{file_id}"]["metadata"]
        assert (meta["target"], meta["file_id"], meta["base_url"]) == ("together", file_id, fake_together.url)
    kinds = [e.kind for e in tg.events]
    assert kinds.index("job") > max(i for i, k in enumerate(kinds) if k == "wandb")  # artifacts before the job
    [log] = logged_runs(offline_wandb)
    assert log.summary["fine_tune_job_id"] == job.id


def test_together_second_run_uploads_nothing_and_creates_no_job(tg: Run, fake_together: FakeTogether) -> None:
    first = tg()
    sent = len(fake_together.requests)

    second = tg()

    assert second.job_id == first.job_id and not second.job_created
    assert len(fake_together.uploads) == 2 and len(fake_together.jobs) == 1
    new = fake_together.requests[sent:]
    assert not [r for r in new if r.method in ("POST", "PUT", "DELETE")]  # only looks (the files still exist)
    assert any("already uploaded as" in m for m in tg.messages("upload"))
    assert any("already created (ledger" in m for m in tg.messages("job"))
    keys = set(tg.ledger.data["uploads"])
    assert all(k.startswith("together:") and k.endswith(f"@{fake_together.url}") for k in keys)


def test_together_validation_report_becomes_p411_and_nothing_is_made(
    tg: Run, fake_together: FakeTogether, offline_wandb: Path
) -> None:
    fake_together.settings.fail_files_matching = b"q3:"
    fake_together.settings.failure_message = "Line 4: `messages[1]` must contain a `role` field"

    with pytest.raises(ProviderRejectedError) as info:
        tg()

    [issue] = info.value.issues
    assert (issue.code, issue.path, issue.line) == ("P411", str(tg.train), 4)  # the line the provider names
    assert issue.message == (
        "Together refused the file after upload: Line 4: `messages[1]` must contain a `role` field"
    )
    assert str(info.value).startswith("Together refused 1 file(s) after upload (P411")
    assert not fake_together.jobs and not logged_runs(offline_wandb)
    train_id = fake_together.uploads[0].id
    assert [r.path for r in fake_together.requests if r.method == "DELETE"] == [f"/v1/files/{train_id}"]
    [entry] = [e for e in tg.ledger.data["uploads"].values() if e["file"] == "train.jsonl"]
    assert (entry["state"], entry["status_details"]) == ("invalid", issue.message.split(": ", 1)[1])

    before = len(fake_together.requests)
    with pytest.raises(ProviderRejectedError):
        tg()
    again = fake_together.requests[before:]  # the same bytes meet the recorded verdict: nothing sent
    assert [(r.method, r.path) for r in again] == [("GET", f"/v1/files/{fake_together.uploads[1].id}")]


def test_together_5xx_on_the_upload_then_success_makes_one_file(tg: Run, fake_together: FakeTogether) -> None:
    fake_together.fail_next("/v1/files", 503, exact=True)

    tg(valid=None)

    assert len(fake_together.uploads) == 1 and len(fake_together.jobs) == 1
    assert [r.status for r in fake_together.requests_to("POST", "/v1/files") if r.path == "/v1/files"] == [503, 302]


def test_together_lost_reply_on_the_job_is_found_not_created_twice(tg: Run, fake_together: FakeTogether) -> None:
    fake_together.drop_next("/v1/fine-tunes", method="POST", exact=True, after_processing=True)

    result = tg()

    [job] = fake_together.jobs.values()
    assert result.job_id == job.id
    assert len(job_posts(fake_together)) == 1
    assert any("its answer was lost, and prep found it" in m for m in tg.messages("job"))


def test_together_refused_job_is_one_sentence_and_recorded(tg: Run, fake_together: FakeTogether) -> None:
    fake_together.settings.refuse_jobs_with = "Model is not available for fine-tuning"

    with pytest.raises(PublishError, match="Model is not available for fine-tuning") as info:
        tg()

    assert "Creating the fine-tuning job" in str(info.value)
    assert not fake_together.jobs
    [entry] = tg.ledger.data["jobs"].values()
    assert entry["state"] == "refused"
    assert len(job_posts(fake_together)) == 1


def test_together_job_wandb_sends_the_key_only_to_the_provider(
    tg: Run, fake_together: FakeTogether, offline_wandb: Path
) -> None:
    job = JobSpec(model=TOGETHER_MODEL, integration=WandbIntegration("ft-metrics", "team"))

    tg(job=job, provider=tg.provider(wandb_key=WANDB_KEY))

    [created] = fake_together.jobs.values()
    assert created.request["wandb_key"] == WANDB_KEY  # the SDK sends wandb_api_key as wandb_key
    assert (created.request["wandb_project_name"], created.request["wandb_entity"]) == ("ft-metrics", "team")
    written = files_written(tg.train.parent, offline_wandb)
    assert written and not [p for p, b in written.items() if WANDB_KEY.encode() in b]
    assert not [m for m in tg.messages() if WANDB_KEY in m]
    [entry] = tg.ledger.data["jobs"].values()
    assert entry["request"]["wandb_api_key"] == "<WANDB_API_KEY>"


def test_together_follows_the_job_to_its_end(tg: Run, fake_together: FakeTogether) -> None:
    result = tg(wait=True)

    output = fake_together.jobs[str(result.job_id)].data["model_output_name"]
    assert (result.job_status, result.fine_tuned_model) == ("completed", output)
    assert "Training started" in tg.messages("event")
    assert any("WandbLogger.sync reads OpenAI jobs only" in m for m in tg.messages("note"))


# Fireworks


def test_fireworks_one_dataset_per_file_one_job_with_prep_chosen_ids(
    fw: Run, fake_fireworks: FakeFireworks, offline_wandb: Path
) -> None:
    result = fw()

    assert sorted(fake_fireworks.datasets) == sorted(e["file_id"] for e in fw.ledger.data["uploads"].values())
    assert all(d.startswith("prep-") for d in fake_fireworks.datasets)
    [job] = fake_fireworks.jobs_in()
    assert result.job_id == f"supervised_fine_tuning_jobs/{job.id}" and job.id.startswith("prep-")
    account = fake_fireworks.account_id
    train_id, valid_id = (fw.ledger.data["uploads"][k]["file_id"] for k in sorted(fw.ledger.data["uploads"]))
    names = {job.request["dataset"], job.request["evaluationDataset"]}
    assert names == {f"accounts/{account}/datasets/{train_id}", f"accounts/{account}/datasets/{valid_id}"}
    assert job.request["baseModel"] == FIREWORKS_MODEL
    arts = dataset_artifacts(offline_wandb)
    assert {(a["metadata"]["target"], a["metadata"]["file_id"]) for a in arts} == {
        ("fireworks", train_id),
        ("fireworks", valid_id),
    }


def test_fireworks_second_run_uploads_nothing(fw: Run, fake_fireworks: FakeFireworks) -> None:
    first = fw()
    sent = len(fake_fireworks.requests)

    second = fw()

    assert second.job_id == first.job_id and not second.job_created
    assert not [r for r in fake_fireworks.requests[sent:] if r.method in ("POST", "PUT", "DELETE")]
    assert len(fake_fireworks.datasets) == 2 and len(fake_fireworks.jobs_in()) == 1


@pytest.mark.parametrize("verdict", ["reply", "status"])
def test_fireworks_refused_dataset_becomes_p411_and_no_job(
    fw: Run, fake_fireworks: FakeFireworks, offline_wandb: Path, verdict: str
) -> None:
    fake_fireworks.settings.fail_datasets_matching = b"q3:"
    fake_fireworks.settings.invalid_verdict = verdict  # type: ignore[assignment]

    with pytest.raises(ProviderRejectedError) as info:
        fw()

    [issue] = info.value.issues
    assert (issue.code, issue.path) == ("P411", str(fw.train))
    assert fake_fireworks.settings.failure_message in issue.message
    assert issue.message.startswith("Fireworks refused the file after upload: ")
    assert not fake_fireworks.jobs and not logged_runs(offline_wandb)

    before = len(fake_fireworks.requests)
    with pytest.raises(ProviderRejectedError):
        fw()
    assert {r.method for r in fake_fireworks.requests[before:]} <= {"GET"}  # only the accepted file is looked at


def test_fireworks_lost_reply_on_the_job_ends_in_one_job(fw: Run, fake_fireworks: FakeFireworks) -> None:
    fake_fireworks.drop_next(
        f"/v1/accounts/{fake_fireworks.account_id}/supervisedFineTuningJobs", method="POST", after_processing=True
    )

    result = fw()

    [job] = fake_fireworks.jobs_in()
    assert result.job_id == f"supervised_fine_tuning_jobs/{job.id}"


def test_fireworks_5xx_on_the_upload_then_success(fw: Run, fake_fireworks: FakeFireworks) -> None:
    fake_fireworks.fail_next(f"/v1/accounts/{fake_fireworks.account_id}/datasets/", 500, method="POST")

    result = fw(valid=None)

    assert result.job_id is not None and len(fake_fireworks.datasets) == 1


def test_fireworks_refused_job(fw: Run, fake_fireworks: FakeFireworks) -> None:
    fake_fireworks.settings.refuse_jobs_with = "base model is not tunable"

    with pytest.raises(PublishError, match="base model is not tunable"):
        fw()

    assert not fake_fireworks.jobs
    [entry] = fw.ledger.data["jobs"].values()
    assert entry["state"] == "refused"


def test_fireworks_follows_the_job_and_sends_wandb_config(
    fw: Run, fake_fireworks: FakeFireworks, offline_wandb: Path
) -> None:
    job = JobSpec(model=FIREWORKS_MODEL, integration=WandbIntegration("ft-metrics", "team"))

    result = fw(job=job, provider=fw.provider(wandb_key=WANDB_KEY), wait=True)

    [created] = fake_fireworks.jobs_in()
    assert created.request["wandbConfig"] == {
        "apiKey": WANDB_KEY,
        "enabled": True,
        "entity": "team",
        "project": "ft-metrics",
    }
    assert result.job_status == "JOB_STATE_COMPLETED"
    written = files_written(fw.train.parent, offline_wandb)
    assert not [p for p, b in written.items() if WANDB_KEY.encode() in b]


# A publish killed after the upload went out, before its reply was recorded: the next run adopts the upload


class KilledAfterUpload:
    """The target's adapter, stopped (as by Ctrl-C or a kill) right after the provider took the upload."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def upload(self, f: Any) -> Any:
        self.inner.upload(f)
        raise KeyboardInterrupt


@pytest.mark.parametrize("target", ["together", "fireworks"])
def test_a_run_killed_after_the_upload_resumes_without_uploading_again(
    request: pytest.FixtureRequest, target: str
) -> None:
    r: Run = request.getfixturevalue({"together": "tg", "fireworks": "fw"}[target])
    with pytest.raises(KeyboardInterrupt):
        r(valid=None, provider=KilledAfterUpload(r.provider()))
    [entry] = r.ledger.data["uploads"].values()
    assert entry["state"] == "started" and entry["target"] == target  # the reply never reached the ledger

    result = r(valid=None)

    assert any("found the upload of the interrupted publish" in m for m in r.messages("upload"))
    uploads = r.server.uploads if target == "together" else list(r.server.datasets)
    assert len(uploads) == 1 and result.job_id is not None
    [entry] = r.ledger.data["uploads"].values()
    assert entry["state"] == "processed"


# Preference data (DPO), and one file on several targets


@pytest.mark.parametrize("target", ["together", "fireworks"])
def test_dpo_jobs_go_where_the_profile_says(request: pytest.FixtureRequest, target: str, tmp_path: Path) -> None:
    r: Run = request.getfixturevalue({"together": "tg", "fireworks": "fw"}[target])
    r.train = write(tmp_path / "dpo" / "train.jsonl", [dpo_example(i) for i in range(12)])
    if target == "fireworks":
        r.server.settings.check_lines = False  # the fake validates chat and completion lines only

    result = r(
        valid=None, job=JobSpec(model=MODELS[target], method="dpo", beta="0.2" if target == "together" else None)
    )

    if target == "together":
        [job] = r.server.jobs.values()
        method = job.request["training_method"]  # the SDK adds its own DPO defaults beside prep's beta
        assert (method["method"], method["dpo_beta"]) == ("dpo", 0.2)
    else:
        [job] = r.server.jobs_in("dpoJobs")
        assert job.request["trainingConfig"] == {"baseModel": FIREWORKS_MODEL}
        assert result.job_id == f"dpo_jobs/{job.id}"


def test_one_file_on_two_targets_is_uploaded_to_each_once(
    tg: Run, fw: Run, fake_together: FakeTogether, fake_fireworks: FakeFireworks
) -> None:
    tg(valid=None)
    fw(valid=None)
    sent = (len(fake_together.requests), len(fake_fireworks.requests))

    tg(valid=None)
    fw(valid=None)

    assert len(fake_together.uploads) == 1 and len(fake_fireworks.datasets) == 1
    assert len(fake_together.jobs) == 1 and len(fake_fireworks.jobs_in()) == 1
    assert not [r for r in fake_together.requests[sent[0] :] if r.method != "GET"]
    assert not [r for r in fake_fireworks.requests[sent[1] :] if r.method != "GET"]
    ledger = tg.ledger.data
    assert sorted(e["target"] for e in ledger["uploads"].values()) == ["fireworks", "together"]
    assert sorted(e["target"] for e in ledger["jobs"].values()) == ["fireworks", "together"]


def test_together_a_lost_put_leaves_an_orphan_id_and_the_file_is_sent_again(
    tg: Run, fake_together: FakeTogether
) -> None:
    """The PUT of the bytes is not retried by the SDK (PROVIDERS.md §2): the file id it leaves has no bytes."""
    fake_together.drop_next("/storage/", method="PUT")

    result = tg(valid=None)

    orphan, sent = fake_together.uploads
    assert (orphan.content, orphan.processing_status) == (None, None)  # never adopted
    assert sent.content == tg.train.read_bytes()
    [job] = fake_together.jobs.values()
    assert (job.request["training_file"], result.job_id) == (sent.id, job.id)


def test_together_a_job_made_after_the_client_gave_up_is_found_by_the_next_run(
    tg: Run, fake_together: FakeTogether
) -> None:
    """The service finishes the create request after the client's timeout: nothing is sent again, now or later."""
    fake_together.stall_next("/v1/fine-tunes", 2.0, method="POST", exact=True)  # then it makes the job

    with pytest.raises(PublishError, match="The service may still make it"):
        tg(valid=None, provider=tg.provider(timeout=0.5))
    fake_together.settle()
    [job] = fake_together.jobs.values()  # made late, after prep looked for it

    result = tg(valid=None)

    assert result.job_id == job.id and not result.job_created
    assert any("found the job of the interrupted publish" in m for m in tg.messages("job"))
    assert len(job_posts(fake_together)) == 1 and len(fake_together.jobs) == 1
