"""Publish checked data: upload, W&B Artifacts, the fine-tuning job, and following it.

    >>> import openai, prep
    >>> result = prep.publish("train.jsonl", valid="valid.jsonl", model="gpt-4o-mini-2024-07-18",
    ...                       client=openai.OpenAI(), tracker=prep.WandbTracker())  # doctest: +SKIP

Steps, each recorded in the ledger (`prep.ledger`) as soon as it is done, so a
second call does nothing that was done and a stopped call resumes:

1. check both files (`prep.check`); refuse on errors unless ``force``;
2. upload each file (``files.create``, purpose ``fine-tune``) and wait until
   the service has processed it;
3. log each file as a W&B Artifact *before* the job exists (`prep.wandb_log`),
   in a run of its own job type;
4. create the job, record its id in the W&B run;
5. with ``wait``: follow the job's events to the end, then run W&B's own
   ``WandbLogger.sync`` so metrics and the model join the same lineage.

The client and the tracker are injected (`OpenAIClient`, `ArtifactTracker`);
nothing here reads the environment, prints or exits: progress goes to
``on_event``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .checker import CheckOptions, check
from .errors import PrepError, PublishError, UnknownModelError, UsageError
from .issues import Severity
from .jobs import JobSpec, validate_job
from .ledger import Ledger, canonical_base_url, default_ledger_path
from .report import FileReport, Report
from .service import OpenAIClient
from .targets import Method

__all__ = [
    "DEFAULT_BASE_URL",
    "ArtifactTracker",
    "CheckFailedError",
    "PublishEvent",
    "PublishResult",
    "PublishedFile",
    "TrackerRun",
    "publish",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class TrackerRun(Protocol):
    """One experiment-tracker run (`prep.wandb_log.WandbRun`)."""

    run_id: str
    entity: str
    project: str
    offline: bool
    run_dir: str
    url: str | None

    def log_file(self, prefix: str, file_id: str, path: Path, metadata: Mapping[str, Any]) -> Any: ...
    def record_job(self, job_id: str, request: Mapping[str, Any]) -> None: ...
    def record_error(self, message: str) -> None: ...
    def finish(self, *, exit_code: int = 0) -> None: ...


class ArtifactTracker(Protocol):
    """Where dataset artifacts go (`prep.wandb_log.WandbTracker`)."""

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
    """Progress: ``kind`` is report, upload, wandb, job, event, status, sync, note or plan."""

    kind: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class PublishedFile:
    role: str  # "train" or "valid"
    path: Path
    sha256: str
    size: int
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def publish(
    path: str | os.PathLike[str],
    *,
    client: OpenAIClient | None = None,
    model: str | None = None,
    job: JobSpec | None = None,
    valid: str | os.PathLike[str] | None = None,
    tracker: ArtifactTracker | None = None,
    dry_run: bool = False,
    force: bool = False,
    wait: bool = False,
    new_job: bool = False,
    job_metadata: bool = True,
    base_url: str | None = None,
    check_options: CheckOptions | None = None,
    ledger_path: str | os.PathLike[str] | None = None,
    on_event: Callable[[PublishEvent], None] | None = None,
    poll_interval: float = 10.0,
    file_timeout: float = 30 * 60,
    sleep: Callable[[float], None] = time.sleep,
    secrets: tuple[str, ...] = (),
) -> PublishResult:
    """Check, upload, log to W&B, create the job and (``wait``) follow it. See the module doc.

    Give ``model`` or a full ``job`` spec. ``dry_run`` checks the files and
    reports what would be done, touching neither the service, W&B nor the
    ledger (``client`` may then be None). ``new_job`` creates a job even when
    the ledger holds one for the same files and parameters. ``secrets`` (e.g.
    the API key) are removed from every message, whatever the service says.
    """
    spec = _spec(model, job, valid)
    if client is None and not dry_run:
        raise UsageError("publish needs an OpenAI client (only a dry run goes without one).")
    base = canonical_base_url(base_url or (str(client.base_url) if client is not None else DEFAULT_BASE_URL))
    files = [_local("train", path)] + ([_local("valid", valid)] if valid is not None else [])
    from .publish_steps import Publisher

    emit = on_event or (lambda event: None)
    report = _check(files, spec, check_options)
    emit(PublishEvent("report", "checked", {"report": report}))
    if not report.ok and not force:
        raise CheckFailedError(
            f"{report.count(Severity.ERROR)} error(s) in the data; fix them, or publish anyway "
            "with --force (force=True). Nothing was uploaded.",
            report,
        )
    ledger = Ledger.load(ledger_path or default_ledger_path(files[0].path), readonly=dry_run)
    steps = Publisher(
        client,
        tracker,
        ledger,
        base,
        spec,
        files,
        emit,
        new_job=new_job,
        job_metadata=job_metadata,
        poll_interval=poll_interval,
        file_timeout=file_timeout,
        sleep=sleep,
        secrets=secrets,
    )
    result = PublishResult(report, files, ledger.path, base, dry_run=dry_run)
    if dry_run:
        steps.plan(result, wait=wait)
        return result
    steps.run(result)
    if wait and result.job_id:
        steps.follow(result)
    return result


def _spec(model: str | None, job: JobSpec | None, valid: Any) -> JobSpec:
    if job is None and model is None:
        raise UsageError("publish needs a model (or a JobSpec).")
    return validate_job(job or JobSpec(model=str(model)), has_validation_file=valid is not None)


def _local(role: str, path: str | os.PathLike[str]) -> PublishedFile:
    p = Path(path)
    if not p.is_file():
        raise PrepError(f"Cannot read {str(p)!r}: no such file.")
    return PublishedFile(role, p, sha256_of(p), p.stat().st_size)


def _check(files: list[PublishedFile], spec: JobSpec, options: CheckOptions | None) -> Report:
    options = replace(options or CheckOptions(), method=Method(spec.method))
    valid = files[1].path if len(files) > 1 else None
    try:
        report = check(files[0].path, options=replace(options, model=options.model or spec.model), valid=valid)
    except UnknownModelError:  # a model prep has no limits for: count against the safe default
        report = check(files[0].path, options=options, valid=valid)
    for f, r in zip(files, report.files, strict=True):
        f.report = r
    return report
