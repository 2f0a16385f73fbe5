"""Publish checked data: upload, W&B Artifacts, the fine-tuning job, and following it.

    >>> import openai, prep
    >>> result = prep.publish("train.jsonl", valid="valid.jsonl", model="gpt-4o-mini-2024-07-18",
    ...                       client=openai.OpenAI(), tracker=prep.WandbTracker())  # doctest: +SKIP

Steps, each recorded in the ledger (`.ledger`) as soon as it is done, so a
second call does nothing that was done and a stopped call resumes:

1. check both files as ``prep check`` does (`prep.check_project`: the project's
   configuration and baseline); refuse on errors unless ``force``;
2. upload each file (``files.create``, purpose ``fine-tune``) and wait until
   the service has processed it;
3. log each file as a W&B Artifact *before* the job exists (`.wandb_log`),
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PrepError, UnknownModelError, UsageError
from ..issues import Severity
from ..project.arguments import changed_settings
from ..project.runner import check_named
from ..reports.report import Report
from ..targets.profile import Method
from ..validation.options import CheckOptions
from .jobs import JobSpec, validate_job
from .ledger import Ledger, canonical_base_url, default_ledger_path
from .service import OpenAIClient
from .types import ArtifactTracker, CheckFailedError, PublishedFile, PublishEvent, PublishResult

__all__ = [
    "DEFAULT_BASE_URL",
    "publish",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


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
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
    use_baseline: bool = True,
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
    The check reads the project's configuration and baseline as ``prep check``
    does (``config`` forces one file, ``isolated`` uses none,
    ``use_baseline=False`` counts known issues too); ``check_options`` and the
    job's model and method win over the configuration.
    """
    spec = _spec(model, job, valid)
    if client is None and not dry_run:
        raise UsageError("publish needs an OpenAI client (only a dry run goes without one).")
    base = canonical_base_url(base_url or (str(client.base_url) if client is not None else DEFAULT_BASE_URL))
    files = [_local("train", path)] + ([_local("valid", valid)] if valid is not None else [])
    from .steps import Publisher

    emit = on_event or (lambda event: None)
    report = _check(files, spec, check_options, {"config": config, "isolated": isolated, "use_baseline": use_baseline})
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


def _check(files: list[PublishedFile], spec: JobSpec, options: CheckOptions | None, project: dict[str, Any]) -> Report:
    """Check the files with their project configuration; the job's method and model win."""
    settings = {**changed_settings(options), "method": Method(spec.method)}
    valid = files[1].path if len(files) > 1 else None
    try:
        report = check_named(files[0].path, {"model": spec.model, **settings}, valid=valid, **project).report
    except UnknownModelError:  # a model prep has no limits for: count against the safe default
        report = check_named(files[0].path, settings, valid=valid, **project).report
    for f, r in zip(files, report.files, strict=True):
        f.report = r
    return report
