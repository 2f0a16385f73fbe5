"""Publishing under faults: lost and late replies, malformed replies, concurrent runs, kills, changed files.

Never a second paid job, never "created job None", never exit 3: each case is driven
through the real SDK over real HTTP against the local fake server (and offline W&B).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from prep.errors import PublishError
from prep.publishing.publisher import publish
from prep.publishing.types import PublishEvent
from tests.cli import test_publish_cli
from tests.support import wandb_records
from tests.support.fake_openai import FakeOpenAI

MODEL = "gpt-4o-mini-2024-07-18"
KEY = "sk-prep-faults-5c1e9a7b3d"


example = test_publish_cli.example
data = test_publish_cli.data  # the same fixture: a training and a validation file


def ledger_of(data: tuple[Path, Path]) -> dict[str, Any]:
    return json.loads((data[0].parent / ".prep" / "ledger.json").read_text())


def api(server: FakeOpenAI, data: tuple[Path, Path], events: list[PublishEvent] | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("client", server.client())  # the SDK's default: 2 retries
    kwargs.setdefault("tracker", None)
    kwargs.setdefault("on_event", events.append if events is not None else None)
    return publish(data[0], valid=data[1], model=MODEL, poll_interval=0, sleep=lambda s: None, **kwargs)


def cli(server: FakeOpenAI, data: tuple[Path, Path], *extra: str) -> list[str]:
    train, valid = data
    return [
        sys.executable,
        "-m",
        "prep",
        "publish",
        str(train),
        "--valid",
        str(valid),
        "--model",
        MODEL,
        "--base-url",
        server.base_url,
        "--poll-interval",
        "0",
        *extra,
    ]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": KEY, **extra}


# lost and late replies


def test_a_request_lost_before_the_service_saw_it_is_sent_again(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.drop_next("/v1/fine_tuning/jobs", method="POST")  # not processed: nothing to find

    result = api(fake_openai, data)

    assert len(fake_openai.jobs) == 1 and result.job_id == fake_openai.jobs[0].id
    assert len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 2
    lookups = fake_openai.requests_to("GET", "/v1/fine_tuning/jobs")
    assert len(lookups) == 1 and lookups[0].query["metadata[prep_key]"]  # looked before sending again


def test_a_late_reply_is_looked_up_and_not_sent_again(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.stall_next("/v1/fine_tuning/jobs", 600, method="POST", after_processing=True)

    result = api(fake_openai, data, timeout=1)

    assert len(fake_openai.jobs) == 1 and result.job_id == fake_openai.jobs[0].id
    assert len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 1


def test_a_stalled_service_fails_within_the_timeout_and_the_next_run_looks_first(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.stall_next("/v1/fine_tuning/jobs", 600, method="POST")  # never answers, makes nothing
    events: list[PublishEvent] = []

    with pytest.raises(PublishError) as info:
        api(fake_openai, data, events, timeout=1, progress_every=0.2)

    assert str(info.value).startswith(
        "Creating the fine-tuning job failed: the service did not answer in time (--timeout)."
    )
    assert "prep looked for it and found nothing yet, and the next run looks again" in str(info.value)
    assert any(e.kind == "wait" and "still waiting for the service" in e.message for e in events)
    assert len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 1  # not sent again
    [entry] = ledger_of(data)["jobs"].values()
    assert entry["state"] == "creating"

    result = api(fake_openai, data)

    assert len(fake_openai.jobs) == 1 and result.job_created
    assert len(fake_openai.requests_to("GET", "/v1/fine_tuning/jobs")) == 2  # looked after the timeout, and again


def test_stalled_server_exits_1_within_the_timeout(fake_openai: FakeOpenAI, data, offline_wandb: Path) -> None:
    fake_openai.stall_next("/v1/files", 600, method="POST")

    done = subprocess.run(
        cli(fake_openai, data, "--timeout", "1"), env=env(), capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"prep: error: Uploading {data[0]} failed: the service did not answer in time (--timeout).")
    assert "Traceback" not in done.stderr


def test_without_job_metadata_a_lost_job_is_found_by_its_files(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.drop_next("/v1/fine_tuning/jobs", method="POST", after_processing=True)

    result = api(fake_openai, data, job_metadata=False)

    [job] = fake_openai.jobs
    assert job.request.get("metadata") is None and result.job_id == job.id
    assert len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 1


def test_when_the_lookup_fails_nothing_is_sent_again(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.drop_next("/v1/fine_tuning/jobs", method="POST", after_processing=True)
    fake_openai.fail_next("/v1/fine_tuning/jobs", 500, times=3, method="GET")  # one lookup and the SDK's retries

    with pytest.raises(PublishError) as info:
        api(fake_openai, data)

    assert "got no answer, and prep cannot tell whether the service made the job (listing jobs failed: HTTP 500" in str(
        info.value
    )
    assert "--new-job (new_job=True), which may make a second, paid job" in str(info.value)
    assert len(fake_openai.jobs) == 1 and len(fake_openai.requests_to("POST", "/v1/fine_tuning/jobs")) == 1

    result = api(fake_openai, data)  # the listing works again: the job is found, not made again
    assert len(fake_openai.jobs) == 1 and result.job_id == fake_openai.jobs[0].id and not result.job_created


# malformed replies


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
        (b"{}", "application/json"),
        (b"null", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"not json", "application/json"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/files", "/v1/fine_tuning/jobs"])
def test_a_malformed_reply_is_one_sentence_and_exit_1(
    fake_openai: FakeOpenAI, data, offline_wandb: Path, body: bytes, content_type: str, path: str
) -> None:
    fake_openai.reply_next(path, body, content_type=content_type, method="POST", times=10)

    done = subprocess.run(cli(fake_openai, data, "--no-wandb"), env=env(), capture_output=True, text=True, timeout=120)

    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("prep: error: ") and "None" not in line
    assert "failed: the service's reply" in line
    assert not fake_openai.jobs and "created fine-tuning job" not in done.stdout


def test_a_malformed_reply_to_a_job_the_service_made_finds_it(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.reply_next("/v1/fine_tuning/jobs", b"{}", method="POST", after_processing=True)

    result = api(fake_openai, data)

    assert len(fake_openai.jobs) == 1 and result.job_id == fake_openai.jobs[0].id


def test_a_malformed_listing_while_following_is_one_sentence(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.reply_next("/v1/fine_tuning/jobs/", b"<html>oops</html>", content_type="text/html", method="GET")
    with pytest.raises(PublishError, match=r"^Following job ftjob-\w+ failed: the service's reply"):
        api(fake_openai, data, wait=True)


# concurrent runs, kills


def test_two_concurrent_publishes_make_one_job(fake_openai: FakeOpenAI, data, offline_wandb: Path) -> None:
    fake_openai.stall_next("/v1/files", 2, method="POST", after_processing=True)  # the first run holds the lock
    commands = [cli(fake_openai, data, "--no-wandb", "--timeout", "30") for _ in range(2)]

    procs = [
        subprocess.Popen(c, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands
    ]
    outputs = [p.communicate(timeout=180) for p in procs]

    assert [p.returncode for p in procs] == [0, 0], outputs
    assert len(fake_openai.jobs) == 1 and len(fake_openai.uploads) == 2
    assert sum("waiting for another prep publish" in err for _, err in outputs) == 1
    assert sum("already created" in out for out, _ in outputs) == 1
    assert not (data[0].parent / ".prep" / "ledger.json.lock").exists()


def test_a_lock_left_by_a_dead_process_is_taken(fake_openai: FakeOpenAI, data) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = data[0].parent / ".prep" / "ledger.json.lock"
    lock.parent.mkdir()
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": 0}))

    assert api(fake_openai, data).job_created
    assert not lock.exists()


def test_a_lock_held_elsewhere_refuses_after_the_wait(fake_openai: FakeOpenAI, data) -> None:
    lock = data[0].parent / ".prep" / "ledger.json.lock"
    lock.parent.mkdir()
    lock.write_text(json.dumps({"pid": 1, "host": "build-agent-7", "since": 0}))
    events: list[PublishEvent] = []

    with pytest.raises(PublishError) as info:
        api(fake_openai, data, events, lock_wait=0.3)

    assert str(info.value).startswith("another prep publish (process 1 on build-agent-7, since ")
    assert str(info.value).endswith(f"run again when it has finished (if it is gone, delete {lock}).")
    assert [e.kind for e in events if e.kind == "wait"] == ["wait"]
    assert not fake_openai.requests and lock.exists()


KILL_AFTER_ARTIFACT = textwrap.dedent(
    """
    import os, signal, sys
    from prep.publishing import ledger

    update = ledger.Ledger.update

    def update_then_die(self, table, key, **fields):
        entry = update(self, table, key, **fields)
        if table == "artifacts":  # the ledger has just heard of the artifact: die before the run finishes
            os.kill(os.getpid(), signal.SIGKILL)
        return entry

    ledger.Ledger.update = update_then_die
    from prep.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_killed_during_wandb_logging_the_artifact_exists_after_the_rerun(
    fake_openai: FakeOpenAI, data, offline_wandb: Path
) -> None:
    args = cli(fake_openai, data)[3:]  # after "python -m prep"
    killed = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_ARTIFACT, *args], env=env(), capture_output=True, text=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr
    [entry] = ledger_of(data)["artifacts"].values()
    assert entry["state"] == "pending"  # the ledger does not claim what the run file may not hold

    done = subprocess.run(cli(fake_openai, data), env=env(), capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    artifacts = ledger_of(data)["artifacts"].values()
    assert [a["state"] for a in artifacts] == ["logged", "logged"]
    on_disk = {
        (a["name"], a["digest"])
        for path in wandb_records.run_log_paths(offline_wandb)
        for a in wandb_records.read_run_log(path).artifacts
    }
    assert {(a["name"], a["digest"]) for a in artifacts} <= on_disk
    assert len(fake_openai.jobs) == 1 and len(fake_openai.uploads) == 2


# what is uploaded is what was checked


def test_a_file_changed_after_the_check_is_refused_and_its_upload_deleted(fake_openai: FakeOpenAI, data) -> None:
    def change_after_check(event: PublishEvent) -> None:
        if event.kind == "report":
            with data[0].open("a") as fp:
                fp.write(json.dumps(example(99)) + "\n")

    with pytest.raises(PublishError, match=r"train\.jsonl changed after it was checked .* was deleted"):
        api(fake_openai, data, on_event=change_after_check)

    [uploaded] = fake_openai.uploads
    assert uploaded.id not in fake_openai.state.files  # deleted on the service
    assert not fake_openai.jobs and not ledger_of(data)["uploads"]


def test_the_ledger_hash_is_the_uploaded_files(fake_openai: FakeOpenAI, data) -> None:
    import hashlib

    api(fake_openai, data)

    recorded = {e["file_id"]: e["sha256"] for e in ledger_of(data)["uploads"].values()}
    assert recorded == {u.id: hashlib.sha256(u.content).hexdigest() for u in fake_openai.uploads}


# secrets


def test_every_configured_key_is_redacted_whatever_its_length(fake_openai: FakeOpenAI, data) -> None:
    fake_openai.settings.refuse_jobs_with = "Bad key abc12 (wandb key w4ndb, together tg-1, fireworks fw)."
    secrets = ("abc12", "w4ndb", "tg-1", "fw")

    with pytest.raises(PublishError) as info:
        api(fake_openai, data, secrets=secrets)

    assert "Bad key *** (wandb key ***, together ***, fireworks ***)." in str(info.value)


def test_the_command_redacts_every_providers_key(fake_openai: FakeOpenAI, data) -> None:
    keys = {"WANDB_API_KEY": "wb-9", "TOGETHER_API_KEY": "tg-7", "FIREWORKS_API_KEY": "fw-3"}
    fake_openai.settings.refuse_jobs_with = f"Keys seen: {KEY}, wb-9, tg-7 and fw-3."

    done = subprocess.run(
        cli(fake_openai, data, "--no-wandb"), env=env(**keys), capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1
    assert "Keys seen: ***, ***, *** and ***." in done.stderr
    assert not any(k in done.stdout + done.stderr for k in [KEY, *keys.values()])


# secrets in the data

LEAKED_KEY = "sk-proj-" + "Qw7" * 16


def test_a_secret_in_the_data_stops_the_publish_unless_allowed(fake_openai: FakeOpenAI, data, offline_wandb) -> None:
    rows = data[0].read_text().splitlines()
    rows[3] = json.dumps(
        example(3) | {"messages": [*example(3)["messages"][:2], {"role": "assistant", "content": f"Use {LEAKED_KEY}."}]}
    )
    data[0].write_text("\n".join(rows) + "\n")

    with pytest.raises(PublishError, match=r"^1 secret\(s\) in the data .*--allow-secrets") as info:
        api(fake_openai, data)
    assert LEAKED_KEY not in str(info.value) and not fake_openai.requests

    from prep.publishing.wandb_log import WandbTracker

    result = api(fake_openai, data, allow_secrets=True, tracker=WandbTracker(mode="offline"))

    assert result.job_created
    tables = [
        json.loads(Path(local).read_text())
        for a in wandb_records.logged_artifacts(offline_wandb)
        for _, _, local in a["entries"].values()
        if local.endswith(".json") or "examples" in a["name"] or ".table" in local
    ]
    text = json.dumps(tables)
    assert LEAKED_KEY not in text and "the secret scan flagged this example" in text
    [train] = [a for a in wandb_records.logged_artifacts(offline_wandb) if a["type"] == "training_files"]
    assert set(train["entries"]) == {result.files[0].file_id}  # no compatible table: it would hold the key
    assert train["metadata"]["examples_left_out"] == 1
