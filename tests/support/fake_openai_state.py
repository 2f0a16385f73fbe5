"""In-memory state of the fake OpenAI server: files, fine-tuning jobs, job events.

No HTTP here: methods return OpenAI-shaped JSON (dicts that validate against the SDK's
pydantic types) or raise `ApiError`. The server serializes calls with one lock.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Literal

from tests.support.fake_openai_schema import (
    JOB_STEPS,
    JSON,
    RESULTS_CSV,
    TERMINAL_JOB_STATUSES,
    ApiError,
    check_metadata,
    check_required,
    event,
    metadata_filter,
    new_id,
    page,
    resolve_method,
)

DEFAULT_JOB_ERROR: JSON = {
    "code": "invalid_n_examples",
    "message": "Training file has 3 example(s), but must have at least 10 examples",
    "param": "training_file",
}


@dataclass
class Settings:
    """Server behaviour; may be changed at any time (read on every request)."""

    # File retrieves until an upload leaves `uploaded`; 0: processed at upload.
    processing_polls: int = 1
    # Uploads whose bytes contain this end in status `error` with `file_error_details`.
    fail_files_matching: bytes | None = None
    file_error_details: str = "Invalid file format. Example 1 is missing key 'messages'."
    # Job creation answers 400 with this message (after the file checks).
    refuse_jobs_with: str | None = None
    # Where a job ends, and its `error` when it fails.
    job_outcome: Literal["succeeded", "failed"] = "succeeded"
    job_error: JSON = field(default_factory=lambda: dict(DEFAULT_JOB_ERROR))
    # Job retrieves per status step (>= 1).
    polls_per_status: int = 1
    organization_id: str = "org-fake"


@dataclass
class FakeFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    fails: bool = False
    status: str = "uploaded"
    polls: int = 0
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_json(self, error_details: str) -> JSON:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": self.status,
            "status_details": error_details if self.status == "error" else None,
            "expires_at": None,
        }


@dataclass
class FakeJob:
    """A job: `data` is its OpenAI JSON, `request` the create body."""

    data: JSON
    request: JSON
    trained_tokens: int
    events: list[JSON] = field(default_factory=list)  # oldest first
    polls: int = 0

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])


class FakeOpenAIState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.files: dict[str, FakeFile] = {}
        self.uploads: list[FakeFile] = []  # client uploads, deleted ones included
        self.jobs: dict[str, FakeJob] = {}

    # files

    def upload(self, filename: str, purpose: str, content: bytes) -> JSON:
        marker = self.settings.fail_files_matching
        file = self._add_file(filename, purpose, content)
        file.fails = marker is not None and marker in content
        self.uploads.append(file)
        self._settle(file)
        return self._file_json(file)

    def _add_file(self, filename: str, purpose: str, content: bytes) -> FakeFile:
        file = FakeFile(new_id("file"), filename, purpose, content)
        self.files[file.id] = file
        return file

    def file(self, file_id: str) -> FakeFile:
        if file_id not in self.files:
            raise ApiError(404, f"No such File object: {file_id}", param="id")
        return self.files[file_id]

    def retrieve_file(self, file_id: str) -> JSON:
        file = self.file(file_id)
        file.polls += 1
        self._settle(file)
        return self._file_json(file)

    def _settle(self, file: FakeFile) -> None:
        if file.status == "uploaded" and file.polls >= self.settings.processing_polls:
            file.status = "error" if file.fails else "processed"

    def _file_json(self, file: FakeFile) -> JSON:
        return file.to_json(self.settings.file_error_details)

    def list_files(self, query: dict[str, str]) -> JSON:
        """Newest first unless `order=asc`; optional `purpose` filter."""
        purpose = query.get("purpose")
        files = [f for f in self.files.values() if purpose in (None, f.purpose)]
        ordered = files if query.get("order") == "asc" else files[::-1]
        return page([self._file_json(f) for f in ordered], query, default_limit=10000)

    def delete_file(self, file_id: str) -> JSON:
        del self.files[self.file(file_id).id]
        return {"id": file_id, "object": "file", "deleted": True}

    # jobs

    def create_job(self, body: JSON) -> JSON:
        check_required(body, "model", "training_file")
        self._check_job_file(body, "training_file")
        if body.get("validation_file") is not None:
            self._check_job_file(body, "validation_file")
        check_metadata(body.get("metadata"))
        if self.settings.refuse_jobs_with is not None:
            raise ApiError(400, self.settings.refuse_jobs_with)
        tokens = len(self.files[body["training_file"]].content) // 4 * 3
        job = FakeJob(self._job_json(body), request=body, trained_tokens=tokens)
        self.jobs[job.id] = job
        job.events.append(event(f"Created fine-tuning job: {job.id}"))
        validating = JOB_STEPS["validating_files"]
        job.events.append(event(f"{validating}: {body['training_file']}"))
        return job.data

    def _check_job_file(self, body: JSON, param: str) -> None:
        file_id = body[param]
        file = self.files.get(file_id)
        if file is None:
            message = f"invalid {param}: {file_id}"
            raise ApiError(400, message, param=param, code="invalid_file_id")
        if file.purpose != "fine-tune":
            message = f"File {file_id} has purpose {file.purpose!r}, not 'fine-tune'"
            raise ApiError(400, message, param=param, code="invalid_file_purpose")
        if file.status != "processed":
            message = f"File {file_id} is not ready"
            raise ApiError(400, message, param=param, code="file_not_ready")

    def _job_json(self, body: JSON) -> JSON:
        method, hyperparameters = resolve_method(body)
        seed = body.get("seed")
        return {
            "id": new_id("ftjob"),
            "object": "fine_tuning.job",
            "created_at": int(time.time()),
            "model": body["model"],
            "organization_id": self.settings.organization_id,
            "training_file": body["training_file"],
            "validation_file": body.get("validation_file"),
            "hyperparameters": hyperparameters,
            "method": method,
            "seed": secrets.randbelow(2**31) if seed is None else seed,
            "user_provided_suffix": body.get("suffix"),
            "metadata": body.get("metadata"),
            "integrations": body.get("integrations") or [],
            "status": "validating_files",
            "error": None,
            "fine_tuned_model": None,
            "finished_at": None,
            "estimated_finish": None,
            "result_files": [],
            "trained_tokens": None,
        }

    def job(self, job_id: str) -> FakeJob:
        if job_id not in self.jobs:
            message = f"No such fine-tuning job: {job_id}"
            raise ApiError(404, message, param="fine_tuning_job_id")
        return self.jobs[job_id]

    def retrieve_job(self, job_id: str) -> JSON:
        """Each retrieve moves a job on: validating_files, queued, running, the end."""
        job = self.job(job_id)
        if job.status not in TERMINAL_JOB_STATUSES:
            job.polls += 1
            self._advance(job, job.polls // self.settings.polls_per_status)
        return job.data

    def _advance(self, job: FakeJob, step: int) -> None:
        statuses = list(JOB_STEPS)
        if step >= len(statuses):
            self._finish(job)
        elif statuses[step] != job.status:
            job.data["status"] = statuses[step]
            job.events.append(event(JOB_STEPS[statuses[step]]))

    def _finish(self, job: FakeJob) -> None:
        job.data["finished_at"] = int(time.time())
        if self.settings.job_outcome == "failed":
            error = dict(self.settings.job_error)
            job.data.update(status="failed", error=error)
            job.events.append(event(str(error["message"]), level="error"))
            return
        results = self._add_file("step_metrics.csv", "fine-tune-results", base64.b64encode(RESULTS_CSV))
        results.status = "processed"
        model = self._fine_tuned_model(job)
        job.data.update(
            status="succeeded",
            fine_tuned_model=model,
            trained_tokens=job.trained_tokens,
            result_files=[results.id],
        )
        metrics = {"step": 3, "train_loss": 0.87, "total_steps": 3}
        job.events.append(event("Step 3/3: training loss=0.87", data=metrics))
        job.events.append(event(f"New fine-tuned model created: {model}"))
        job.events.append(event("The job has successfully completed"))

    def _fine_tuned_model(self, job: FakeJob) -> str:
        """`ft:<model>:<org>:<suffix>:<id>`, the suffix part empty without one."""
        data = job.data
        suffix = data["user_provided_suffix"] or ""
        return f"ft:{data['model']}:{data['organization_id']}:{suffix}:{job.id[-8:]}"

    def list_jobs(self, query: dict[str, str]) -> JSON:
        """Newest first; `metadata[k]=v` filters (all must match), `metadata=null`."""
        wanted = metadata_filter(query).items()
        jobs = [j.data for j in self.jobs.values()]
        if query.get("metadata") == "null":
            jobs = [j for j in jobs if j["metadata"] is None]
        jobs = [j for j in jobs if wanted <= (j["metadata"] or {}).items()]
        return page(jobs[::-1], query, default_limit=20)

    def list_events(self, job_id: str, query: dict[str, str]) -> JSON:
        return page(self.job(job_id).events[::-1], query, default_limit=20)

    def cancel_job(self, job_id: str) -> JSON:
        job = self.job(job_id)
        if job.status in TERMINAL_JOB_STATUSES:
            message = f"Job {job_id} has already completed with status {job.status}"
            raise ApiError(400, message, param="fine_tuning_job_id")
        job.data["status"] = "cancelled"
        job.events.append(event("Fine-tuning job cancelled"))
        return job.data
