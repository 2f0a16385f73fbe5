"""The publish step machine: upload -> log artifacts -> create job -> (follow -> sync); and the dry-run plan.

Each step first asks the ledger whether it was done, and records itself as
soon as it is (`.uploads`, `.artifacts`, `.jobstep`). Used by
`.publisher.publish`, which holds the ledger's lock around it; not public API.
"""

from __future__ import annotations

import json

from .._version import version
from ..errors import PublishError
from .artifacts import ArtifactStep
from .jobs import JobSpec, job_key, job_request
from .ledger import Ledger
from .session import Session
from .types import ArtifactTracker, PublishedFile, PublishResult, TrackerRun
from .uploads import upload_file
from .wandb_log import KIND, artifact_name

__all__ = ["Publisher"]


class Publisher:
    def __init__(
        self,
        s: Session,
        tracker: ArtifactTracker | None,
        spec: JobSpec,
        files: list[PublishedFile],
        *,
        new_job: bool,
        job_metadata: bool,
    ) -> None:
        from .jobstep import JobStep

        self.s = s
        self.tracker = tracker
        self.spec = spec
        self.files = files
        self.new_job = new_job
        valid_sha = files[1].sha256 if len(files) > 1 else None
        self.key = job_key(spec, base_url=s.base, train_sha256=files[0].sha256, valid_sha256=valid_sha)
        self.jobs = JobStep(s, spec, files, self.key, job_metadata=job_metadata)
        self.artifacts = ArtifactStep(s, tracker, files, str(spec.method)) if tracker is not None else None

    def run(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.jobs.entry()
        need_job = not entry.get("job_id")
        for f in self.files:
            upload_file(self.s, f, verify=need_job)
        pending = [f for f in self.files if self.artifacts is not None and not self.artifacts.done(f)]
        run = self.start_run(result) if self.tracker is not None and (pending or need_job) else None
        try:
            for f in self.files:
                if self.artifacts is not None:
                    self.artifacts.log(run, f)
            if need_job:
                self.jobs.create(run, result, new_job=self.new_job)
            else:
                self.jobs.known_job(entry, result)
        except BaseException as exc:
            if run is not None:
                if isinstance(exc, PublishError):
                    run.record_error(str(exc))
                run.finish(exit_code=1)
                self.confirm(run)
            raise
        if run is not None:
            run.finish()
            self.confirm(run)

    def confirm(self, run: TrackerRun) -> None:
        if self.artifacts is not None:
            self.artifacts.confirm(run)

    def start_run(self, result: PublishResult) -> TrackerRun:
        assert self.tracker is not None
        config = {
            "prep_version": version(),
            "base_url": self.s.base,
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
        with self.s.tracker_call("starting a run"):
            run = self.tracker.start(config=config)
        result.wandb_run, result.wandb_offline, result.wandb_run_dir = run.run_id, run.offline, run.run_dir
        where = f"{run.entity + '/' if run.entity else ''}{run.project}"
        mode = f"offline, in {run.run_dir}" if run.offline else (run.url or "online")
        self.s.emit("wandb", f"W&B run {run.run_id} in {where} ({mode})", run_id=run.run_id)
        return run

    def follow(self, result: PublishResult) -> None:
        self.jobs.follow(result)
        if self.tracker is not None and self.artifacts is not None:
            self.jobs.sync(self.tracker, result, self.artifacts.entity(), self.artifacts.run_dirs())

    # dry run

    def plan(self, result: PublishResult, *, wait: bool) -> None:
        for f in self.files:
            entry = self.s.ledger.get("uploads", Ledger.upload_key(f.sha256, self.s.base)) or {}
            if entry.get("state") == "processed":
                f.file_id = entry["file_id"]
                self.s.emit("plan", f"upload: {f.path} is already uploaded as {f.file_id} (ledger); nothing to upload")
            else:
                n = f.report.examples if f.report else "?"
                self.s.emit(
                    "plan",
                    f"upload: would upload {f.path} ({f.size:,} bytes, {n} examples, sha256 "
                    f"{f.sha256}) to {self.s.base} with purpose fine-tune, and wait until it is processed",
                )
        if self.tracker is not None:
            self.plan_artifacts()
        self.plan_job(result)
        if wait:
            self.s.emit(
                "plan",
                "wait: would follow the job's events until it ends"
                + (", then run WandbLogger.sync for it" if self.tracker is not None else ""),
            )
        self.s.emit("plan", f"ledger: {self.s.ledger.path} (a dry run writes nothing)")

    def plan_artifacts(self) -> None:
        assert self.tracker is not None
        where = f"{self.tracker.entity + '/' if self.tracker.entity else ''}{self.tracker.project}"
        mode = "offline" if self.tracker.offline else "online"
        for f in self.files:
            assert self.artifacts is not None
            if f.file_id and self.artifacts.done(f):
                self.s.emit("plan", f"wandb: {f.path} is already logged (ledger)")
                continue
            file_id = f.file_id or f"<file id of {f.path.name}>"
            name = artifact_name(f.role, f.file_id) if f.file_id else f"{f.role}-<file id>"
            self.s.emit(
                "plan",
                f"wandb: would log artifact {name} (type {KIND[f.role]}, aliases {file_id} and latest, "
                f"metadata items/sha256/format/stats/check) and a {f.role}_examples Table to {where} ({mode})",
            )

    def plan_job(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.jobs.entry()
        if entry.get("job_id"):
            self.s.emit("plan", f"job: {entry['job_id']} is already created (ledger); no new job")
            result.job_id = entry["job_id"]
            return
        train, valid = self.files[0], self.files[1] if len(self.files) > 1 else None
        request = job_request(
            self.spec,
            training_file=train.file_id or f"<file id of {train.path.name}>",
            validation_file=(valid.file_id or f"<file id of {valid.path.name}>") if valid else None,
            metadata=self.jobs.metadata(None, "<a fresh key>"),
        )
        result.request = request
        self.s.emit("plan", "job: would create " + json.dumps(request, sort_keys=True), request=request)
