"""Publish checked data to a target: upload, the provider's verdict, W&B Artifacts, the job, and following it.

    >>> import openai, together, prep
    >>> result = prep.publish("train.jsonl", valid="valid.jsonl", model="gpt-4o-mini-2024-07-18",
    ...                       client=openai.OpenAI(), tracker=prep.WandbTracker())  # doctest: +SKIP
    >>> result = prep.publish("train.jsonl", target="together", model="Qwen/Qwen3-8B",
    ...                       client=together.Together(), tracker=prep.WandbTracker())  # doctest: +SKIP

The same steps for every target, each recorded in the ledger (`.ledger`,
keyed by target, endpoint and file hash) as soon as it is done, so a second
call does nothing that was done and a stopped call resumes:

1. check both files as ``prep check`` does (`prep.check_project`: the project's
   configuration and baseline), against the target; refuse on errors unless
   ``force``. A target past its last day for new jobs refuses at once, naming
   the targets that take the same file;
2. upload each file through the target's SDK and wait for the provider's
   verdict; a refusal becomes P411 issues in the report, and stops here
   (`.steps.ProviderRejectedError`);
3. log each file as a W&B Artifact *before* the job exists (`.wandb_log`),
   in a run of its own job type, with the target and the file id;
4. create the job exactly once, record its id in the W&B run;
5. with ``wait``: follow the job to its end, then (OpenAI SDK targets) run
   W&B's own ``WandbLogger.sync`` so metrics and the model join the same lineage.

The client (or its adapter, `.providers.Provider`) and the tracker are
injected; nothing here reads the environment, prints or exits: progress goes
to ``on_event``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PrepError, UnknownModelError, UsageError
from ..issues import Severity
from ..project.arguments import changed_settings
from ..project.runner import check_named, plan_files
from ..reports.report import Report
from ..targets.loader import available_targets, load_target
from ..targets.profile import Method, Target
from ..validation.checker import today
from ..validation.options import CheckOptions
from ..validation.rules.secrets import SECRET_CODES
from .grader import add_grader_issues
from .jobs import JobSpec, validate_job
from .ledger import Ledger, default_ledger_path
from .lock import ledger_lock
from .providers import Provider, open_provider, publish_settings
from .session import Session
from .types import ArtifactTracker, CheckFailedError, PublishedFile, PublishEvent, PublishResult

__all__ = [
    "DEFAULT_BASE_URL",
    "publish",
    "publish_target",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def digests_of(path: Path) -> tuple[str, str, int]:
    """(sha256 hex, base64 md5 as W&B writes it, size) of a file, read once."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
            size += len(block)
    return sha.hexdigest(), base64.b64encode(md5.digest()).decode(), size


def publish(
    path: str | os.PathLike[str],
    *,
    client: Any = None,
    target: str | None = None,
    provider: Provider | None = None,
    model: str | None = None,
    job: JobSpec | None = None,
    valid: str | os.PathLike[str] | None = None,
    tracker: ArtifactTracker | None = None,
    dry_run: bool = False,
    force: bool = False,
    allow_secrets: bool = False,
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
    timeout: float | None = None,
    lock_wait: float = 60.0,
    progress_every: float = 10.0,
) -> PublishResult:
    """Check, upload, log to W&B, create the job and (``wait``) follow it. See the module doc.

    ``target``: a profile with a ``[publish]`` table (default: the one the
    project's configuration gives the file, else ``openai``); ``client``: a
    client of the SDK its profile names (``openai.OpenAI``,
    ``together.Together``, ``fireworks.Fireworks``), or ``provider``: one
    already wrapped (`.providers.open_provider`, which also takes the W&B key
    for targets whose jobs carry it). Give ``model`` or a full ``job`` spec.
    ``dry_run`` checks the files and reports the exact calls it would make,
    touching neither the service, W&B nor the ledger (``client`` may then be
    None). A secret in the data (P501-P503)
    stops the publish like an error, unless ``allow_secrets``; what the secret
    scan flags never goes into a W&B Table. ``new_job`` creates a job even when
    the ledger holds one for the same files and parameters. ``secrets`` (e.g.
    the API key) are removed from every message, whatever the service says.
    ``timeout``: seconds each request may take before it is given up (the
    client's own setting otherwise); meanwhile a "wait" event comes every
    ``progress_every`` seconds. Another publish on the same ledger is waited
    for, ``lock_wait`` seconds at most.
    The check reads the project's configuration and baseline as ``prep check``
    does (``config`` forces one file, ``isolated`` uses none,
    ``use_baseline=False`` counts known issues too); ``check_options`` and the
    job's model and method win over the configuration.
    """
    project = {"config": config, "isolated": isolated, "use_baseline": use_baseline}
    profile = provider.target if provider is not None else publish_target(path, target, config, isolated)
    spec = _spec(model, job, valid, profile.source or profile.name)  # a custom profile is found by its path
    emit = on_event or (lambda event: None)
    _calendar(profile, spec, (check_options.today if check_options else None) or today())
    if client is not None and timeout is not None and hasattr(client, "with_options"):
        client = client.with_options(timeout=timeout)
    if provider is None:
        if client is None and not dry_run:
            raise UsageError(f"publish needs a {profile.provider} client (only a dry run goes without one).")
        provider = open_provider(profile, client, base_url=base_url, job_metadata=job_metadata)
    base = provider.base_url
    files = [_local("train", path)] + ([_local("valid", valid)] if valid is not None else [])
    from .steps import Publisher

    report, options = _check(files, spec, check_options, profile.source or profile.name, project)
    if spec.grader is not None:
        add_grader_issues(files, spec.grader, options)  # every {{ item.X }} it reads is in every example (P249)
    emit(PublishEvent("report", "checked", {"report": report}))
    if not report.ok and not force:
        raise CheckFailedError(
            f"{report.count(Severity.ERROR)} error(s) in the data; fix them, or publish anyway "
            "with --force (force=True). Nothing was uploaded.",
            report,
        )
    secrets_found = sum(f.codes[c] for f in report.files for c in SECRET_CODES)
    if secrets_found and not allow_secrets:
        raise CheckFailedError(
            f"{secrets_found} secret(s) in the data (keys, card numbers or IBANs: P501-P503, with their lines "
            "above); remove them, or publish anyway with --allow-secrets (allow_secrets=True). Nothing was uploaded.",
            report,
        )
    ledger_file = Path(ledger_path) if ledger_path else default_ledger_path(files[0].path)
    result = PublishResult(report, files, ledger_file, base, target=profile.name, dry_run=dry_run)
    if dry_run:
        session = Session(provider, Ledger.load(ledger_file, readonly=True), base, profile.name, emit, secrets)
        Publisher(session, tracker, spec, files, new_job=new_job, job_metadata=job_metadata).plan(result, wait=wait)
        return result
    with ledger_lock(ledger_file, wait=lock_wait, on_wait=lambda message: emit(PublishEvent("wait", message))):
        session = Session(
            provider,
            Ledger.load(ledger_file),
            base,
            profile.name,
            emit,
            secrets,
            poll_interval=poll_interval,
            file_timeout=file_timeout,
            sleep=sleep,
            progress_every=progress_every,
        )
        steps = Publisher(session, tracker, spec, files, new_job=new_job, job_metadata=job_metadata)
        steps.run(result)
        if wait and result.job_id:
            steps.follow(result)
    return result


def publish_target(
    path: str | os.PathLike[str],
    target: str | None = None,
    config: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> Target:
    """The target to publish ``path`` to: ``target``, else the one its project's configuration names, else openai."""
    if target is None:
        target = plan_files([path], config=config, isolated=isolated)[0].options.target
    if "," in target or target == "all":
        raise UsageError(
            f"prep publish sends a file to one target, and {os.fspath(path)}'s configuration names {target!r}: "
            "name one with --target."
        )
    profile = load_target(target)
    publish_settings(profile)
    return profile


def _calendar(target: Target, spec: JobSpec, day: dt.date) -> None:
    """Past the target's last day for new jobs: one sentence naming the targets that take the same file.

    (Before it, the check's report says when new jobs stop and when the model shuts down: `Target.calendar`.)
    """
    if target.new_jobs_until is not None and day > target.new_jobs_until:
        raise UsageError(
            f"{target.provider} takes no new fine-tuning jobs after {target.new_jobs_until}; "
            f"publish the same file to {successors(target, spec, day)}."
        )


def successors(target: Target, spec: JobSpec, day: dt.date) -> str:
    """The targets that take ``spec``'s method on ``day``, those with the same model first, in words."""
    method, same, other = Method(spec.method), list[str](), list[str]()
    for name in available_targets():
        if name == target.name:
            continue
        profile = load_target(name)
        if profile.publish is None or method not in profile.publish.methods or method not in profile.methods:
            continue
        if profile.new_jobs_until is not None and day > profile.new_jobs_until:
            continue
        try:
            info = profile.resolve_model(spec.model)
        except PrepError:
            other.append(name)
            continue
        (same if info.takes_jobs(day) else other).append(name)
    words = [f"--target {name}" for name in same]
    words[len(same) - 1 :] = [f"{words[-1]} (the same model, {spec.model})"] if same else []
    if other:
        words.append(f"--target {', '.join(other)} (their own models)")
    return " or ".join(words) if words else "another target (prep targets lists them)"


def _spec(model: str | None, job: JobSpec | None, valid: Any, target: str) -> JobSpec:
    if job is None and model is None:
        raise UsageError("publish needs a model (or a JobSpec).")
    return validate_job(job or JobSpec(model=str(model)), has_validation_file=valid is not None, target=target)


def _local(role: str, path: str | os.PathLike[str]) -> PublishedFile:
    p = Path(path)
    if not p.is_file():
        raise PrepError(f"Cannot read {str(p)!r}: no such file.")
    sha, md5, size = digests_of(p)
    return PublishedFile(role, p, sha, size, md5)


def _check(
    files: list[PublishedFile], spec: JobSpec, options: CheckOptions | None, target: str, project: dict[str, Any]
) -> tuple[Report, CheckOptions]:
    """Check the files with their project configuration, against the target; the job's method and model win.
    Returns the report and the options the training file was checked with (its configuration's, and the ones
    given)."""
    settings = {**changed_settings(options), "target": target, "method": Method(spec.method), "secrets": True}
    valid = files[1].path if len(files) > 1 else None
    try:
        run = check_named(files[0].path, {"model": spec.model, **settings}, valid=valid, **project)
    except UnknownModelError:  # a model prep has no limits for: count against the safe default
        run = check_named(files[0].path, settings, valid=valid, **project)
    for f, r in zip(files, run.report.files, strict=True):
        f.report = r
    return run.report, run.plans[0].options
