"""The ``openai`` SDK adapter: OpenAI, Azure OpenAI, and OpenAI-compatible fine-tuning APIs (Bedrock Mantle).

Uploads with ``files.create(purpose="fine-tune")`` (the bytes hashed as they
go out), waits for the file's ``status`` (``processed``, or ``error`` with
``status_details``: the service's verdict), creates the job with
``fine_tuning.jobs.create`` carrying prep's metadata (``prep_key``), finds an
unanswered upload by its name, size and time, and an unanswered job by its
``prep_key`` (or its files, model and suffix), and follows its events.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ...errors import require
from ...targets.profile import Method, PublishSettings, Target
from ..jobs import JobSpec, job_request
from ..ledger import canonical_base_url
from ..service import CLOCK_SLACK, HashingReader, OpenAIClient, expect, no_retry
from ..types import PublishedFile
from .base import RemoteFile, RemoteJob, Upload, call_text

__all__ = ["KEY", "OpenAIProvider", "build_client", "find_job"]

KEY = "prep_key"
TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
#: Pages of a listing read when looking for what an interrupted publish made.
MAX_PAGES = 20
FILE_STATES = {"processed": "ready", "error": "invalid", "deleted": "failed"}


def build_client(
    settings: PublishSettings, *, key: str, base_url: str | None, timeout: float, api_version: str | None = None
) -> Any:
    """An ``openai.OpenAI`` (or, for ``azure-openai``, ``openai.AzureOpenAI`` at the resource ``base_url``)."""
    openai = require("openai", "publish")
    if settings.sdk == "azure-openai":
        version = api_version or settings.api_version
        return openai.AzureOpenAI(azure_endpoint=base_url, api_version=version, api_key=key, timeout=timeout)
    return openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout)


def listed(first: Any, *, since: float) -> Iterator[Any]:
    """The items of a newest-first listing, page after page, until one is older than ``since``."""
    page = first
    for _ in range(MAX_PAGES):
        for item in list(getattr(page, "data", None) or []):
            created = getattr(item, "created_at", None)
            if isinstance(created, (int, float)) and created < since:
                return
            yield item
        has_next = getattr(page, "has_next_page", None)
        if not callable(has_next) or not has_next():
            return
        page = page.get_next_page()


def _matches(job: Any, key: str | None, request: Mapping[str, Any]) -> bool:
    metadata = getattr(job, "metadata", None)
    if key is not None and isinstance(metadata, Mapping) and KEY in metadata:
        return bool(metadata[KEY] == key)
    model = str(getattr(job, "model", ""))
    return (
        getattr(job, "training_file", None) == request["training_file"]
        and getattr(job, "validation_file", None) == request.get("validation_file")
        and (model == request["model"] or model.startswith(request["model"] + "-"))
        and getattr(job, "user_provided_suffix", None) == request.get("suffix")
    )


def find_job(client: OpenAIClient, request: Mapping[str, Any], *, since: float, known: set[str]) -> Any:
    """The job ``request`` made: by its ``prep_key``, or (no metadata) by its files, model and suffix, or None."""
    key = (request.get("metadata") or {}).get(KEY)
    page = client.fine_tuning.jobs.list(limit=100, **({"metadata": {KEY: key}} if key else {}))
    for job in listed(page, since=since - CLOCK_SLACK):
        if isinstance(getattr(job, "id", None), str) and job.id not in known and _matches(job, key, request):
            return job
    return None


def event_text(event: Any) -> str:
    data = getattr(event, "data", None) or {}
    text = str(getattr(event, "message", ""))
    if getattr(event, "type", None) == "metrics" and isinstance(data, dict) and "step" in data:
        extra = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("step", "total_steps"))
        text = f"step {data['step']}/{data.get('total_steps', '?')}" + (f": {extra}" if extra else "")
    return f"error: {text}" if getattr(event, "level", "info") == "error" else text


class OpenAIProvider:
    """`..base.Provider` over an ``openai.OpenAI`` or ``openai.AzureOpenAI`` client."""

    def __init__(
        self, target: Target, client: OpenAIClient | None, *, base_url: str | None = None, job_metadata: bool = True
    ) -> None:
        """``client`` None: a dry run's adapter, which only plans (at ``base_url``)."""
        assert target.publish is not None
        self.target, self.settings, self._client = target, target.publish, client
        self.base_url = canonical_base_url(str(client.base_url) if client is not None else base_url or "")
        self.max_retries = int(getattr(client, "max_retries", 2))
        self.sync_client = client
        self.syncs = True
        self.job_metadata = job_metadata

    @property
    def client(self) -> OpenAIClient:
        assert self._client is not None, "a dry run's adapter sends nothing"
        return self._client

    def upload(self, f: PublishedFile) -> Upload:
        with f.path.open("rb") as fp:
            reader = HashingReader(fp)
            obj = no_retry(self.client).files.create(file=(f.path.name, reader), purpose="fine-tune")
        obj = expect(obj, f"Uploading {f.path}", "file", "id")
        return Upload(self._file(obj), reader.sha256)

    def _file(self, obj: Any) -> RemoteFile:
        status = getattr(obj, "status", None)
        state = FILE_STATES.get(str(status), "pending")
        words = getattr(obj, "status_details", None) or (f"status {status!r}" if state != "ready" else None)
        words = words if state in ("invalid", "failed") else None
        return RemoteFile(str(obj.id), state, words, obj_bytes(obj), str(status) if status else None)

    def find_upload(self, f: PublishedFile, *, since: float) -> str | None:
        page = self.client.files.list(purpose="fine-tune", order="desc", limit=100)
        for item in listed(page, since=since - CLOCK_SLACK):
            same = getattr(item, "filename", None) == f.path.name and getattr(item, "bytes", None) == f.size
            if same and getattr(item, "status", None) != "error" and isinstance(getattr(item, "id", None), str):
                return str(item.id)
        return None

    def get_file(self, file_id: str) -> RemoteFile:
        step = f"Checking {file_id}"
        return self._file(expect(self.client.files.retrieve(file_id), step, "file", "id", "status"))

    def delete_file(self, file_id: str) -> None:
        self.client.files.delete(file_id)

    def job_request(
        self,
        spec: JobSpec,
        *,
        training_file: str,
        validation_file: str | None,
        metadata: Mapping[str, str],
        attempt: str,
    ) -> dict[str, Any]:
        pairs = {KEY: attempt, **metadata} if self.job_metadata else {}
        request = job_request(spec, training_file=training_file, validation_file=validation_file, metadata=pairs)
        request["method"]["type"] = self.settings.methods.get(Method(spec.method), request["method"]["type"])
        if self.settings.wandb != "native":
            request.pop("integrations", None)
        return request

    def create_job(self, request: Mapping[str, Any]) -> RemoteJob:
        step = "Creating the fine-tuning job"
        return self._job(expect(no_retry(self.client).fine_tuning.jobs.create(**request), step, "job", "id"))

    def find_job(self, request: Mapping[str, Any], *, since: float, known: set[str]) -> RemoteJob | None:
        job = find_job(self.client, request, since=since, known=known)
        return self._job(job) if job is not None else None

    def get_job(self, job_id: str) -> RemoteJob:
        step = f"Following job {job_id}"
        return self._job(expect(self.client.fine_tuning.jobs.retrieve(job_id), step, "job", "id", "status"))

    def _job(self, job: Any) -> RemoteJob:
        status = str(getattr(job, "status", None))
        error = getattr(job, "error", None)
        message = getattr(error, "message", None)
        words = f"{message} (code {getattr(error, 'code', None)})" if message else None
        model = getattr(job, "fine_tuned_model", None)
        done = status in TERMINAL_JOB_STATUSES
        return RemoteJob(str(job.id), status, done, status == "succeeded", model, words)

    def job_events(self, job_id: str, seen: set[str]) -> list[str]:
        page = self.client.fine_tuning.jobs.list_events(job_id, limit=100)
        fresh = [e for e in reversed(list(getattr(page, "data", None) or [])) if getattr(e, "id", None) not in seen]
        seen.update(e.id for e in fresh)
        return [event_text(e) for e in fresh]

    def upload_call(self, f: PublishedFile) -> str:
        return call_text("client.files.create", {"file": _Open(f.path), "purpose": "fine-tune"})

    def wait_call(self, file_id: str) -> str:
        return f"client.files.retrieve({file_id!r}) until its status is 'processed' (or 'error', the verdict)"

    def job_call(self, request: Mapping[str, Any]) -> str:
        return call_text("client.fine_tuning.jobs.create", request)


def obj_bytes(obj: Any) -> int | None:
    size = getattr(obj, "bytes", None)
    return size if isinstance(size, int) else None


class _Open:
    """Shows as ``open('train.jsonl', 'rb')`` in a dry run's call."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"({self.path.name!r}, open({str(self.path)!r}, 'rb'))"
