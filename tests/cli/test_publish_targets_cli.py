"""`prep publish --target NAME` from the command line: keys and endpoints from the environment, the SDKs over real
HTTP against the local fakes, W&B offline; dry runs for every target; OpenAI's wind-down from its profile's dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support import wandb_records
from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_together import FakeTogether
from tests.support.publish_data import example, fast_sdk_retries, rft_example, write

together = pytest.importorskip("together", minversion="3.1")
fireworks = pytest.importorskip("fireworks")
if not hasattr(fireworks, "Fireworks"):  # the unrelated `fireworks` package from PyPI
    pytest.skip("needs fireworks-ai, not the `fireworks` workflow package", allow_module_level=True)

TOGETHER_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
FIREWORKS_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
WANDB_KEY = "wandb-leakcheck-0123456789abcdef0123456789abcdef0123"
#: Every variable a target's key may come from, and the variables that point the SDKs elsewhere.
PROVIDER_ENV = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION",
    "TOGETHER_API_KEY", "TOGETHER_BASE_URL", "FIREWORKS_API_KEY", "FIREWORKS_ACCOUNT_ID", "FIREWORKS_BASE_URL",
    "AWS_BEARER_TOKEN_BEDROCK",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or endpoint from the developer's shell; the SDKs retry without their 0.5-10 s sleeps."""
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    fast_sdk_retries(monkeypatch)


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "data"
    return write(folder / "train.jsonl", [example(i) for i in range(12)]), write(
        folder / "valid.jsonl", [example(i, "v") for i in range(3)]
    )


@pytest.fixture
def on_together(monkeypatch: pytest.MonkeyPatch, fake_together: FakeTogether) -> FakeTogether:
    monkeypatch.setenv("TOGETHER_API_KEY", fake_together.api_key)
    monkeypatch.setenv("TOGETHER_BASE_URL", fake_together.url)
    return fake_together


@pytest.fixture
def on_fireworks(monkeypatch: pytest.MonkeyPatch, fake_fireworks: FakeFireworks) -> FakeFireworks:
    monkeypatch.setenv("FIREWORKS_API_KEY", fake_fireworks.api_key)
    monkeypatch.setenv("FIREWORKS_ACCOUNT_ID", fake_fireworks.account_id)
    monkeypatch.setenv("FIREWORKS_BASE_URL", fake_fireworks.url)
    return fake_fireworks


def publish_args(data: tuple[Path, Path], target: str, model: str, *extra: str) -> list[str]:
    train, valid = data
    return [
        "publish", str(train), "--valid", str(valid), "--target", target, "--model", model, "--poll-interval", "0",
        *extra,
    ]  # fmt: skip


def no_secret_in(keys: tuple[str, ...], *texts: str, folders: tuple[Path, ...] = ()) -> list[str]:
    """Where any of ``keys`` shows: in ``texts`` or in a file under ``folders``."""
    found = [f"text {i}" for i, text in enumerate(texts) for key in keys if key in text]
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and any(key.encode() in path.read_bytes() for key in keys):
                found.append(str(path))
    return found


def test_together_from_the_command_line_then_again(
    run_prep, data, on_together: FakeTogether, offline_wandb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_API_KEY", WANDB_KEY)  # W&B stays offline (WANDB_MODE); the key goes to the job only
    args = [*publish_args(data, "together", TOGETHER_MODEL), "--job-wandb", "--project", "ft-data", "--wait"]

    code, out, err = run_prep(*args)

    assert code == 0, err
    [job] = on_together.jobs.values()
    assert len(on_together.uploads) == 2 and job.request["wandb_key"] == WANDB_KEY
    assert job.request["wandb_project_name"] == "ft-data"
    assert f"job: {job.id} (completed)" in out and "  Training started" in out
    assert "fine-tuned model: " + job.data["model_output_name"] in out
    arts = [a for a in wandb_records.logged_artifacts(offline_wandb) if a["type"] == "training_files"]
    assert [a["metadata"]["target"] for a in arts] == ["together"]
    keys = (WANDB_KEY, on_together.api_key)
    assert no_secret_in(keys, out, err, folders=(data[0].parent, offline_wandb)) == []

    sent = len(on_together.requests)
    code, out, err = run_prep(*args)

    assert code == 0, err
    assert not [r for r in on_together.requests[sent:] if r.method in ("POST", "PUT")]  # no upload, no job
    assert f"fine-tuning job {job.id} already created (ledger" in out
    assert len(on_together.uploads) == 2 and len(on_together.jobs) == 1


def test_fireworks_refusal_is_p411_lines_and_exit_1(run_prep, data, on_fireworks: FakeFireworks) -> None:
    on_fireworks.settings.fail_datasets_matching = b"q5:"
    on_fireworks.settings.failure_message = "Line 6: invalid role 'bot'; expected one of system, user, assistant"

    code, out, err = run_prep(*publish_args(data, "fireworks", FIREWORKS_MODEL), "--no-wandb")

    assert code == 1
    assert (
        f"{data[0]}:6: P411 Fireworks refused the file after upload: dataset validation failed: "
        "Line 6: invalid role 'bot'" in out
    ), out
    assert "Fireworks refused 1 file(s) after upload (P411" in err
    assert not on_fireworks.jobs
    assert no_secret_in((on_fireworks.api_key,), out, err, folders=(data[0].parent,)) == []


def test_fireworks_from_the_command_line(run_prep, data, on_fireworks: FakeFireworks, offline_wandb: Path) -> None:
    code, out, err = run_prep(*publish_args(data, "fireworks", FIREWORKS_MODEL))

    assert code == 0, err
    [job] = on_fireworks.jobs_in()
    assert f"job: supervised_fine_tuning_jobs/{job.id}" in out
    assert len(on_fireworks.datasets) == 2


def test_a_missing_key_names_the_variable(run_prep, data) -> None:
    code, _, err = run_prep(*publish_args(data, "fireworks", FIREWORKS_MODEL), "--no-wandb")

    assert code == 2
    assert (
        err == "prep: error: No Fireworks API key: set FIREWORKS_API_KEY (prep takes keys from the environment only).\n"
    )


@pytest.mark.parametrize(
    ("target", "calls"),
    [
        ("openai", ["client.files.create(file=('train.jsonl', ", "client.fine_tuning.jobs.create(model="]),
        ("azure", ["client.files.create(file=('train.jsonl', ", "client.fine_tuning.jobs.create(model="]),
        (
            "together",
            ["client.files.upload(file=", "client.fine_tuning.create(training_file='<file id of train.jsonl>'"],
        ),
        (
            "fireworks",
            [
                "client.datasets.create(dataset_id='prep-",
                "client.datasets.upload('prep-",
                "client.supervised_fine_tuning_jobs.create(supervised_fine_tuning_job_id='prep-<a fresh key>'",
            ],
        ),
    ],
)
def test_dry_run_prints_the_calls_and_sends_nothing(
    run_prep,
    data,
    offline_wandb: Path,
    fake_openai: FakeOpenAI,
    on_together: FakeTogether,
    on_fireworks: FakeFireworks,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    calls: list[str],
) -> None:
    """Every server is reachable and every key set: a dry run still sends nothing and writes nothing."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-dry-run-leakcheck-0123456789")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-dry-run-leakcheck-0123456789")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", fake_openai.base_url)
    model = {"together": TOGETHER_MODEL, "fireworks": FIREWORKS_MODEL}.get(target, "gpt-4o-mini-2024-07-18")

    code, out, err = run_prep(*publish_args(data, target, model), "--dry-run")

    assert code == 0, err
    plan = [line for line in out.splitlines() if line.startswith("dry run: ")]
    for call in calls:
        assert any(call in line for line in plan), (call, plan)
    assert any(line.startswith("dry run: wandb: would log artifact train-<file id>") for line in plan)
    assert not fake_openai.requests and not on_together.requests and not on_fireworks.requests
    assert not (data[0].parent / ".prep").exists() and not (offline_wandb / "wandb").exists()
    secrets = ("sk-dry-run-leakcheck-0123456789", "azure-dry-run-leakcheck-0123456789", on_together.api_key)
    assert no_secret_in((*secrets, on_fireworks.api_key), out, err) == []


def test_bedrock_dry_run_is_openai_compatible_reinforcement(run_prep, tmp_path: Path) -> None:
    train = write(tmp_path / "rft" / "train.jsonl", [rft_example(i) for i in range(100)])
    valid = write(tmp_path / "rft" / "valid.jsonl", [rft_example(i) for i in range(100, 110)])
    grader = tmp_path / "grader.json"
    grader.write_text(json.dumps({"type": "string_check", "name": "exact", "input": "{{sample.output_text}}",
                                  "reference": "{{item.reference_answer}}", "operation": "eq"}))  # fmt: skip
    url = "https://bedrock-mantle.us-west-2.api.aws/v1"
    args = ["publish", train, "--valid", valid, "--target", "bedrock", "--model", "openai.gpt-oss-20b"]

    code, out, err = run_prep(*args, "--method", "reinforcement", "--grader", grader, "--base-url", url,
                              "--dry-run", "--no-wandb", "--no-tokens")  # fmt: skip

    assert code == 0, err
    assert f"to {url} (bedrock): client.files.create(file=('train.jsonl', " in out
    assert "client.fine_tuning.jobs.create(model='openai.gpt-oss-20b', " in out
    assert "method={'type': 'reinforcement', 'reinforcement': {'grader': {'type': 'string_check'" in out

    code, _, err = run_prep(*args, "--base-url", url, "--dry-run", "--no-wandb", "--no-tokens")

    assert code == 2
    assert "prep publishes reinforcement jobs to bedrock, not supervised" in err


def test_bedrock_publishes_through_the_openai_sdk_to_a_compatible_endpoint(
    run_prep, tmp_path: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bedrock Mantle is an OpenAI-compatible API (targets §7): the openai SDK against the local OpenAI server."""
    from tests.support.fake_openai import API_KEY

    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", API_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-go-to-aws-0123456789")
    train = write(tmp_path / "rft" / "train.jsonl", [rft_example(i) for i in range(100)])
    valid = write(tmp_path / "rft" / "valid.jsonl", [rft_example(i) for i in range(100, 110)])
    grader = tmp_path / "grader.json"
    grader.write_text(json.dumps({"type": "string_check", "name": "exact", "operation": "eq"}))
    args = ["publish", train, "--valid", valid, "--target", "bedrock", "--model", "openai.gpt-oss-20b"]
    args += ["--method", "reinforcement", "--grader", grader, "--base-url", fake_openai.base_url, "--no-wandb"]

    code, _, err = run_prep(*args, "--no-tokens")

    assert code == 0, err
    [job] = fake_openai.jobs
    assert job.request["method"]["type"] == "reinforcement" and job.request["model"] == "openai.gpt-oss-20b"
    assert [u.filename for u in fake_openai.uploads] == ["train.jsonl", "valid.jsonl"]
    auth = {r.headers.get("authorization") for r in fake_openai.requests}
    assert auth == {f"Bearer {API_KEY}"}  # the Bedrock key, never OPENAI_API_KEY
    assert all(
        k.startswith("bedrock:") for k in json.loads((train.parent / ".prep" / "ledger.json").read_text())["uploads"]
    )


def test_openai_says_when_jobs_stop_then_refuses_naming_azure(run_prep, data, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dates are the profile's (openai.toml: new_jobs_until, the model's shutdown); PREP_TODAY moves the day."""
    args = [*publish_args(data, "openai", "gpt-4o-mini-2024-07-18"), "--dry-run", "--no-wandb"]

    code, out, err = run_prep(*args)

    assert code == 0, err
    note = "OpenAI takes new fine-tuning jobs until 2027-01-06; gpt-4o-mini-2024-07-18 and its fine-tunes shut down "
    assert [line for line in out.splitlines() if note in line] == [f"note: {note}on 2027-01-14."]

    monkeypatch.setenv("PREP_TODAY", "2027-01-07")
    code, out, err = run_prep(*args)

    assert (code, out) == (2, "")
    assert err == (
        "prep: error: OpenAI takes no new fine-tuning jobs after 2027-01-06; publish the same file to --target azure "
        "(the same model, gpt-4o-mini-2024-07-18) or --target fireworks, together (their own models).\n"
    )


def test_a_custom_profile_publishes_to_an_openai_compatible_api(
    run_prep, data, tmp_path: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .toml profile that extends openai with its own endpoint and key variable (say, Nebius Token Factory)."""
    from tests.support.fake_openai import API_KEY

    profile = tmp_path / "tokenfactory.toml"
    profile.write_text(
        'extends = "openai"\nname = "tokenfactory"\ntitle = "An OpenAI-compatible fine-tuning API"\n'
        'provider = "Token Factory"\nnew_jobs_until = false\n'
        f'[publish]\nbase_url = "{fake_openai.base_url}"\nbase_url_env = false\nkey_env = "TOKENFACTORY_API_KEY"\n'
        'wandb = "artifacts"\n'
    )
    monkeypatch.setenv("TOKENFACTORY_API_KEY", API_KEY)

    code, out, err = run_prep(*publish_args(data, str(profile), "gpt-4o-mini-2024-07-18"), "--no-wandb")

    assert code == 0, err
    assert [u.filename for u in fake_openai.uploads] == ["train.jsonl", "valid.jsonl"] and len(fake_openai.jobs) == 1
    assert API_KEY not in out + err and "OpenAI takes new fine-tuning jobs" not in out + err
