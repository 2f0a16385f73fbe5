"""A local Together AI server for tests, driven by the real `together` SDK (3.1.1).

    with FakeTogether() as server:
        client = together.Together(api_key=server.api_key, base_url=server.url)

`base_url` has no `/v1`: the SDK's paths carry it. Serves what `prep` publishes with:

- uploads as `client.files.upload` does them: `POST /v1/files` (multipart form fields
  purpose, file_name, file_type, checksum; no file bytes) answered `302` with `Location`
  (a signed storage URL on this server) and `X-Together-File-Id`; the SDK PUTs the bytes
  there, then `POST /v1/files/{id}/preprocess`. Files above 5 GiB go through
  `/v1/files/multipart/{initiate,complete,abort}` with one PUT per part (tests reach it
  by lowering `together.lib.resources.files.MULTIPART_THRESHOLD_GB`);
- `GET /v1/files[/{id}[/content]]`, `DELETE /v1/files/{id}`: a file's `processing_status`
  moves PENDING -> QUEUED -> RUNNING -> COMPLETED / INVALID_FORMAT / FAILED on retrieves,
  with a `validation_report` from the fake's own line checks (see `check_lines`);
- fine-tuning: `GET /v1/fine-tunes/models/limits`, `POST /v1/fine-tunes/estimate-price`,
  `POST /v1/fine-tunes`, `GET /v1/fine-tunes[/{id}[/events]]`, `POST /v1/fine-tunes/{id}/cancel`;
  a job moves pending -> queued -> running -> uploading -> completed (or error) on retrieves.

Behaviour comes from `Settings`; faults and recording from fake_http.FakeServer.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from tests.support.fake_http import JSON, FakeServer, RecordedRequest, Reply, Router, json_reply
from tests.support.fake_openai_routes import parse_form
from tests.support.fake_openai_schema import ApiError

__all__ = ["FakeTogether", "Settings", "check_lines"]

API_KEY = "tgp_v1_test-fake-together-key"
FILE_PURPOSES = ("fine-tune", "calibration", "eval", "batch-api")
ROLES = ("system", "user", "assistant", "tool")
FORMATS = {  # dataset format -> the keys that make a line of it
    "conversation": ("messages",),
    "instruction": ("prompt", "completion"),
    "preference_openai": ("input", "preferred_output", "non_preferred_output"),
    "general": ("text",),
}
# Where a job goes on successive retrieves, with the events logged on the way in.
JOB_STEPS: dict[str, list[tuple[str, str]]] = {
    "queued": [],
    "running": [("job_start", "Job started"), ("training_start", "Training started")],
    "uploading": [("training_complete", "Training completed"), ("model_uploading", "Uploading model")],
}
TERMINAL_JOB_STATUSES = frozenset({"completed", "error", "user_error", "cancelled"})


@dataclass
class Settings:
    """Server behaviour; may be changed at any time (read on every request)."""

    # File retrieves after preprocess until the verdict (0: the preprocess reply has it).
    processing_polls: int = 2
    # The fake's own checks of every line (`check_lines`), like the real server-side validation.
    check_lines: bool = True
    # Uploads whose bytes contain this get `failure_status` with `failure_message`.
    fail_files_matching: bytes | None = None
    failure_status: Literal["INVALID_FORMAT", "FAILED"] = "INVALID_FORMAT"
    failure_message: str = "Line 1: `messages[0]` must contain a `role` field"
    # A second upload with the checksum of a COMPLETED file answers 409 {"file_id": ...}.
    dedupe_uploads: bool = False
    # Job creation answers 400 with this message (after the file checks).
    refuse_jobs_with: str | None = None
    # Where jobs end and the message of the `job_error` event when they fail.
    job_outcome: Literal["completed", "error", "user_error"] = "completed"
    job_error: str = "Job failed: CUDA out of memory"
    polls_per_status: int = 1  # job retrieves per status step (>= 1)
    # Base models model_limits knows (None: any name).
    known_models: tuple[str, ...] | None = None
    user_id: str = "fake-user"
    # `retry-after-ms` on the fake's own error replies (the real API sends none; speeds up retries).
    retry_after_ms: int | None = None


def iso(timestamp: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_lines(content: bytes) -> tuple[str | None, JSON]:
    """The fake's server-side validation: (error or None, what a valid report describes).

    Each non-blank line is a JSON object of exactly one format (`FORMATS`), the same on
    every line; conversation messages need a known `role`. The real service checks more.
    """
    try:
        lines = content.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return "File is not valid UTF-8", {}
    detected: str | None = None
    info: JSON = {"nlines": 0, "dataset_has_tools": False, "dataset_has_message_weights": False}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        error, kind = _check_line(line, number)
        if error is None and detected not in (None, kind):
            error = f"Line {number}: format {kind} differs from line 1 ({detected})"
        if error is not None:
            return error, {}
        detected = kind
        row = json.loads(line)
        info["nlines"] += 1
        info["dataset_has_tools"] |= "tools" in row
        messages = row.get("messages") or []
        info["dataset_has_message_weights"] |= any("weight" in m for m in messages)
    if detected is None:
        return "File has no samples", {}
    return None, {"dataset_format": detected, **info}


def _check_line(line: str, number: int) -> tuple[str | None, str]:
    try:
        row = json.loads(line)
    except ValueError:
        return f"Line {number}: not valid JSON", ""
    if not isinstance(row, dict):
        return f"Line {number}: not a JSON object", ""
    kinds = [kind for kind, keys in FORMATS.items() if all(k in row for k in keys)]
    if len(kinds) != 1:
        problem = "matches more than one format" if kinds else "matches no known format"
        return f"Line {number}: the sample {problem}", ""
    if kinds[0] == "conversation":
        return _check_messages(row["messages"], number), kinds[0]
    return None, kinds[0]


def _check_messages(messages: object, number: int) -> str | None:
    if not isinstance(messages, list) or not messages:
        return f"Line {number}: `messages` must be a non-empty list"
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            return f"Line {number}: `messages[{index}]` must contain a `role` field"
        if message["role"] not in ROLES:
            return f"Line {number}: `messages[{index}].role` must be one of {', '.join(ROLES)}"
    return None


@dataclass
class TogetherFile:
    id: str
    filename: str
    purpose: str
    file_type: str
    checksum: str
    content: bytes | None = None  # None until the PUT arrives
    processing_status: str | None = None  # None until preprocess
    validation_report: JSON | None = None
    polls: int = 0
    created_at: int = field(default_factory=lambda: int(time.time()))

    def to_json(self) -> JSON:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content or b""),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "FileType": self.file_type,  # sic: the API's spelling (FileResponse alias)
            "processing_status": self.processing_status,
            "validation_report": self.validation_report,
        }


@dataclass
class TogetherJob:
    data: JSON  # the job as the API shows it (events apart)
    request: JSON  # the create body as received
    events: list[JSON] = field(default_factory=list)  # oldest first
    polls: int = 0

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    def log(self, kind: str, message: str, level: str = "info", **extra: object) -> None:
        self.events.append(
            {
                "object": "fine-tune-event",
                "created_at": iso(),
                "level": level,
                "message": message,
                "type": kind,
                "hash": secrets.token_hex(8),
                **extra,
            }
        )

    def to_json(self) -> JSON:
        return {**self.data, "events": list(self.events)}


def model_limits(name: str) -> JSON:
    """`FinetuneModelLimits` for any base model (together/types/finetune_model_limits.py)."""
    return {
        "model_name": name,
        "default_gradient_accumulation_steps": 1,
        "lora_training": {
            "default_rank": 16,
            "max_rank": 64,
            "min_batch_size": 8,
            "max_batch_size": 32,
            "max_batch_size_dpo": 16,
            "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        },
        "full_training": {"min_batch_size": 8, "max_batch_size": 16, "max_batch_size_dpo": 8},
        "max_learning_rate": 1.0,
        "min_learning_rate": 1e-8,
        "max_num_checkpoints": 10,
        "max_num_epochs": 20,
        "max_num_evals": 100,
        "max_seq_length_sft": 32768,
        "max_seq_length_dpo": 16384,
        "min_max_seq_length": 512,
        "merge_output_lora": True,
        "supports_full_training": True,
        "supports_reasoning": False,
        "supports_tools": True,
        "supports_vision": False,
    }


class FakeTogether(FakeServer):
    """The server. `settings` is mutable; `files`, `uploads` and `jobs` hold the state."""

    name = "FakeTogether"
    api_key = API_KEY

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.files: dict[str, TogetherFile] = {}
        self.jobs: dict[str, TogetherJob] = {}
        self._storage: dict[str, str] = {}  # signed-URL token -> file id
        self._multipart: dict[str, JSON] = {}  # upload id -> {file_id, parts: {n: bytes}, etags}
        self._created: list[TogetherFile] = []
        self.router = Router()
        self._add_routes()

    @property
    def uploads(self) -> list[TogetherFile]:
        """Files clients created, in order (deleted ones included)."""
        with self._lock:
            return list(self._created)

    def client(self, **kwargs: Any) -> Any:
        """A real `together.Together` for this server (kwargs: `max_retries`, `timeout`...)."""
        import together

        return together.Together(api_key=self.api_key, base_url=self.url, **kwargs)

    # HTTP

    def error_reply(self, status: int, message: str) -> Reply:
        return self._error(ApiError(status, message, kind="server_error" if status >= 500 else "invalid_request_error"))

    def _error(self, error: ApiError) -> Reply:
        headers = {}
        if self.settings.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.settings.retry_after_ms)
        return json_reply(error.status, error.body, headers)

    def dispatch(self, request: RecordedRequest) -> Reply:
        try:
            if not request.path.startswith("/storage/"):
                self._check_auth(request)
            found = self.router.find(request.method, request.path)
            if found is None:
                raise ApiError(404, f"Unknown route: {request.method} {request.path}")
            handler, params = found
            result = handler(request, params)
            return result if isinstance(result, Reply) else json_reply(200, result)
        except ApiError as error:
            return self._error(error)

    def _check_auth(self, request: RecordedRequest) -> None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            raise ApiError(401, "Invalid API key provided.", code="invalid_api_key")

    def _add_routes(self) -> None:
        add = self.router.add
        add("POST", "/v1/files", self._create_upload)
        add("PUT", "/storage/{token}", self._put_content)
        add("POST", "/v1/files/{file_id}/preprocess", lambda r, p: self._preprocess(self.file(p["file_id"])))
        add("POST", "/v1/files/multipart/initiate", self._multipart_initiate)
        add("PUT", "/storage/{token}/parts/{number}", self._put_part)
        add("POST", "/v1/files/multipart/complete", self._multipart_complete)
        add("POST", "/v1/files/multipart/abort", self._multipart_abort)
        add("GET", "/v1/files", lambda r, p: {"object": "list", "data": [f.to_json() for f in self.files.values()]})
        add("GET", "/v1/files/{file_id}", lambda r, p: self._retrieve_file(p["file_id"]))
        add("GET", "/v1/files/{file_id}/content", self._file_content)
        add("DELETE", "/v1/files/{file_id}", self._delete_file)
        add("GET", "/v1/fine-tunes/models/limits", self._model_limits)
        add("POST", "/v1/fine-tunes/estimate-price", self._estimate_price)
        add("POST", "/v1/fine-tunes", self._create_job)
        add("GET", "/v1/fine-tunes", lambda r, p: {"data": [j.data for j in self.jobs.values()][::-1]})
        add("GET", "/v1/fine-tunes/{job_id}", lambda r, p: self._retrieve_job(p["job_id"]))
        add("GET", "/v1/fine-tunes/{job_id}/events", lambda r, p: {"data": list(self.job(p["job_id"]).events)})
        add("POST", "/v1/fine-tunes/{job_id}/cancel", lambda r, p: self._cancel_job(p["job_id"]))

    # files

    def file(self, file_id: str) -> TogetherFile:
        if file_id not in self.files:
            raise ApiError(404, f"File not found: {file_id}")
        return self.files[file_id]

    def _new_file(self, filename: str, purpose: str, file_type: str, checksum: str) -> TogetherFile:
        if purpose not in FILE_PURPOSES:
            raise ApiError(400, f"Invalid purpose {purpose!r}", param="purpose")
        file = TogetherFile(f"file-{uuid.uuid4()}", filename, purpose, file_type, checksum)
        self.files[file.id] = file
        self._created.append(file)
        return file

    def _storage_url(self, file: TogetherFile) -> str:
        token = secrets.token_urlsafe(16)
        self._storage[token] = file.id
        return f"{self.url}/storage/{token}"

    def _create_upload(self, request: RecordedRequest, _: dict[str, str]) -> Reply:
        fields = parse_form(request.headers.get("content-type", ""), request.body)
        form = {name: value.decode() for name, (_, value) in fields.items()}
        missing = [k for k in ("purpose", "file_name", "file_type") if not form.get(k)]
        if missing:
            raise ApiError(400, f"Missing form field(s): {', '.join(missing)}")
        duplicate = self._duplicate_of(form.get("checksum", ""))
        if duplicate is not None:
            body = {"message": "File already exists", "file_id": duplicate.id}
            return json_reply(409, body)
        file = self._new_file(form["file_name"], form["purpose"], form["file_type"], form.get("checksum", ""))
        headers = {"location": self._storage_url(file), "x-together-file-id": file.id}
        return Reply(302, b"", "text/plain", headers)

    def _duplicate_of(self, checksum: str) -> TogetherFile | None:
        if not (self.settings.dedupe_uploads and checksum):
            return None
        done = (f for f in self.files.values() if f.processing_status == "COMPLETED")
        return next((f for f in done if f.checksum == checksum), None)

    def _stored_file(self, token: str) -> TogetherFile:
        if token not in self._storage:
            raise ApiError(403, "Signature does not match")
        return self.file(self._storage[token])

    def _put_content(self, request: RecordedRequest, params: dict[str, str]) -> Reply:
        file = self._stored_file(params["token"])
        if request.headers.get("content-length") != str(len(request.body)):
            raise ApiError(400, "Content-Length does not match the body")
        file.content = request.body
        return Reply(200, b"", "text/plain", {"etag": f'"{hashlib.md5(request.body).hexdigest()}"'})

    def _preprocess(self, file: TogetherFile) -> JSON:
        if file.content is None:
            raise ApiError(400, f"File {file.id} has no content: upload it first")
        if file.processing_status is None:
            file.processing_status = "PENDING"
            self._settle_file(file)
        return file.to_json()

    def _retrieve_file(self, file_id: str) -> JSON:
        file = self.file(file_id)
        if file.processing_status in ("PENDING", "QUEUED", "RUNNING"):
            file.polls += 1
            self._settle_file(file)
        return file.to_json()

    def _settle_file(self, file: TogetherFile) -> None:
        if file.polls >= self.settings.processing_polls:
            self._verdict(file)
        elif file.polls > 0:
            file.processing_status = ("QUEUED", "RUNNING")[min(file.polls, 2) - 1]

    def _verdict(self, file: TogetherFile) -> None:
        content = file.content or b""
        marker = self.settings.fail_files_matching
        error: str | None
        info: JSON
        if marker is not None and marker in content:
            if self.settings.failure_status == "FAILED":
                file.processing_status, file.validation_report = "FAILED", None
                return
            error, info = self.settings.failure_message, {}
        elif self.settings.check_lines and file.file_type == "jsonl":
            error, info = check_lines(content)
        else:
            error, info = None, {"nlines": content.count(b"\n")}
        if error is not None:
            report = {"valid": False, "error_type": "INVALID_FORMAT", "error": error, "file_id": file.id}
            file.processing_status, file.validation_report = "INVALID_FORMAT", report
        else:
            file.processing_status = "COMPLETED"
            file.validation_report = {"valid": True, "file_id": file.id, **info}

    def _file_content(self, _: RecordedRequest, params: dict[str, str]) -> Reply:
        return Reply(200, self.file(params["file_id"]).content or b"", "application/octet-stream")

    def _delete_file(self, _: RecordedRequest, params: dict[str, str]) -> JSON:
        file = self.files.pop(self.file(params["file_id"]).id)
        return {"id": file.id, "deleted": True}

    # multipart uploads (files above MULTIPART_THRESHOLD_GB)

    def _multipart_initiate(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        file = self._new_file(body["file_name"], body["purpose"], body["file_type"], body.get("checksum", ""))
        upload_id = f"upload-{secrets.token_hex(8)}"
        token = secrets.token_urlsafe(16)
        self._storage[token] = file.id
        self._multipart[upload_id] = {"file_id": file.id, "size": body["file_size"], "parts": {}, "etags": {}}
        parts = [
            {"PartNumber": n, "URL": f"{self.url}/storage/{token}/parts/{n}", "Headers": {}}
            for n in range(1, int(body["num_parts"]) + 1)
        ]
        return {"upload_id": upload_id, "file_id": file.id, "parts": parts}

    def _put_part(self, request: RecordedRequest, params: dict[str, str]) -> Reply:
        file = self._stored_file(params["token"])
        upload = next(u for u in self._multipart.values() if u["file_id"] == file.id)
        etag = hashlib.md5(request.body).hexdigest()
        upload["parts"][int(params["number"])] = request.body
        upload["etags"][int(params["number"])] = etag
        return Reply(200, b"", "text/plain", {"etag": f'"{etag}"'})

    def _multipart_complete(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        upload = self._multipart.pop(body["upload_id"], None)
        if upload is None or upload["file_id"] != body["file_id"]:
            raise ApiError(400, f"Unknown upload {body['upload_id']}")
        sent = {int(p["part_number"]): p["etag"] for p in body["parts"]}
        if sent != upload["etags"]:
            raise ApiError(400, "Part ETags do not match the uploaded parts")
        file = self.file(upload["file_id"])
        file.content = b"".join(upload["parts"][n] for n in sorted(upload["parts"]))
        return {"file": self._preprocess(file)}

    def _multipart_abort(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        self._multipart.pop(body["upload_id"], None)
        self.files.pop(body["file_id"], None)
        return {}

    # fine-tuning

    def _model_limits(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        name = request.query.get("model_name", "")
        known = self.settings.known_models
        if not name or (known is not None and name not in known):
            raise ApiError(404, f"Model not found or not available for fine-tuning: {name}")
        return model_limits(name)

    def _estimate_price(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        file = self.files.get(body.get("training_file", ""))
        if file is None or file.processing_status != "COMPLETED":
            invalid = file is not None and file.processing_status in ("INVALID_FORMAT", "FAILED")
            reason = "train_file_invalid" if invalid else "train_file_not_validated"
            return {"estimation_available": False, "unavailable_reason": reason}
        tokens = len(file.content or b"") // 4 * int(body.get("n_epochs") or 1)
        return {
            "estimation_available": True,
            "allowed_to_proceed": True,
            "estimated_total_price": round(tokens * 5e-7, 6),
            "estimated_train_token_count": tokens,
            "estimated_eval_token_count": 0,
            "user_limit": 100.0,
        }

    def _check_job_file(self, file_id: str, param: str) -> TogetherFile:
        file = self.files.get(file_id)
        if file is None:
            raise ApiError(400, f"{param} {file_id} does not exist", param=param)
        if file.purpose != "fine-tune":
            raise ApiError(400, f"{param} {file_id} has purpose {file.purpose!r}, not 'fine-tune'", param=param)
        if file.processing_status != "COMPLETED":
            status = file.processing_status or "not preprocessed"
            raise ApiError(400, f"{param} {file_id} is not ready: processing_status {status}", param=param)
        return file

    def _create_job(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        if not body.get("model") and not body.get("from_checkpoint"):
            raise ApiError(400, "model or from_checkpoint is required", param="model")
        training = self._check_job_file(body.get("training_file", ""), "training_file")
        if body.get("validation_file"):
            self._check_job_file(body["validation_file"], "validation_file")
        if len(body.get("suffix") or "") > 40:
            raise ApiError(400, "suffix must be at most 40 characters", param="suffix")
        if self.settings.refuse_jobs_with is not None:
            raise ApiError(400, self.settings.refuse_jobs_with)
        job = TogetherJob(self._job_json(body, training), request=body)
        self.jobs[job.id] = job
        job.log("job_pending", "Fine-tune request created")
        if body.get("wandb_key"):
            job.log("wandb_init", "Weights & Biases run initialised", wandb_url=job.data["wandb_url"])
        return job.to_json()

    def _job_json(self, body: JSON, training: TogetherFile) -> JSON:
        job_id = f"ft-{uuid.uuid4()}"
        model = str(body.get("model") or body["from_checkpoint"]).split(":")[0]
        suffix = body.get("suffix")
        output = f"{self.settings.user_id}/{model.split('/')[-1]}{'-' + suffix if suffix else ''}-{job_id[3:11]}"
        now = iso()
        echoed = (
            "training_file", "n_epochs", "n_checkpoints", "n_evals", "batch_size", "learning_rate",
            "lr_scheduler", "warmup_ratio", "max_grad_norm", "weight_decay", "training_type",
            "training_method", "suffix", "wandb_project_name", "wandb_name", "wandb_entity",
            "wandb_base_url", "packing", "max_seq_length", "random_seed", "from_checkpoint",
            "from_hf_model", "multimodal_params",
        )  # fmt: skip
        method = body.get("training_method") or {}
        return {
            **{name: body.get(name) for name in echoed},
            "id": job_id,
            "status": "pending",
            "user_id": self.settings.user_id,
            "owner_address": "0x0000000000000000000000000000000000000000",
            "created_at": now,
            "updated_at": now,
            "started_at": None,
            "model": model,
            "model_output_name": output,
            "adapter_output_name": None,
            "validation_file": body.get("validation_file") or None,
            "train_on_inputs": method.get("train_on_inputs"),
            "wandb_url": f"https://wandb.example.test/{job_id}" if body.get("wandb_key") else None,
            "trainingfile_numlines": (training.validation_report or {}).get("nlines"),
            "trainingfile_size": len(training.content or b""),
            "token_count": None,
            "param_count": None,
            "total_price": None,
            "epochs_completed": 0,
            "steps_completed": 0,
            "total_steps": None,
            "queue_depth": 0,
        }

    def job(self, job_id: str) -> TogetherJob:
        if job_id not in self.jobs:
            raise ApiError(404, f"Fine-tune job not found: {job_id}")
        return self.jobs[job_id]

    def _retrieve_job(self, job_id: str) -> JSON:
        """Each `polls_per_status` retrieves move a job one step on."""
        job = self.job(job_id)
        if job.status not in TERMINAL_JOB_STATUSES:
            job.polls += 1
            self._advance(job, job.polls // max(self.settings.polls_per_status, 1))
        return job.to_json()

    def _advance(self, job: TogetherJob, step: int) -> None:
        statuses = ["pending", *JOB_STEPS]
        if step >= len(statuses):
            self._finish(job)
            return
        if statuses[step] == job.status:
            return
        job.data.update(status=statuses[step], updated_at=iso())
        if statuses[step] == "running":
            job.data.update(started_at=iso(), total_steps=3, token_count=job.data["trainingfile_size"] // 4)
        for kind, message in JOB_STEPS[statuses[step]]:
            job.log(kind, message)

    def _finish(self, job: TogetherJob) -> None:
        outcome = self.settings.job_outcome
        job.data.update(status=outcome, updated_at=iso())
        if outcome != "completed":
            job.log("job_error", self.settings.job_error, level="error")
            return
        job.data.update(steps_completed=3, epochs_completed=job.data.get("n_epochs"), total_price=42)
        job.log("model_upload_complete", f"Model uploaded: {job.data['model_output_name']}")
        job.log("job_complete", "Fine-tuning job completed")

    def _cancel_job(self, job_id: str) -> JSON:
        job = self.job(job_id)
        if job.status in TERMINAL_JOB_STATUSES:
            raise ApiError(400, f"Job {job_id} is already {job.status}")
        job.data.update(status="cancelled", updated_at=iso())
        job.log("cancel_requested", "Cancel requested")
        return job.data
