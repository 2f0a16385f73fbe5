"""Shared test set-up: offline tokenizers, no network beyond localhost, file factories."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.support.fixtures"]  # fake_openai, offline_wandb

# Tests count tokens as a user's installation does: with the rank files shipped inside prep, never a download.
for _key in ("PREP_TIKTOKEN_DIR", "TIKTOKEN_CACHE_DIR"):
    os.environ.pop(_key, None)
# Targets' calendars (new jobs, shutdowns) are read on one fixed day, whatever day the tests run.
os.environ["PREP_TODAY"] = TODAY = "2026-11-30"
# Any HTTP(S) a subprocess might try goes to a closed local port instead of the internet.
os.environ["HTTPS_PROXY"] = os.environ["HTTP_PROXY"] = "http://127.0.0.1:9"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
for _key in ("OPENAI_API_KEY", "WANDB_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_key, None)
# Run in GitHub Actions, the tests must not append their reports to the job's summary.
os.environ.pop("GITHUB_STEP_SUMMARY", None)

_real_connect = socket.socket.connect


def _local_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
        raise ConnectionRefusedError(f"tests may not connect to {host!r}")
    return _real_connect(self, address)


@pytest.fixture
def default_recursion_limit():
    """Python's default recursion limit while a test runs (mypy, run in-process by another test, raises it)."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(before)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _local_only)


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts are JSON-encoded; str/bytes are written as they are) to a .jsonl file."""

    def write(rows: Iterable[Any], name: str = "data.jsonl", newline: bytes = b"\n") -> Path:
        path = tmp_path / name
        parts = []
        for row in rows:
            if isinstance(row, bytes):
                parts.append(row)
            elif isinstance(row, str):
                parts.append(row.encode("utf-8"))
            else:
                parts.append(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        path.write_bytes(b"".join(p + newline for p in parts))
        return path

    return write


@pytest.fixture
def run_prep(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    from prep.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
