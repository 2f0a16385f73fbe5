"""Read back what an offline W&B run wrote: its `run-<id>.wandb` transaction log.

The log is read with prep's own reader (`prep.publishing.wandb_runfile`; spec:
shared/docs/wandb-artifacts.md §3.3-3.4). Records reach the file only after `run.finish()`,
and wandb-core writes them asynchronously: `finish()` can return while the log still holds
only its header (seen with wandb 0.31.0 on a loaded machine). So `logged_runs` and
`logged_artifacts` first wait for the `exit` record, the last one a finished run writes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prep.publishing.wandb_runfile import is_finished, iter_records


def run_log_paths(wandb_dir: str | Path) -> list[Path]:
    """The transaction logs of the offline runs under `wandb_dir` (= `WANDB_DIR`)."""
    return sorted(Path(wandb_dir).glob("wandb/offline-run-*/run-*.wandb"))


def wait_until_finished(path: Path, timeout: float) -> None:
    """Block until the log holds its `exit` record; TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not is_finished(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path}: no exit record after {timeout} s (run not finished?)")
        time.sleep(0.05)


@dataclass
class RunLog:
    """One run: `run` (ids, names), merged `config`/`summary`, logged `artifacts`."""

    path: Path
    run: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    artifacts: list[dict[str, Any]] = field(default_factory=list)


def apply_items(target: dict[str, Any], items: Any) -> None:
    """Merge Config/SummaryItems (key or nested_key, JSON value) into `target`."""
    for item in items:
        *parents, last = list(item.nested_key) or [item.key]
        node = target
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = json.loads(item.value_json)


def run_dict(run: Any) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "display_name": run.display_name,
        "job_type": run.job_type,
        "project": run.project,
        "entity": run.entity,
        "tags": list(run.tags),
    }


def artifact_dict(artifact: Any) -> dict[str, Any]:
    entries = artifact.manifest.contents
    return {
        "name": artifact.name,
        "type": artifact.type,
        "digest": artifact.digest,
        "aliases": sorted(artifact.aliases),
        "project": artifact.project,
        "entity": artifact.entity,
        "run_id": artifact.run_id,
        "metadata": json.loads(artifact.metadata or "{}"),
        "entries": {e.path: (e.digest, e.size, e.local_path) for e in entries},
    }


def read_run_log(path: str | Path) -> RunLog:
    log = RunLog(Path(path))
    for record in iter_records(path):
        kind = record.WhichOneof("record_type")
        if kind == "run":
            log.run = run_dict(record.run)
            apply_items(log.config, record.run.config.update)
        elif kind == "config":
            apply_items(log.config, record.config.update)
        elif kind == "summary":
            apply_items(log.summary, record.summary.update)
        elif kind == "artifact":
            log.artifacts.append(artifact_dict(record.artifact))
    return log


def logged_runs(wandb_dir: str | Path, timeout: float = 10.0) -> list[RunLog]:
    """The finished offline runs under `wandb_dir`, waiting up to `timeout` s for each."""
    paths = run_log_paths(wandb_dir)
    for path in paths:
        wait_until_finished(path, timeout)
    return [read_run_log(path) for path in paths]


def logged_artifacts(wandb_dir: str | Path, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Every artifact record of every offline run under `wandb_dir`, in log order."""
    return [a for log in logged_runs(wandb_dir, timeout) for a in log.artifacts]
