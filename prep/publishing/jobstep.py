"""The job step: create the fine-tuning job exactly once, follow it, sync it to W&B.

Before the create request goes out, the ledger's ``jobs`` entry is set to
``creating`` with a fresh attempt key, which the provider's adapter puts in
the request where the provider keeps it: OpenAI's ``prep_key`` metadata,
Fireworks' client-chosen job id; Together keeps neither. The request is sent
once (no automatic retry). If no answer comes, or a run was stopped
meanwhile, the job is looked up before anything is sent again
(`Provider.find_job`): by that key, or, where the provider keeps none (or
``--no-job-metadata``), by what identifies it without one: the training and
validation files prep uploaded for it, the model and the suffix, among the
jobs created since the request, leaving out the jobs the ledger already
knows. When the lookup itself fails, nothing is sent: one sentence says so
(``--new-job`` creates a job anyway, at the risk of a second, paid one).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from ..errors import PublishError
from . import service
from .jobs import JobSpec
from .ledger import now
from .providers import RemoteJob
from .service import redact
from .session import Session
from .types import ArtifactTracker, PublishedFile, PublishResult, TrackerRun
from .wandb_log import sync_call

__all__ = ["JobStep"]


class JobStep:
    def __init__(self, s: Session, spec: JobSpec, files: list[PublishedFile], key: str, *, job_metadata: bool) -> None:
        self.s = s
        self.spec = spec
        self.files = files
        self.key = key
        self.job_metadata = job_metadata

    def entry(self) -> dict[str, Any]:
        return self.s.ledger.get("jobs", self.key) or {}

    def known_ids(self) -> set[str]:
        ids = set()
        for entry in self.s.ledger.data["jobs"].values():
            ids.update(entry.get("previous_job_ids", []))
            if entry.get("job_id"):
                ids.add(entry["job_id"])
        return ids

    def metadata(self, run: TrackerRun | None) -> dict[str, str]:
        """prep's metadata pairs (the adapter adds the attempt key, and sends them where the provider keeps any)."""
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

    def request(
        self, run: TrackerRun | None, attempt: str, ids: tuple[str, str | None] | None = None
    ) -> dict[str, Any]:
        """The job request, with the uploaded files' ids (or ``ids``: placeholders, before the upload)."""
        if ids is None:
            assert self.files[0].file_id is not None
            ids = (self.files[0].file_id, self.files[1].file_id if len(self.files) > 1 else None)
        return self.s.api.job_request(
            self.spec, training_file=ids[0], validation_file=ids[1], metadata=self.metadata(run), attempt=attempt
        )

    def create(self, run: TrackerRun | None, result: PublishResult, *, new_job: bool) -> None:
        entry = self.entry()
        if entry.get("state") == "creating" and not new_job and self.resume(entry, result):
            return
        previous = [*entry.get("previous_job_ids", []), *([entry["job_id"]] if entry.get("job_id") else [])]
        request = self.request(run, secrets.token_hex(8))
        since = service.now()
        self.s.ledger.update(
            "jobs",
            self.key,
            state="creating",
            target=self.s.target,
            base_url=self.s.base,
            model=self.spec.model,
            train_sha256=self.files[0].sha256,
            valid_sha256=self.files[1].sha256 if len(self.files) > 1 else None,
            request=request,
            job_id=None,
            previous_job_ids=previous,
            started_at=now(),
            started_ts=since,
            error=None,
        )
        step = "Creating the fine-tuning job"
        known = self.known_ids()
        job, found = self.s.send_once(
            step,
            lambda: self.s.api.create_job(request),
            lambda: self.lookup(request, since, known, step),
            lambda message: self.s.ledger.update("jobs", self.key, state="refused", error=message),
        )
        self.record(job, result, request, run, "found" if found else "created")

    def lookup(self, request: Mapping[str, Any], since: float, known: set[str], step: str) -> Any:
        """The job of an unanswered request; a `PublishError` when the service cannot be asked."""
        listing = "listing jobs"
        try:
            with self.s.waiting(listing), service.service_call(listing, secrets=self.s.secrets):
                return self.s.api.find_job(request, since=since, known=known)
        except PublishError as exc:
            raise PublishError(
                f"{step} got no answer, and prep cannot tell whether the service made the job ({exc}). Run "
                "again to look again; or check the service's job list and create one anyway with --new-job "
                "(new_job=True), which may make a second, paid job."
            ) from None

    def resume(self, entry: Mapping[str, Any], result: PublishResult) -> bool:
        """A job the interrupted publish may have made: found, it is recorded; True if so."""
        request = entry.get("request") or self.request(None, "")
        known = self.known_ids()
        since = float(entry.get("started_ts") or 0)
        job = self.lookup(request, since, known, "The job creation of the interrupted publish")
        if job is None:
            self.s.emit("job", "the interrupted publish made no job (looked up); creating it now")
            return False
        self.record(job, result, request, None, "resumed")
        return True

    def record(
        self, job: RemoteJob, result: PublishResult, request: Mapping[str, Any], run: TrackerRun | None, how: str
    ) -> None:
        """Record the job: ``how`` it came, "created", "found" (the answer was lost) or "resumed" (an earlier run)."""
        job_id, status = job.id, job.status
        wandb_run = run.run_id if run else None
        self.s.ledger.update(
            "jobs", self.key, state="created", job_id=job_id, status=status, wandb_run=wandb_run, synced=False
        )
        result.job_id, result.job_status, result.request = job_id, status, dict(request)
        result.job_created = how != "resumed"
        said = {
            "created": f"created fine-tuning job {job_id} ({self.spec.model}, {self.spec.method})",
            "found": f"created fine-tuning job {job_id}; its answer was lost, and prep found it (not created again)",
            "resumed": f"found the job of the interrupted publish: {job_id} (not created again)",
        }
        self.s.emit("job", said[how], job_id=job_id)
        if run is not None:
            with self.s.tracker_call("recording the job id"):
                run.record_job(job_id, request)

    def known_job(self, entry: Mapping[str, Any], result: PublishResult) -> None:
        result.job_id, result.job_status, result.request = entry["job_id"], entry.get("status"), entry.get("request")
        result.fine_tuned_model = entry.get("fine_tuned_model")
        self.s.emit(
            "job",
            f"fine-tuning job {entry['job_id']} already created (ledger; status {entry.get('status')}); "
            "--new-job creates another",
            job_id=entry["job_id"],
        )

    def follow(self, result: PublishResult) -> RemoteJob:
        """Poll the job and print its new events until it ends; the job as last seen."""
        assert result.job_id is not None
        seen: set[str] = set()
        last, errors = None, []
        step = f"Following job {result.job_id}"
        while True:
            with self.s.call(step):
                job = self.s.api.get_job(result.job_id)
                events = self.s.api.job_events(result.job_id, seen)
            for text in events:
                self.s.emit("event", text)
                errors += [text[len("error: ") :]] if text.startswith("error: ") else []
            if job.status != last:
                self.s.emit("status", f"job {job.id}: {job.status}", status=job.status)
                last = job.status
            self.s.ledger.update("jobs", self.key, status=job.status, fine_tuned_model=job.model)
            if job.done:
                break
            self.s.sleep(self.s.poll_interval)
        result.job_status, result.fine_tuned_model = job.status, job.model
        if not job.succeeded:
            words = job.error or (errors[-1] if errors else None)
            raise PublishError(
                redact(f"Fine-tuning job {job.id} {job.status}{': ' + words if words else ''}", self.s.secrets)
            )
        self.s.emit("job", f"fine-tuned model: {job.model}", model=job.model)
        return job

    def sync(self, tracker: ArtifactTracker, result: PublishResult, entity: str | None, run_dirs: set[str]) -> None:
        if result.job_id is None:
            return
        if not self.s.api.syncs:
            self.s.emit(
                "note",
                f"W&B: WandbLogger.sync reads OpenAI jobs only, so it was not run for this {self.s.target} job; the "
                "artifacts are logged, and --job-wandb sends the job's own metrics to W&B",
            )
            return
        if self.entry().get("synced"):
            result.synced = True
            self.s.emit("sync", f"W&B: job {result.job_id} already synced (ledger)")
            return
        if tracker.offline:
            dirs = " ".join(sorted(run_dirs)) or "<the offline run directory>"
            self.s.emit(
                "note",
                "W&B is offline, and WandbLogger.sync needs a W&B server: it was not run. Later, "
                f"with W&B credentials, upload the publisher run with: wandb sync {dirs} ; then run: "
                f"{sync_call(result.job_id, tracker.project, entity)} "
                "(or run this prep publish command again with --wait)",
            )
            return
        with self.s.tracker_call(f"WandbLogger.sync for {result.job_id}"):
            message = tracker.sync(job_id=result.job_id, client=self.s.api.sync_client, entity=entity)
        self.s.ledger.update("jobs", self.key, synced=True, synced_at=now())
        result.synced = True
        self.s.emit("sync", f"W&B: {message}")
