"""prep.publish of files past the SDKs' large-file thresholds: Together's multipart upload (above 5 GiB) and
Fireworks' signed URLs (above 150 MB), through the real SDKs against the local fakes, with the thresholds lowered
so that a small file takes the large-file path (tests/support/PROVIDERS.md §2, §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep.publishing.providers import open_provider
from prep.publishing.publisher import publish
from prep.targets.loader import load_target
from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_http import CA_FILE
from tests.support.fake_together import FakeTogether
from tests.support.publish_data import example, fast_sdk_retries, write

together = pytest.importorskip("together", minversion="3.1")
fireworks = pytest.importorskip("fireworks")
if not hasattr(fireworks, "Fireworks"):  # the unrelated `fireworks` package from PyPI
    pytest.skip("needs fireworks-ai, not the `fireworks` workflow package", allow_module_level=True)


@pytest.fixture
def train(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    fast_sdk_retries(monkeypatch)
    return write(tmp_path / "data" / "train.jsonl", [example(i) for i in range(12)])


def test_together_multipart_upload_is_one_file_and_one_job(
    train: Path, fake_together: FakeTogether, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(together.lib.resources.files, "MULTIPART_THRESHOLD_GB", 0.0)  # really 5 GiB
    provider = open_provider(load_target("together"), fake_together.client())

    result = publish(train, provider=provider, model="Qwen/Qwen3-8B", poll_interval=0, sleep=lambda s: None)

    [file] = fake_together.uploads
    assert file.content == train.read_bytes()
    assert [r.path for r in fake_together.requests if r.method == "POST"][:2] == [
        "/v1/files/multipart/initiate",
        "/v1/files/multipart/complete",
    ]
    [job] = fake_together.jobs.values()
    assert (job.request["training_file"], result.job_id) == (file.id, job.id)


def test_fireworks_signed_url_upload_is_one_dataset_and_one_job(
    train: Path, fake_fireworks: FakeFireworks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(CA_FILE))  # the signed URLs are https://127.0.0.1
    provider = open_provider(load_target("fireworks"), fake_fireworks.client())
    provider.direct_upload_bytes = 0  # type: ignore[attr-defined]  # really 150 MB

    result = publish(
        train,
        provider=provider,
        model="accounts/fireworks/models/llama-v3p1-8b-instruct",
        poll_interval=0,
        sleep=lambda s: None,
    )

    [dataset_id] = fake_fireworks.datasets
    paths = [r.path.rsplit("/", 1)[-1] for r in fake_fireworks.requests if r.method in ("POST", "PUT")]
    assert paths[:4] == ["datasets", f"{dataset_id}:getUploadEndpoint", "train.jsonl", f"{dataset_id}:validateUpload"]
    assert fake_fireworks.datasets[dataset_id].content == train.read_bytes()
    [job] = fake_fireworks.jobs_in()
    assert result.job_id == f"supervised_fine_tuning_jobs/{job.id}"
