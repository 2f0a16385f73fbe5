"""Pytest fixtures: `fake_openai`, `fake_together`, `fake_fireworks` (started fake servers),
`offline_wandb` (W&B offline), `hf_folders` (Hugging Face model folders built in a temporary directory).

Load them with `pytest_plugins = ["tests.support.fixtures"]` in `tests/conftest.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_fireworks import FakeFireworks
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_together import FakeTogether


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
def hf_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Hugging Face model folders built in a temporary directory (tests/support/hf_folders.py), one per template."""
    pytest.importorskip("tokenizers")
    from tests.support.hf_folders import build_folders

    return build_folders(tmp_path_factory.mktemp("hf_folders"))
