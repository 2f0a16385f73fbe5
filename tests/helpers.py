"""Constants and small builders shared by the tests."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import tiktoken

from prep.validation.encoders import PACKAGED

REPO = Path(__file__).resolve().parents[1]
#: Everything the tests read lives in the repository (tests/data/*/README.md say where each file comes from).
DATA = REPO / "tests" / "data"
COOKBOOK_TOY = DATA / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"
#: The rank files shipped inside prep.
TIKTOKEN_DIR = PACKAGED


def tiktoken_reference(name: str) -> tiktoken.Encoding:
    """``tiktoken.get_encoding(name)`` as tiktoken itself loads it (its cache filled from the shipped rank files)."""
    with tempfile.TemporaryDirectory() as cache, pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(install_rank_files(Path(cache))))
        return tiktoken.get_encoding(name)  # read now, and kept by tiktoken for the session


def chat(user: str = "Hello", assistant: str = "Hi there!", **extra: Any) -> dict[str, Any]:
    """A valid chat example."""
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}], **extra}


def generated(out: Path, size: str, seed: int, *flags: str) -> Path:
    """Write benchmarks/generate.py's realistic chat data (deterministic for a seed) to ``out``."""
    script = REPO / "benchmarks" / "generate.py"
    cmd = [sys.executable, str(script), "--size", size, "--seed", str(seed), *flags, "-o", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


sys.path.insert(0, str(REPO / "benchmarks"))  # the benchmark scripts, for their offline tiktoken loader
from tiktoken_offline import install_rank_files  # noqa: E402
