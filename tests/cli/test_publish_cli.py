"""`prep split` and `prep publish` from the command line, against the local fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from prep.targets.loader import load_target
from tests.support import wandb_records
from tests.support.fake_openai import FakeOpenAI

MODEL = "gpt-4o-mini-2024-07-18"
KEY = "sk-prep-leakcheck-7f3a9c1e5b2d4f60a8e1"


TARGET_PROVIDER = load_target("openai").provider


def example(i: int, prefix: str = "q") -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": f"{prefix}{i}?"},
            {"role": "assistant", "content": f"A{i}."},
        ]
    }


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    train, valid = folder / "train.jsonl", folder / "valid.jsonl"
    train.write_text("".join(json.dumps(example(i)) + "\n" for i in range(12)))
    valid.write_text("".join(json.dumps(example(i, "v")) + "\n" for i in range(3)))
    return train, valid


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return KEY


def publish_args(data: tuple[Path, Path], server: FakeOpenAI, *extra: str) -> list[str]:
    train, valid = data
    return [
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


def ledger_of(data: tuple[Path, Path]) -> dict[str, Any]:
    return json.loads((data[0].parent / ".prep" / "ledger.json").read_text())


# split


def test_split_command(run_prep, tmp_path: Path) -> None:
    src = tmp_path / "all.jsonl"
    src.write_text("".join(json.dumps(example(i)) + "\n" for i in range(20)))

    code, out, err = run_prep("split", src, "--valid-fraction", "0.2", "--seed", "3", "-o", tmp_path / "out")

    assert (code, err) == (0, "")
    assert out == (
        f"wrote {tmp_path}/out/all.train.jsonl (16 examples) and {tmp_path}/out/all.valid.jsonl "
        "(4 examples)\n20 distinct examples, seed 3\n"
    )


def test_split_reports_bad_lines_leaves_them_out_and_warns_under_the_minimum(run_prep, tmp_path: Path) -> None:
    src = tmp_path / "all.jsonl"
    lines = [json.dumps(example(i)) for i in range(12)]
    lines[4] = '{"messages": [{"role": "user", "content": "q4?"}]}'
    src.write_text("\n".join(lines) + "\n")

    code, out, err = run_prep("split", src, "--valid-count", "2")

    assert code == 1
    assert err == "prep: left out 1 line(s) with errors (5): they are in neither file.\n"
    train = tmp_path / "all.train.jsonl"
    problem, *rest = out.splitlines(keepends=True)
    assert problem.startswith(f"{src}:5: P204 ")  # the check's own message, as prep check prints it
    assert "".join(rest) == (
        f"wrote {train} (9 examples) and {tmp_path}/all.valid.jsonl (2 examples)\n11 distinct examples, seed 0\n"
        f"{train}: P408 The training file has 9 example(s), but {TARGET_PROVIDER} needs at least 10; "
        "add examples, or take fewer for validation (--valid-count).\n"
    )
    assert b'"q4?"' not in train.read_bytes() + (tmp_path / "all.valid.jsonl").read_bytes()


def test_split_usage_errors(run_prep, tmp_path: Path) -> None:
    src = tmp_path / "all.jsonl"
    src.write_text("".join(json.dumps(example(i)) + "\n" for i in range(5)))

    code, _, err = run_prep("split", src, "--valid-fraction", "0.2", "--valid-count", "1")
    assert code == 2 and "not both" in err
    code, _, err = run_prep("split", tmp_path / "missing.jsonl")
    assert code == 2 and "no such file" in err


# publish


def test_publish_prints_the_report_progress_and_job_id(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, offline_wandb: Path
) -> None:
    code, out, err = run_prep(
        *publish_args(data, fake_openai, "--n-epochs", "2", "--suffix", "demo", "--metadata", "team=search")
    )

    assert code == 0, err
    [job] = fake_openai.jobs
    assert "ok: 2 file(s), 0 error(s)" in out
    assert f"{data[0]}: uploaded as {fake_openai.uploads[0].id}" in out
    assert f"logged artifact train-{fake_openai.uploads[0].id} (training_files" in out
    assert f"created fine-tuning job {job.id}" in out
    assert out.rstrip().endswith(f"job: {job.id} (validating_files)\nledger: {data[0].parent}/.prep/ledger.json")
    assert job.request["suffix"] == "demo" and job.request["metadata"]["team"] == "search"
    assert job.request["method"]["supervised"]["hyperparameters"] == {"n_epochs": 2}
    assert "W&B is offline (WANDB_MODE)" in err


def test_second_publish_uploads_nothing(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, offline_wandb: Path
) -> None:
    assert run_prep(*publish_args(data, fake_openai))[0] == 0
    before = len(fake_openai.requests)

    code, out, _ = run_prep(*publish_args(data, fake_openai))

    assert code == 0 and len(fake_openai.requests) == before
    assert out.count("already uploaded") == 2 and out.count("already logged") == 2
    assert "already created" in out


def test_publish_killed_after_the_upload_resumes_without_uploading_again(
    data, fake_openai: FakeOpenAI, offline_wandb: Path
) -> None:
    fake_openai.settings.processing_polls = 10**9  # the service never finishes processing: publish keeps waiting
    cmd = [sys.executable, "-m", "prep", *publish_args(data, fake_openai, "--poll-interval", "0.05")]
    env = {**os.environ, "OPENAI_API_KEY": KEY}
    ledger = data[0].parent / ".prep" / "ledger.json"
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (ledger.exists() and '"state": "uploaded"' in ledger.read_text()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.communicate()
    assert [u.filename for u in fake_openai.uploads] == ["train.jsonl"]

    fake_openai.settings.processing_polls = 0
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert [u.filename for u in fake_openai.uploads] == ["train.jsonl", "valid.jsonl"]  # train not uploaded again
    [job] = fake_openai.jobs
    assert job.request["training_file"] == fake_openai.uploads[0].id
    assert f"{fake_openai.uploads[0].id} processed" in done.stdout


def test_data_errors_exit_1_with_the_report_and_upload_nothing(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str
) -> None:
    data[0].write_text(data[0].read_text() + '{"messages": [{"role": "user", "content": "hi"}]}\n')

    code, out, err = run_prep(*publish_args(data, fake_openai, "--no-wandb"))

    assert code == 1
    assert f"{data[0]}:13: P204" in out and "FAILED: 2 file(s), 1 error(s)" in out
    assert "prep: error: 1 error(s) in the data; fix them, or publish anyway with --force" in err
    assert not fake_openai.requests
    assert run_prep(*publish_args(data, fake_openai, "--no-wandb", "--force"))[0] == 0
    assert len(fake_openai.uploads) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--n-epochs", "0"), "n_epochs must be \"auto\" or >= 1 and <= 50 (got '0')"),
        (("--beta", "0.1"), "beta applies to dpo jobs only, not supervised"),
        (("--suffix", "x" * 65), "suffix must be 1 to 64 characters"),
        (("--metadata", "novalue"), "'novalue' is not KEY=VALUE"),
    ],
)
def test_invalid_parameters_exit_2_before_any_request(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, extra: tuple[str, ...], message: str
) -> None:
    code, _, err = run_prep(*publish_args(data, fake_openai, "--no-wandb", *extra))

    assert code == 2 and message in err
    assert not fake_openai.requests


def test_reinforcement_needs_a_validation_file(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, tmp_path: Path
) -> None:
    grader = tmp_path / "grader.json"
    grader.write_text(
        '{"type": "string_check", "name": "g", "input": "{{sample.output_text}}", '
        '"reference": "{{item.answer}}", "operation": "eq"}'
    )

    code, _, err = run_prep(
        "publish",
        data[0],
        "--model",
        "o4-mini",
        "--method",
        "reinforcement",
        "--grader",
        grader,
        "--base-url",
        fake_openai.base_url,
        "--no-wandb",
    )

    assert code == 2 and "reinforcement fine-tuning needs a validation file (--valid)" in err
    assert not fake_openai.requests


def test_a_missing_key_is_a_clear_error(run_prep, data, fake_openai: FakeOpenAI) -> None:
    code, _, err = run_prep(*publish_args(data, fake_openai, "--no-wandb"))
    assert code == 2 and "No OpenAI API key: set OPENAI_API_KEY" in err


def test_refused_job_exits_1_with_the_services_words(run_prep, data, fake_openai: FakeOpenAI, api_key: str) -> None:
    fake_openai.settings.refuse_jobs_with = "Fine-tuning is not available for this organization."

    code, out, err = run_prep(*publish_args(data, fake_openai, "--no-wandb"))

    assert code == 1
    assert (
        "prep: error: Creating the fine-tuning job failed: HTTP 400: Fine-tuning is not available for this "
        "organization. The ledger"
    ) in err
    assert out.count("processed") == 2
    [job] = ledger_of(data)["jobs"].values()
    assert job["state"] == "refused"


def test_dry_run_needs_no_key_and_writes_nothing(run_prep, data, fake_openai: FakeOpenAI, offline_wandb: Path) -> None:
    code, out, _ = run_prep(*publish_args(data, fake_openai, "--dry-run", "--wait"))

    assert code == 0
    assert f"dry run: upload: would upload {data[0]} (" in out
    assert "dry run: wandb: would log artifact train-<file id> (type training_files" in out
    assert "dry run: job: would call client.fine_tuning.jobs.create(model='gpt-4o-mini-2024-07-18', " in out
    assert "metadata={'prep_key': '<a fresh key>', 'prep_job_key': " in out
    assert "dry run: wait: would follow the job's events until it ends, then run WandbLogger.sync for it" in out
    assert not fake_openai.requests
    assert not (data[0].parent / ".prep").exists() and not (offline_wandb / "wandb").exists()


def test_without_wandb_credentials_runs_are_offline(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, offline_wandb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WANDB_MODE")
    monkeypatch.setenv("NETRC", str(offline_wandb / "no-netrc"))

    code, out, err = run_prep(*publish_args(data, fake_openai, "--wait"))

    assert code == 0, err
    [run_log] = wandb_records.run_log_paths(offline_wandb)
    assert "No W&B credentials found (WANDB_API_KEY or `wandb login`)" in err
    assert f"wandb sync {run_log.parent}" in err
    job_id = fake_openai.jobs[0].id
    assert (f"WandbLogger.sync(fine_tune_job_id='{job_id}', project='OpenAI-Fine-Tune', entity=None)") in err
    assert f"job: {job_id} (succeeded)" in out


def test_no_wandb_and_wandb_disabled(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, offline_wandb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_prep(*publish_args(data, fake_openai, "--no-wandb"))[0] == 0
    monkeypatch.setenv("WANDB_MODE", "disabled")
    code, _, err = run_prep(*publish_args(data, fake_openai, "--new-job"))

    assert code == 0 and "W&B is disabled (WANDB_MODE=disabled)" in err
    assert not (offline_wandb / "wandb").exists()
    assert "wandb_train_artifact" not in fake_openai.jobs[0].request["metadata"]


def test_base_url_from_the_environment(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)

    code, _, err = run_prep("publish", data[0], "--model", MODEL, "--no-wandb", "--poll-interval", "0")

    assert code == 0, err
    assert len(fake_openai.uploads) == 1


def test_azure_openai(run_prep, data, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)

    code, _, err = run_prep(
        "publish",
        data[0],
        "--valid",
        data[1],
        "--model",
        MODEL,
        "--no-wandb",
        "--azure-endpoint",
        fake_openai.url,
        "--api-version",
        "2025-02-01-preview",
        "--poll-interval",
        "0",
    )

    assert code == 0, err
    assert {r.path.split("/")[1] for r in fake_openai.requests} == {"openai"}
    assert {r.query["api-version"] for r in fake_openai.requests} == {"2025-02-01-preview"}
    assert {r.headers["api-key"] for r in fake_openai.requests} == {KEY}
    assert len(fake_openai.jobs) == 1


def test_the_api_key_is_never_printed_logged_or_written(
    run_prep, data, fake_openai: FakeOpenAI, api_key: str, offline_wandb: Path, tmp_path: Path
) -> None:
    fake_openai.settings.refuse_jobs_with = f"Incorrect API key provided: {KEY}."
    outputs = [run_prep(*publish_args(data, fake_openai))]
    fake_openai.settings.refuse_jobs_with = None
    outputs.append(run_prep(*publish_args(data, fake_openai, "--wait")))
    import wandb

    wandb.teardown()

    assert [code for code, _, _ in outputs] == [1, 0]
    assert "Incorrect API key provided: ***." in outputs[0][2]
    for _, out, err in outputs:
        assert KEY not in out and KEY not in err
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "ledger.json" for p in written)
    assert any(p.suffix == ".wandb" for p in written)
    leaking = [p for p in written if KEY.encode() in p.read_bytes()]
    assert leaking == []
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in fake_openai.requests)  # it was used


def test_every_new_command_has_help(run_prep) -> None:
    for command in ("split", "publish"):
        code, out, _ = run_prep(command, "--help")
        assert code == 0 and "Usage: prep " + command in out


def test_check_imports_neither_openai_nor_wandb(data) -> None:
    code = (
        "import sys; from prep.cli import main; "
        f"rc = main(['check', {str(data[0])!r}, '--valid', {str(data[1])!r}, '--no-tokens']); "
        "print(rc, sorted(m for m in ('openai', 'wandb') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr
