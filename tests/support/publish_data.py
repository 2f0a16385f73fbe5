"""Data and settings the publish tests share: small valid datasets written as JSONL, and the SDKs' retries
without their sleeps (which requests they retry, and how often, stays the SDKs' own)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prep.publishing.ledger import Ledger
from prep.publishing.publisher import publish
from prep.publishing.types import PublishEvent, PublishResult
from prep.publishing.wandb_log import WandbTracker

__all__ = ["PublishRun", "dpo_example", "example", "fast_sdk_retries", "rft_example", "train_and_valid", "write"]


def example(i: int, prefix: str = "q") -> dict[str, Any]:
    """A chat example, different for each ``i`` and ``prefix``."""
    return {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": f"{prefix}{i}: capital of country {i}?"},
            {"role": "assistant", "content": f"City {i}."},
        ]
    }


def dpo_example(i: int) -> dict[str, Any]:
    """A preference (DPO) example in OpenAI's shape."""
    return {
        "input": {"messages": [{"role": "user", "content": f"Capital of country {i}?"}]},
        "preferred_output": [{"role": "assistant", "content": f"City {i}."}],
        "non_preferred_output": [{"role": "assistant", "content": f"I think it may be city {i}, or not."}],
    }


def rft_example(i: int) -> dict[str, Any]:
    """A reinforcement example with the reference answer a grader reads."""
    return {"messages": [{"role": "user", "content": f"What is {i} + {i}?"}], "reference_answer": str(2 * i)}


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    """``rows`` as JSONL at ``path`` (its folder made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def fast_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The together and fireworks-ai SDKs retry after 1 ms instead of 0.5-10 s."""
    import fireworks
    import together

    monkeypatch.setattr(together._base_client, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(fireworks._base_client, "INITIAL_RETRY_DELAY", 0.001)


def train_and_valid(folder: Path) -> tuple[Path, Path]:
    """A training file of 12 examples and a validation file of 3, in ``folder``."""
    return write(folder / "train.jsonl", [example(i) for i in range(12)]), write(
        folder / "valid.jsonl", [example(i, "v") for i in range(3)]
    )


class PublishRun:
    """Calls publish() on a training and validation file with offline W&B and no waits, collecting its events."""

    def __init__(self, data: tuple[Path, Path]) -> None:
        self.train, self.valid = data
        self.events: list[PublishEvent] = []

    def publish(self, *, tracker: Any = "offline", **kwargs: Any) -> PublishResult:
        self.events.clear()
        kwargs.setdefault("valid", self.valid)
        return publish(
            self.train,
            tracker=WandbTracker(mode="offline") if tracker == "offline" else tracker,
            on_event=self.events.append,
            poll_interval=0,
            sleep=lambda s: None,
            **kwargs,
        )

    def messages(self, kind: str | None = None) -> list[str]:
        return [e.message for e in self.events if kind in (None, e.kind)]

    @property
    def ledger(self) -> Ledger:
        return Ledger.load(self.train.parent / ".prep" / "ledger.json")
