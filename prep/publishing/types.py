"""What publishing works with: the tracker Protocols, progress events, files and the result."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import PublishError
from ..reports.report import FileReport, Report

__all__ = ["ArtifactTracker", "CheckFailedError", "PublishEvent", "PublishResult", "PublishedFile", "TrackerRun"]


class TrackerRun(Protocol):
    """One experiment-tracker run (`.wandb_log.WandbRun`)."""

    run_id: str
    entity: str
    project: str
    offline: bool
    run_dir: str
    run_file: str
    url: str | None

    def log_file(
        self,
        prefix: str,
        file_id: str,
        path: Path,
        metadata: Mapping[str, Any],
        *,
        md5: str | None = None,
        redacted_lines: Collection[int] | None = (),
    ) -> Any: ...
    def record_job(self, job_id: str, request: Mapping[str, Any]) -> None: ...
    def record_error(self, message: str) -> None: ...
    def finish(self, *, exit_code: int = 0) -> None: ...


class ArtifactTracker(Protocol):
    """Where dataset artifacts go (`.wandb_log.WandbTracker`)."""

    project: str
    entity: str | None

    @property
    def offline(self) -> bool: ...
    def start(self, *, config: Mapping[str, Any]) -> TrackerRun: ...
    def sync(self, *, job_id: str, client: Any, entity: str | None) -> str: ...


class CheckFailedError(PublishError):
    """The data has errors; nothing was uploaded. ``report`` holds them."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class PublishEvent:
    """Progress: what happened (``kind``), in one sentence."""

    kind: str  # report, upload, wandb, job, event, status, sync, note, plan or wait
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class PublishedFile:
    role: str  # "train" or "valid"
    path: Path
    sha256: str
    size: int
    md5: str | None = None  # base64, as W&B writes an entry's digest
    report: FileReport | None = None
    file_id: str | None = None
    status: str | None = None
    uploaded: bool = False  # by this call
    artifact: str | None = None  # [entity/]project/name:file_id
    logged: bool = False  # by this call


@dataclass
class PublishResult:
    report: Report
    files: list[PublishedFile]
    ledger_path: Path
    base_url: str
    target: str = "openai"
    job_id: str | None = None
    job_status: str | None = None
    job_created: bool = False
    fine_tuned_model: str | None = None
    request: dict[str, Any] | None = None
    wandb_run: str | None = None
    wandb_offline: bool | None = None
    wandb_run_dir: str | None = None
    synced: bool = False
    dry_run: bool = False
