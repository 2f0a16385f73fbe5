"""The publish step machine: upload -> verdicts -> log artifacts -> create job -> (follow -> sync); and the dry run.

Each step first asks the ledger whether it was done, and records itself as
soon as it is (`.uploads`, `.artifacts`, `.jobstep`). Every file is uploaded
before anything else happens, so that the provider's verdicts on all of them
come together (`ProviderRejectedError`), before any artifact or job. Used by
`.publisher.publish`, which holds the ledger's lock around it; not public API.
"""

from __future__ import annotations

import json
import re

from .._version import version
from ..errors import PublishError
from ..issues import Issue, Severity
from ..reports.report import Report
from .artifacts import ArtifactStep
from .jobs import JobSpec, job_key
from .ledger import Ledger
from .session import Session
from .types import ArtifactTracker, CheckFailedError, PublishedFile, PublishResult, TrackerRun
from .uploads import FileRejected, upload_file
from .wandb_log import KIND, artifact_name

__all__ = ["ProviderRejectedError", "Publisher"]

#: The issue code of a provider's verdict on uploaded data.
VERDICT_CODE = "P411"
_LINE = re.compile(r"\bline (\d+)\b", re.IGNORECASE)


class ProviderRejectedError(CheckFailedError):
    """The provider refused uploaded data: ``issues`` (P411, also in ``report``) hold its words; no job was made."""

    def __init__(self, message: str, report: Report, issues: list[Issue]) -> None:
        super().__init__(message, report)
        self.issues = issues


def verdict_issue(f: PublishedFile, provider: str, words: str) -> Issue:
    """The provider's verdict on ``f`` as a P411 issue, on the line its words name (``Line 7: ...``)."""
    found = _LINE.search(words)
    message = f"{provider} refused the file after upload: {words}"
    path = f.report.path if f.report is not None else str(f.path)
    return Issue(VERDICT_CODE, Severity.ERROR, message, int(found.group(1)) if found else None, path=path)


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
        train = files[0].sha256
        self.key = job_key(spec, base_url=s.base, train_sha256=train, valid_sha256=valid_sha, target=s.target)
        s.ledger.find("jobs", self.key, job_key(spec, base_url=s.base, train_sha256=train, valid_sha256=valid_sha))
        self.jobs = JobStep(s, spec, files, self.key, job_metadata=job_metadata)
        self.artifacts = ArtifactStep(s, tracker, files, str(spec.method)) if tracker is not None else None

    def run(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.jobs.entry()
        need_job = not entry.get("job_id")
        if need_job:  # the request can be built (a parameter the target refuses is said now, before any upload)
            self.jobs.request(None, "", ("<train>", "<valid>" if len(self.files) > 1 else None))
        self.upload(result, verify=need_job)
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

    def upload(self, result: PublishResult, *, verify: bool) -> None:
        """Upload every file; the provider's refusals become P411 issues in the report, and stop the publish."""
        refused = []
        for f in self.files:
            try:
                upload_file(self.s, f, verify=verify)
            except FileRejected as exc:
                issue = verdict_issue(f, self.s.api.target.provider, exc.words)
                refused.append(issue)
                if f.report is not None:
                    f.report.issues.append(issue)
                    f.report.codes[issue.code] += 1
                    f.report.severities[issue.severity] += 1
        if not refused:
            return
        raise ProviderRejectedError(
            f"{self.s.api.target.provider} refused {len(refused)} file(s) after upload ({VERDICT_CODE}, with its "
            "words above); fix the data and publish again. No artifact and no job were made.",
            result.report,
            refused,
        )

    def confirm(self, run: TrackerRun) -> None:
        if self.artifacts is not None:
            self.artifacts.confirm(run)

    def start_run(self, result: PublishResult) -> TrackerRun:
        assert self.tracker is not None
        config = {
            "prep_version": version(),
            "target": self.s.target,
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
            key = Ledger.upload_key(f.sha256, self.s.base, self.s.target)
            entry = self.s.ledger.find("uploads", key, Ledger.upload_key(f.sha256, self.s.base)) or {}
            if entry.get("state") == "processed":
                f.file_id = entry["file_id"]
                self.s.emit("plan", f"upload: {f.path} is already uploaded as {f.file_id} (ledger); nothing to upload")
            else:
                n = f.report.examples if f.report else "?"
                self.s.emit(
                    "plan",
                    f"upload: would upload {f.path} ({f.size:,} bytes, {n} examples, sha256 {f.sha256}) to "
                    f"{self.s.base} ({self.s.target}): {self.s.api.upload_call(f)}; then "
                    f"{self.s.api.wait_call(f'<file id of {f.path.name}>')}",
                )
        if self.tracker is not None:
            self.plan_artifacts()
        self.plan_job(result)
        if wait:
            sync = ", then run WandbLogger.sync for it" if self.tracker is not None and self.s.api.syncs else ""
            self.s.emit("plan", f"wait: would follow the job's events until it ends{sync}")
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
                f"metadata items/sha256/target/file_id/format/stats/check) and a {f.role}_examples Table to {where} "
                f"({mode})",
            )

    def plan_job(self, result: PublishResult) -> None:
        entry = {} if self.new_job else self.jobs.entry()
        if entry.get("job_id"):
            self.s.emit("plan", f"job: {entry['job_id']} is already created (ledger); no new job")
            result.job_id = entry["job_id"]
            return
        train, valid = self.files[0], self.files[1] if len(self.files) > 1 else None
        ids = (
            train.file_id or f"<file id of {train.path.name}>",
            (valid.file_id or f"<file id of {valid.path.name}>") if valid else None,
        )
        request = self.jobs.request(None, "<a fresh key>", ids)
        result.request = request
        self.s.emit("plan", f"job: would call {self.s.api.job_call(request)}", request=json.loads(json.dumps(request)))
