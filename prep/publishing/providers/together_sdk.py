"""The ``together`` SDK adapter (together 3.x; routes and behaviour: tests/support/PROVIDERS.md §2).

Uploads with ``files.upload(path, purpose="fine-tune", check=True)`` (the SDK
reads the file itself: prep hashes it again once it is sent), waits for the
file's ``processing_status`` (``COMPLETED``, or ``INVALID_FORMAT`` with the
``validation_report``'s error: the service's verdict), creates the job with
``fine_tuning.create`` and no automatic retry. Together has neither an
idempotency key nor job metadata: an unanswered job is found again among the
listed jobs by its training and validation files, model and suffix, created
since the request and not already in the ledger; an unanswered upload by its
file name and size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...errors import require
from ...targets.profile import Method, Target
from ..jobs import JobSpec
from ..ledger import canonical_base_url
from ..service import CLOCK_SLACK, Refused, expect, no_retry
from ..types import PublishedFile
from .base import RemoteFile, RemoteJob, Upload, call_text, rehash, wandb_fields, with_key

__all__ = ["TogetherProvider", "build_client"]

FILE_STATES = {"COMPLETED": "ready", "INVALID_FORMAT": "invalid", "FAILED": "failed"}
TERMINAL = frozenset({"completed", "error", "user_error", "cancelled"})
WANDB_NAMES = {"project": "wandb_project_name", "entity": "wandb_entity", "name": "wandb_name", "key": "wandb_api_key"}


def build_client(settings: Any, *, key: str, base_url: str | None, timeout: float) -> Any:
    """A ``together.Together`` client."""
    together = require("together", "together")
    return together.Together(api_key=key, base_url=base_url, timeout=timeout)


def _created(value: Any) -> float | None:
    """A listed job's creation time in seconds (the API gives an ISO string; the SDK may parse it)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.timestamp() if isinstance(value, dt.datetime) else None


class TogetherProvider:
    """`..base.Provider` over a ``together.Together`` client."""

    sync_client = None  # W&B's WandbLogger.sync reads OpenAI jobs only
    syncs = False

    def __init__(
        self, target: Target, client: Any, *, base_url: str | None = None, wandb_key: str | None = None
    ) -> None:
        """``client`` None: a dry run's adapter, which only plans (at ``base_url``)."""
        assert target.publish is not None
        self.target, self.settings, self.client = target, target.publish, client
        self.base_url = canonical_base_url(str(client.base_url) if client is not None else base_url or "")
        self.max_retries = int(getattr(client, "max_retries", 2))
        self.wandb_key = wandb_key

    def upload(self, f: PublishedFile) -> Upload:
        from together.lib.types.error import FileTypeError

        try:
            obj = no_retry(self.client).files.upload(f.path, purpose="fine-tune", check=True)
        except FileTypeError as exc:  # the SDK's own check of the file: its verdict, before sending anything
            words = " ".join(str(exc).split())
            return Upload(RemoteFile("", "invalid", f"the together SDK's check_file: {words}"), None)
        obj = expect(obj, f"Uploading {f.path}", "file", "id")
        return Upload(self._file(obj), rehash(f.path))

    def _file(self, obj: Any) -> RemoteFile:
        status = str(getattr(obj, "processing_status", None) or "PENDING")
        state = FILE_STATES.get(status, "pending")
        report = getattr(obj, "validation_report", None)
        error = report.get("error") if isinstance(report, Mapping) else getattr(report, "error", None)
        words = str(error) if error else f"processing_status {status}"
        size = getattr(obj, "bytes", None)
        return RemoteFile(str(obj.id), state, words if state not in ("ready", "pending") else None, size, status)

    def find_upload(self, f: PublishedFile, *, since: float) -> str | None:
        """A file of this name and size, made since ``since``, whose bytes arrived and are being processed.

        A file id whose bytes never arrived (the PUT failed, or preprocessing was never asked for) has no
        ``processing_status``: it is left behind, and the file is uploaded again.
        """
        for item in list(getattr(self.client.files.list(), "data", None) or []):
            created = getattr(item, "created_at", None)
            recent = not isinstance(created, (int, float)) or created >= since - CLOCK_SLACK
            same = getattr(item, "filename", None) == f.path.name and getattr(item, "bytes", None) == f.size
            status = getattr(item, "processing_status", None)
            if same and recent and status is not None and status not in ("INVALID_FORMAT", "FAILED"):
                return str(item.id)
        return None

    def get_file(self, file_id: str) -> RemoteFile:
        return self._file(expect(self.client.files.retrieve(file_id), f"Checking {file_id}", "file", "id"))

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
        """``fine_tuning.create``'s keywords; Together keeps no metadata, so ``metadata`` and ``attempt`` go nowhere."""
        request: dict[str, Any] = {"training_file": training_file, "model": spec.model}
        if validation_file:
            request["validation_file"] = validation_file
        request["training_method"] = self.settings.methods[Method(spec.method)]
        if Method(spec.method) is Method.SUPERVISED:
            request["train_on_inputs"] = "auto"  # the SDK warns on stderr when it is left out
        for option, name in self.settings.parameters.items():
            value = getattr(spec, option, None)
            if value is not None and value != "auto":
                request[name] = value
        request.update(wandb_fields(spec.integration, WANDB_NAMES))
        return request

    def create_job(self, request: Mapping[str, Any]) -> RemoteJob:
        try:
            job = no_retry(self.client).fine_tuning.create(**with_key(request, self.wandb_key))
        except ValueError as exc:  # the SDK's own checks of the parameters, before any POST
            raise Refused(f"Creating the fine-tuning job failed: the together SDK refused it: {exc}") from None
        return self._job(expect(job, "Creating the fine-tuning job", "job", "id"))

    def find_job(self, request: Mapping[str, Any], *, since: float, known: set[str]) -> RemoteJob | None:
        for job in list(getattr(self.client.fine_tuning.list(), "data", None) or []):
            created = _created(getattr(job, "created_at", None))
            if created is not None and created < since - CLOCK_SLACK:
                continue
            if isinstance(getattr(job, "id", None), str) and job.id not in known and self._matches(job, request):
                return self._job(job)
        return None

    @staticmethod
    def _matches(job: Any, request: Mapping[str, Any]) -> bool:
        model = str(getattr(job, "model", "") or "")
        return (
            getattr(job, "training_file", None) == request["training_file"]
            and (getattr(job, "validation_file", None) or None) == (request.get("validation_file") or None)
            and model.split(":")[0] == str(request["model"]).split(":")[0]
            and (getattr(job, "suffix", None) or None) == (request.get("suffix") or None)
        )

    def get_job(self, job_id: str) -> RemoteJob:
        return self._job(expect(self.client.fine_tuning.retrieve(job_id), f"Following job {job_id}", "job", "id"))

    def _job(self, job: Any) -> RemoteJob:
        status = str(getattr(job, "status", None))
        model = next(
            (v for v in (getattr(job, a, None) for a in ("output_name", "x_model_output_name")) if isinstance(v, str)),
            None,
        )
        return RemoteJob(str(job.id), status, status in TERMINAL, status == "completed", model)

    def job_events(self, job_id: str, seen: set[str]) -> list[str]:
        out = []
        for event in list(getattr(self.client.fine_tuning.list_events(job_id), "data", None) or []):
            key = f"{getattr(event, 'created_at', '')}|{getattr(event, 'type', '')}|{getattr(event, 'message', '')}"
            if key in seen:
                continue
            seen.add(key)
            text = str(getattr(event, "message", ""))
            out.append(f"error: {text}" if getattr(event, "level", None) == "error" else text)
        return out

    def upload_call(self, f: PublishedFile) -> str:
        return call_text("client.files.upload", {"file": str(f.path), "purpose": "fine-tune", "check": True})

    def wait_call(self, file_id: str) -> str:
        return (
            f"client.files.retrieve({file_id!r}) until its processing_status is 'COMPLETED' "
            "(or 'INVALID_FORMAT' with a validation_report, the verdict)"
        )

    def job_call(self, request: Mapping[str, Any]) -> str:
        return call_text("client.fine_tuning.create", request)
