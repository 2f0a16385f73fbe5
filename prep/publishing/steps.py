"""The publish step machine: upload -> wait -> log artifacts -> create job -> (follow -> sync).

Each step first asks the ledger whether it was done, and records itself as
soon as it is. Used by `.publisher.publish`; not public API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .._version import version
from ..errors import PublishError
from . import service
from .jobs import JobSpec, job_key, job_request
from .ledger import Ledger, now
from .service import OpenAIClient, redact
from .types import ArtifactTracker, PublishedFile, PublishEvent, PublishResult, TrackerRun
from .wandb_log import KIND, artifact_name, sync_call

__all__ = ["Publisher"]

#: Issue codes kept in artifact metadata (W&B allows about 100 metadata keys in all).
MAX_CODES = 20


class Publisher:
    def __init__(
        self,
        client: OpenAIClient | None,
        tracker: ArtifactTracker | None,
        ledger: Ledger,
        base: str,
        spec: JobSpec,
        files: list[PublishedFile],
        emit: Callable[[PublishEvent], None],
        *,
        new_job: bool,
        job_metadata: bool,
        poll_interval: float,
        file_timeout: float,
        sleep: Callable[[float], None],
        secrets: tuple[str, ...],
    ) -> None:
        self.client = client
        self.tracker = tracker
        self.ledger = ledger
        self.base = base
        self.spec = spec
        self.files = files
        self._emit = emit
        self.new_job = new_job
        self.job_metadata = job_metadata
        self.poll_interval = poll_interval
        self.file_timeout = file_timeout
        self.sleep = sleep
        self.secrets = secrets
        valid_sha = files[1].sha256 if len(files) > 1 else None
        self.key = job_key(spec, base_url=base, train_sha256=files[0].sha256, valid_sha256=valid_sha)

    # plumbing

    def emit(self, kind: str, message: str, **data: Any) -> None:
        self._emit(PublishEvent(kind, redact(message, self.secrets), data))

    def call(self, step: str) -> Any:
        hint = f"The ledger {self.ledger.path} records what was done; run again to continue."
        return service.service_call(step, secrets=self.secrets, hint=hint)

    @contextmanager
    def tracker_call(self, step: str) -> Iterator[None]:
        try:
            yield
        except PublishError:
            raise
        except Exception as exc:
            if not type(exc).__module__.startswith("wandb"):
                raise
            raise PublishError(redact(f"W&B: {step} failed: {exc}", self.secrets)) from None

    @property
    def api(self) -> OpenAIClient:
        assert self.client is not None
        return self.client

    def artifact_key(self, f: PublishedFile) -> str:
        assert self.tracker is not None and f.file_id is not None
        return Ledger.artifact_key(f.file_id, self.base, self.tracker.entity, self.tracker.project)

    def job_entry(self) -> dict[str, Any]:
        return self.ledger.get("jobs", self.key) or {}

    # the steps

    def run(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.job_entry()
        need_job = not entry.get("job_id")
        for f in self.files:
            self.upload(f, verify=need_job)
        pending = [
            f for f in self.files if self.tracker is not None and not self.ledger.get("artifacts", self.artifact_key(f))
        ]
        run = self.start_run(result) if self.tracker is not None and (pending or need_job) else None
        try:
            for f in self.files:
                if self.tracker is not None:
                    self.log_artifact(run, f)
            if need_job:
                self.create_job(run, result)
            else:
                self.known_job(entry, result)
        except BaseException as exc:
            if run is not None:
                if isinstance(exc, PublishError):
                    run.record_error(str(exc))
                run.finish(exit_code=1)
            raise
        if run is not None:
            run.finish()

    def upload(self, f: PublishedFile, *, verify: bool) -> None:
        key = Ledger.upload_key(f.sha256, self.base)
        entry = self.ledger.get("uploads", key) or {}
        if entry.get("state") == "processed" and (not verify or self.still_there(entry["file_id"])):
            f.file_id, f.status = entry["file_id"], "processed"
            self.emit("upload", f"{f.path}: already uploaded as {f.file_id} (ledger)", file_id=f.file_id)
            return
        file_id = entry.get("file_id") if entry.get("state") == "uploaded" else None
        if file_id is None and entry.get("state") == "started":
            file_id = self.adopt(f, entry)
        if file_id is None:
            self.ledger.update(
                "uploads",
                key,
                state="started",
                sha256=f.sha256,
                base_url=self.base,
                file=f.path.name,
                bytes=f.size,
                purpose="fine-tune",
                started_at=now(),
                started_ts=service.now(),
                file_id=None,
            )
            with self.call(f"Uploading {f.path}"):
                obj = service.upload(self.api, f.path)
            file_id, f.uploaded = str(obj.id), True
            self.ledger.update("uploads", key, state="uploaded", file_id=file_id, status=obj.status)
            self.emit("upload", f"{f.path}: uploaded as {file_id}", file_id=file_id)
            self.wait_processed(f, key, file_id, obj)
        else:
            self.wait_processed(f, key, file_id)

    def still_there(self, file_id: str) -> bool:
        """Whether an uploaded file still exists (a job is about to use it)."""
        try:
            self.api.files.retrieve(file_id)
        except Exception as exc:
            if service.is_not_found(exc):
                self.emit("upload", f"{file_id} no longer exists on the service; uploading again")
                return False
            with self.call(f"Checking {file_id}"):
                raise
        return True

    def adopt(self, f: PublishedFile, entry: Mapping[str, Any]) -> str | None:
        """The upload of an interrupted publish (its reply was never recorded), if the service has it."""
        try:
            found = service.find_orphan(self.api, filename=f.path.name, size=f.size, since=entry.get("started_ts", 0))
        except Exception:
            return None
        if found:
            self.emit("upload", f"{f.path}: found the upload of the interrupted publish, {found}", file_id=found)
        return found

    def wait_processed(self, f: PublishedFile, key: str, file_id: str, obj: Any = None) -> None:
        with self.call(f"Waiting for {file_id} ({f.path}) to be processed"):
            obj = obj if obj is not None else self.api.files.retrieve(file_id)
            obj = service.wait_processed(
                self.api, obj, poll_interval=self.poll_interval, timeout=self.file_timeout, sleep=self.sleep
            )
        if obj.status != "processed":
            details = getattr(obj, "status_details", None) or f"status {obj.status!r}"
            self.ledger.update(
                "uploads", key, state="error", file_id=file_id, status=obj.status, status_details=details
            )
            raise PublishError(redact(f"The service could not process {f.path} ({file_id}): {details}", self.secrets))
        self.ledger.update("uploads", key, state="processed", file_id=file_id, status="processed")
        f.file_id, f.status = file_id, "processed"
        self.emit("upload", f"{f.path}: {file_id} processed", file_id=file_id)

    def start_run(self, result: PublishResult) -> TrackerRun:
        assert self.tracker is not None
        config = {
            "prep_version": version(),
            "base_url": self.base,
            "model": self.spec.model,
            "method": str(self.spec.method),
            "files": {
                f.role: {
                    "file": f.path.name,
                    "sha256": f.sha256,
                    "bytes": f.size,
                    "file_id": f.file_id,
                    "examples": f.report.examples if f.report else None,
                }
                for f in self.files
            },
        }
        with self.tracker_call("starting a run"):
            run = self.tracker.start(config=config)
        result.wandb_run, result.wandb_offline, result.wandb_run_dir = run.run_id, run.offline, run.run_dir
        where = f"{run.entity + '/' if run.entity else ''}{run.project}"
        mode = f"offline, in {run.run_dir}" if run.offline else (run.url or "online")
        self.emit("wandb", f"W&B run {run.run_id} in {where} ({mode})", run_id=run.run_id)
        return run

    def log_artifact(self, run: TrackerRun | None, f: PublishedFile) -> None:
        key = self.artifact_key(f)
        entry = self.ledger.get("artifacts", key)
        if entry is not None:
            f.artifact = entry["path"]
            self.emit("wandb", f"{f.path}: artifact {entry['name']} already logged (ledger)", artifact=f.artifact)
            return
        assert run is not None and f.file_id is not None
        with self.tracker_call(f"logging {f.path} as an artifact"):
            logged = run.log_file(f.role, f.file_id, f.path, self.artifact_metadata(f))
        self.ledger.update(
            "artifacts",
            key,
            name=logged.name,
            type=logged.type,
            aliases=list(logged.aliases),
            digest=logged.digest,
            path=logged.path,
            file_id=f.file_id,
            sha256=f.sha256,
            run_id=run.run_id,
            entity=run.entity,
            project=run.project,
            offline=run.offline,
            run_dir=run.run_dir,
            logged_at=now(),
        )
        f.artifact, f.logged = logged.path, True
        self.emit(
            "wandb",
            f"{f.path}: logged artifact {logged.name} ({logged.type}, aliases {f.file_id}, latest)",
            artifact=logged.path,
        )

    def artifact_metadata(self, f: PublishedFile) -> dict[str, Any]:
        r = f.report
        meta: dict[str, Any] = {
            "sha256": f.sha256,
            "bytes": f.size,
            "source": f.path.name,
            "role": f.role,
            "prep_version": version(),
            "base_url": self.base,
            "method": str(self.spec.method),
        }
        if r is not None:
            meta.update(
                format=r.format.value if r.format else None,
                examples=r.examples,
                check={
                    "ok": r.ok,
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "codes": dict(r.codes.most_common(MAX_CODES)),
                },
                stats=r.stats_summary(),
            )
        return meta

    def job_metadata_pairs(self, run: TrackerRun | None) -> dict[str, str]:
        if not self.job_metadata:
            return {}
        pairs = {"prep_job_key": self.key}
        for f in self.files:
            pairs[f"prep_{f.role}_sha256"] = f.sha256
        for f in self.files:
            if f.artifact:
                pairs[f"wandb_{f.role}_artifact"] = f.artifact
        if run is not None:
            pairs["wandb_publish_run"] = f"{run.entity + '/' if run.entity else ''}{run.project}/{run.run_id}"
        return pairs

    def create_job(self, run: TrackerRun | None, result: PublishResult) -> None:
        entry = self.job_entry()
        previous = [*entry.get("previous_job_ids", []), *([entry["job_id"]] if entry.get("job_id") else [])]
        if entry.get("state") == "creating" and not self.new_job and self.job_metadata and self.adopt_job(result):
            return
        valid = self.files[1].file_id if len(self.files) > 1 else None
        assert self.files[0].file_id is not None
        request = job_request(
            self.spec, training_file=self.files[0].file_id, validation_file=valid, metadata=self.job_metadata_pairs(run)
        )
        self.ledger.update(
            "jobs",
            self.key,
            state="creating",
            base_url=self.base,
            model=self.spec.model,
            train_sha256=self.files[0].sha256,
            valid_sha256=self.files[1].sha256 if valid else None,
            request=request,
            job_id=None,
            previous_job_ids=previous,
            started_at=now(),
            error=None,
        )
        try:
            job = self.api.fine_tuning.jobs.create(**request)
        except Exception as exc:
            answered = getattr(exc, "status_code", None) is not None  # else it may exist: stay "creating"
            try:
                with self.call("Creating the fine-tuning job"):
                    raise
            except PublishError as err:
                if answered:
                    self.ledger.update("jobs", self.key, state="refused", error=str(err))
                raise
        self.ledger.update(
            "jobs",
            self.key,
            state="created",
            job_id=job.id,
            status=job.status,
            wandb_run=run.run_id if run else None,
            synced=False,
        )
        result.job_id, result.job_status, result.job_created, result.request = job.id, job.status, True, request
        self.emit("job", f"created fine-tuning job {job.id} ({self.spec.model}, {self.spec.method})", job_id=job.id)
        if run is not None:
            with self.tracker_call("recording the job id"):
                run.record_job(job.id, request)

    def adopt_job(self, result: PublishResult) -> bool:
        """A job created by an interrupted publish (found by its ``prep_job_key`` metadata)."""
        try:
            page = self.api.fine_tuning.jobs.list(metadata={"prep_job_key": self.key}, limit=1)
            job = next(iter(page.data), None)
        except Exception:
            return False
        if job is None:
            return False
        self.ledger.update("jobs", self.key, state="created", job_id=job.id, status=job.status, synced=False)
        result.job_id, result.job_status = job.id, job.status
        self.emit("job", f"found the job of the interrupted publish: {job.id}", job_id=job.id)
        return True

    def known_job(self, entry: Mapping[str, Any], result: PublishResult) -> None:
        result.job_id, result.job_status, result.request = entry["job_id"], entry.get("status"), entry.get("request")
        result.fine_tuned_model = entry.get("fine_tuned_model")
        self.emit(
            "job",
            f"fine-tuning job {entry['job_id']} already created (ledger; status {entry.get('status')}); "
            "--new-job creates another",
            job_id=entry["job_id"],
        )

    def follow(self, result: PublishResult) -> None:
        assert result.job_id is not None
        seen: set[str] = set()
        last = None
        while True:
            with self.call(f"Following job {result.job_id}"):
                job = self.api.fine_tuning.jobs.retrieve(result.job_id)
                events = service.new_events(self.api, result.job_id, seen)
            for event in events:
                self.emit("event", service.event_text(event))
            if job.status != last:
                self.emit("status", f"job {job.id}: {job.status}", status=job.status)
                last = job.status
            self.ledger.update("jobs", self.key, status=job.status, fine_tuned_model=job.fine_tuned_model)
            if job.status in service.TERMINAL_JOB_STATUSES:
                break
            self.sleep(self.poll_interval)
        result.job_status, result.fine_tuned_model = job.status, job.fine_tuned_model
        if job.status != "succeeded":
            error = getattr(job, "error", None)
            words = f": {error.message} (code {error.code})" if error is not None and error.message else ""
            raise PublishError(redact(f"Fine-tuning job {job.id} {job.status}{words}", self.secrets))
        self.emit("job", f"fine-tuned model: {job.fine_tuned_model}", model=job.fine_tuned_model)
        self.sync(result)

    def sync(self, result: PublishResult) -> None:
        if self.tracker is None or result.job_id is None:
            return
        if self.job_entry().get("synced"):
            result.synced = True
            self.emit("sync", f"W&B: job {result.job_id} already synced (ledger)")
            return
        entity = self.entity()
        if self.tracker.offline:
            dirs = " ".join(sorted(self.run_dirs())) or "<the offline run directory>"
            self.emit(
                "note",
                "W&B is offline, and WandbLogger.sync needs a W&B server: it was not run. Later, "
                f"with W&B credentials, upload the publisher run with: wandb sync {dirs} ; then run: "
                f"{sync_call(result.job_id, self.tracker.project, entity)} "
                "(or run this prep publish command again with --wait)",
            )
            return
        with self.tracker_call(f"WandbLogger.sync for {result.job_id}"):
            message = self.tracker.sync(job_id=result.job_id, client=self.client, entity=entity)
        self.ledger.update("jobs", self.key, synced=True, synced_at=now())
        result.synced = True
        self.emit("sync", f"W&B: {message}")

    def entity(self) -> str | None:
        assert self.tracker is not None
        for f in self.files:
            entry = self.ledger.get("artifacts", self.artifact_key(f)) if f.file_id else None
            if entry and entry.get("entity"):
                return str(entry["entity"])
        return self.tracker.entity

    def run_dirs(self) -> set[str]:
        dirs = set()
        for f in self.files:
            entry = self.ledger.get("artifacts", self.artifact_key(f)) if f.file_id else None
            if entry and entry.get("offline") and entry.get("run_dir"):
                dirs.add(str(entry["run_dir"]))
        return dirs

    # dry run

    def plan(self, result: PublishResult, *, wait: bool) -> None:
        for f in self.files:
            entry = self.ledger.get("uploads", Ledger.upload_key(f.sha256, self.base)) or {}
            if entry.get("state") == "processed":
                f.file_id = entry["file_id"]
                self.emit("plan", f"upload: {f.path} is already uploaded as {f.file_id} (ledger); nothing to upload")
            else:
                n = f.report.examples if f.report else "?"
                self.emit(
                    "plan",
                    f"upload: would upload {f.path} ({f.size:,} bytes, {n} examples, sha256 "
                    f"{f.sha256}) to {self.base} with purpose fine-tune, and wait until it is processed",
                )
        if self.tracker is not None:
            self.plan_artifacts()
        self.plan_job(result)
        if wait:
            self.emit(
                "plan",
                "wait: would follow the job's events until it ends"
                + (", then run WandbLogger.sync for it" if self.tracker is not None else ""),
            )
        self.emit("plan", f"ledger: {self.ledger.path} (a dry run writes nothing)")

    def plan_artifacts(self) -> None:
        assert self.tracker is not None
        where = f"{self.tracker.entity + '/' if self.tracker.entity else ''}{self.tracker.project}"
        mode = "offline" if self.tracker.offline else "online"
        for f in self.files:
            if f.file_id and self.ledger.get("artifacts", self.artifact_key(f)):
                self.emit("plan", f"wandb: {f.path} is already logged (ledger)")
                continue
            file_id = f.file_id or f"<file id of {f.path.name}>"
            name = artifact_name(f.role, f.file_id) if f.file_id else f"{f.role}-<file id>"
            self.emit(
                "plan",
                f"wandb: would log artifact {name} (type {KIND[f.role]}, aliases {file_id} and latest, "
                f"metadata items/sha256/format/stats/check) and a {f.role}_examples Table to {where} ({mode})",
            )

    def plan_job(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.job_entry()
        if entry.get("job_id"):
            self.emit("plan", f"job: {entry['job_id']} is already created (ledger); no new job")
            result.job_id = entry["job_id"]
            return
        train, valid = self.files[0], self.files[1] if len(self.files) > 1 else None
        request = job_request(
            self.spec,
            training_file=train.file_id or f"<file id of {train.path.name}>",
            validation_file=(valid.file_id or f"<file id of {valid.path.name}>") if valid else None,
            metadata=self.job_metadata_pairs(None),
        )
        result.request = request
        self.emit("plan", "job: would create " + json.dumps(request, sort_keys=True), request=request)
