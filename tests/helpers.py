"""Constants and small builders shared by the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PREP_SHARED_DIR", REPO.parent / "shared"))
TIKTOKEN_DIR = Path(os.environ.get("PREP_TIKTOKEN_DIR", SHARED / "tiktoken"))
REAL = SHARED / "real"


def chat(user: str = "Hello", assistant: str = "Hi there!", **extra: Any) -> dict[str, Any]:
    """A valid chat example."""
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}], **extra}


def generated(out: Path, size: str, seed: int, *flags: str) -> Path:
    """Write benchmarks/generate.py's realistic chat data (deterministic for a seed) to ``out``."""
    script = REPO / "benchmarks" / "generate.py"
    cmd = [sys.executable, str(script), "--size", size, "--seed", str(seed), *flags, "-o", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out
