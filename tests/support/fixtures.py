"""Pytest fixtures: `fake_openai`, `fake_together`, `fake_fireworks` (started fake servers),
`offline_wandb` (W&B offline), `s3` (a local S3 server), `dask_scheduler` (a local Dask cluster), `hf_folders`
(Hugging Face model folders built in a temporary directory).

Load them with `pytest_plugins = ["tests.support.fixtures"]` in `tests/conftest.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_together import FakeTogether
from tests.support.s3 import s3_server


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started server with default `Settings` (`fake_openai.settings` is mutable)."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_together() -> Iterator[FakeTogether]:
    """A started FakeTogether with default `Settings`; fails the test if the fake itself broke."""
    with FakeTogether() as server:
        yield server
        server.settle()
    assert not server.errors, "\n".join(server.errors)


@pytest.fixture
def fake_fireworks() -> Iterator[FakeFireworks]:
    """A started FakeFireworks (API over HTTP, signed URLs over HTTPS); fails the test if the fake broke."""
    with FakeFireworks() as server:
        yield server
        server.settle()
    assert not server.errors, "\n".join(server.errors)


@pytest.fixture
def offline_wandb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """W&B offline under `tmp_path` (= `WANDB_DIR`): no key, no console capture.

    `wandb.teardown()` afterwards resets wandb's per-process settings singleton, which
    would otherwise keep the first test's directories for later runs.
    """
    import wandb  # here, not at module level: importing wandb takes ~0.5 s

    env = {
        "WANDB_MODE": "offline",
        "WANDB_SILENT": "true",
        "WANDB_CONSOLE": "off",
        "WANDB_DIR": str(tmp_path),
        "WANDB_DATA_DIR": str(tmp_path / "data"),
        "WANDB_CACHE_DIR": str(tmp_path / "cache"),
        "WANDB_CONFIG_DIR": str(tmp_path / "config"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    yield tmp_path
    wandb.teardown()


@pytest.fixture(scope="session")
def s3() -> Iterator[Any]:
    """moto's S3 server on 127.0.0.1, found by s3fs through ``AWS_ENDPOINT_URL``; a boto3 client of it."""
    with s3_server() as client:
        yield client


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """The address of a `distributed.LocalCluster` of two worker processes (one thread each)."""
    import distributed

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},
        silence_logs=50,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def hf_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Hugging Face model folders built in a temporary directory (tests/support/hf_folders.py), one per template."""
    pytest.importorskip("tokenizers")
    from tests.support.hf_folders import build_folders

    return build_folders(tmp_path_factory.mktemp("hf_folders"))
