"""A local Fireworks AI control-plane server for tests, driven by the real `fireworks-ai` SDK (1.2.30).

    with FakeFireworks() as server:
        client = fireworks.Fireworks(api_key=server.api_key, account_id=server.account_id, base_url=server.url)

`base_url` has no `/v1` (the SDK's paths carry it, and only an explicit `base_url` makes
the SDK use relative URLs). Everything lives under `/v1/accounts/{account_id}`:

- datasets: `POST datasets` (JSON {datasetId, dataset{...}}), `GET datasets[/{id}]`,
  `DELETE datasets/{id}`; bytes arrive by `POST datasets/{id}:upload` (multipart field
  `file`, at most 150 MB) or by `POST datasets/{id}:getUploadEndpoint` -> PUT to each signed
  URL -> `POST datasets/{id}:validateUpload` (`fireworks.lib.dataset_upload`). The signed
  URLs point at a second listener speaking TLS (`storage_url`), because the SDK helper
  refuses URLs that are not https: trust `fake_http.CA_FILE` through `SSL_CERT_FILE`;
- jobs: `supervisedFineTuningJobs` and `dpoJobs` (create with an optional client-chosen id
  in the query, get, list, `:cancel`, delete). A job's `state` moves JOB_STATE_CREATING ->
  JOB_STATE_VALIDATING -> JOB_STATE_RUNNING -> JOB_STATE_COMPLETED (or JOB_STATE_FAILED
  with `status` {code, message}) on successive gets. The SDK has no job-events API; the
  fake keeps each job's state history in `FireworksJob.history` for tests.

Errors are google.rpc.Status bodies, as the REST gateway sends them:
`{"code": 3, "message": "...", "details": []}`. An id that exists answers 409 ALREADY_EXISTS.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from tests.support.fake_http import JSON, FakeServer, Handler, RecordedRequest, Reply, Router, json_reply
from tests.support.fake_openai_routes import parse_form
from tests.support.fake_openai_schema import ApiError

__all__ = ["FakeFireworks", "FireworksJob", "Settings"]

API_KEY = "fw_test-fake-fireworks-key"
GRPC_CODES = {  # HTTP status -> (google.rpc.Code number, name)
    400: (3, "INVALID_ARGUMENT"),
    401: (16, "UNAUTHENTICATED"),
    403: (7, "PERMISSION_DENIED"),
    404: (5, "NOT_FOUND"),
    409: (6, "ALREADY_EXISTS"),
    412: (9, "FAILED_PRECONDITION"),
    429: (8, "RESOURCE_EXHAUSTED"),
    500: (13, "INTERNAL"),
    503: (14, "UNAVAILABLE"),
    504: (4, "DEADLINE_EXCEEDED"),
}
RESOURCE_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
JOB_STATES = ["JOB_STATE_CREATING", "JOB_STATE_VALIDATING", "JOB_STATE_RUNNING"]
TERMINAL_JOB_STATES = frozenset({"JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"})
JOB_KINDS = {  # collection in the path -> (id query parameter, resource kind in messages)
    "supervisedFineTuningJobs": ("supervisedFineTuningJobId", "supervisedFineTuningJob"),
    "dpoJobs": ("dpoJobId", "dpoJob"),
}


class FireworksError(Exception):
    """An HTTP error reply with a google.rpc.Status body."""

    def __init__(self, status: int, message: str, code_name: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        number, name = GRPC_CODES.get(status, (2, "UNKNOWN"))
        if code_name == "FAILED_PRECONDITION":
            number, name = 9, code_name
        self.code_name = name
        self.body: JSON = {"code": number, "message": message, "details": []}


@dataclass
class Settings:
    """Server behaviour; may be changed at any time (read on every request)."""

    account_id: str = "fake-account"
    # Dataset gets after a successful upload until READY (0: READY at once).
    processing_polls: int = 1
    # The fake's own checks: JSON objects with a non-empty `messages` list of role/content
    # dicts (format CHAT) or `prompt`/`completion` (COMPLETION), at least `min_examples` lines.
    check_lines: bool = True
    min_examples: int = 3
    # Uploads whose bytes contain this fail validation with `failure_message`.
    fail_datasets_matching: bytes | None = None
    failure_message: str = "Line 1: invalid role 'bot'; expected one of system, user, assistant"
    # How a validation failure shows: "reply" answers the :upload / :validateUpload call with
    # 400 INVALID_ARGUMENT; "status" accepts it, and later gets show state UPLOADING with
    # status {code: INVALID_ARGUMENT, message}. (Which one the real service uses is not documented.)
    invalid_verdict: Literal["reply", "status"] = "reply"
    max_upload_bytes: int = 150 * 1024 * 1024  # :upload's documented limit
    # `encryptionState` on datasets (None: not sent); anything but plaintext makes
    # upload_dataset_shards refuse to upload.
    encryption_state: str | None = None
    # Job creation answers 400 with this message (after the dataset checks).
    refuse_jobs_with: str | None = None
    job_outcome: Literal["JOB_STATE_COMPLETED", "JOB_STATE_FAILED"] = "JOB_STATE_COMPLETED"
    job_error: str = "Training failed: the dataset has no trainable tokens"
    polls_per_status: int = 1  # job gets per state step (>= 1)
    user_email: str = "tester@example.test"
    # `retry-after-ms` on the fake's own error replies (the real API sends none; speeds up retries).
    retry_after_ms: int | None = None


def rfc3339(timestamp: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, timezone.utc)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def check_dataset(content: bytes, min_examples: int) -> tuple[str | None, str, int]:
    """The fake's validation: (error or None, format, example count)."""
    try:
        lines = [line for line in content.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        return "dataset is not valid UTF-8", "FORMAT_UNSPECIFIED", 0
    kinds = set()
    for number, line in enumerate(lines, start=1):
        error, kind = _check_line(line, number)
        if error is not None:
            return error, "FORMAT_UNSPECIFIED", len(lines)
        kinds.add(kind)
    if len(kinds) > 1:
        return "dataset mixes CHAT and COMPLETION examples", "FORMAT_UNSPECIFIED", len(lines)
    if len(lines) < min_examples:
        return f"dataset has {len(lines)} example(s); at least {min_examples} are required", "FORMAT_UNSPECIFIED", 0
    return None, kinds.pop(), len(lines)


def _check_line(line: str, number: int) -> tuple[str | None, str]:
    try:
        row = json.loads(line)
    except ValueError:
        return f"Line {number}: invalid JSON", ""
    if not isinstance(row, dict):
        return f"Line {number}: expected a JSON object", ""
    if "prompt" in row and "completion" in row:
        return None, "COMPLETION"
    messages = row.get("messages")
    if not isinstance(messages, list) or not messages:
        return f"Line {number}: missing 'messages'", ""
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("system", "user", "assistant", "tool"):
            return f"Line {number}: messages[{index}] has invalid role {role!r}", ""
    return None, "CHAT"


@dataclass
class FireworksDataset:
    id: str
    data: JSON  # the dataset as the API shows it
    files: dict[str, bytes | None] = field(default_factory=dict)  # registered file -> bytes (None: not PUT yet)
    sizes: dict[str, str] = field(default_factory=dict)  # registered file -> size in bytes, as sent
    content: bytes | None = None  # what was validated
    polls: int = 0
    verdict: tuple[str | None, str, int] | None = None  # check_dataset's result once uploaded

    @property
    def state(self) -> str:
        return str(self.data["state"])


@dataclass
class FireworksJob:
    id: str
    collection: str  # "supervisedFineTuningJobs" or "dpoJobs"
    data: JSON
    request: JSON  # the create body as received
    query: dict[str, str]
    history: list[str] = field(default_factory=list)  # states, oldest first
    polls: int = 0

    @property
    def state(self) -> str:
        return str(self.data["state"])

    def set_state(self, state: str) -> None:
        self.data.update(state=state, updateTime=rfc3339())
        self.history.append(state)


class FakeFireworks(FakeServer):
    """The server. `settings` is mutable; `datasets` and `jobs` hold the state."""

    name = "FakeFireworks"
    api_key = API_KEY

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.datasets: dict[str, FireworksDataset] = {}
        self.jobs: dict[str, FireworksJob] = {}  # "collection/id" -> job
        self._storage: dict[str, tuple[str, str]] = {}  # signed-URL token -> (dataset id, file name)
        self.storage_url = ""
        self.router = Router()
        self._add_routes()

    @property
    def account_id(self) -> str:
        return self.settings.account_id

    def start(self) -> FakeFireworks:
        super().start()
        self.storage_url = self.listen(tls=True)
        return self

    def client(self, **kwargs: Any) -> Any:
        """A real `fireworks.Fireworks` for this server (kwargs: `max_retries`, `timeout`...)."""
        import fireworks

        kwargs.setdefault("account_id", self.account_id)
        return fireworks.Fireworks(api_key=self.api_key, base_url=self.url, **kwargs)

    def jobs_in(self, collection: str = "supervisedFineTuningJobs") -> list[FireworksJob]:
        with self._lock:
            return [j for j in self.jobs.values() if j.collection == collection]

    # HTTP

    def error_reply(self, status: int, message: str) -> Reply:
        return self._error(FireworksError(status, message))

    def _error(self, error: FireworksError) -> Reply:
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
                raise FireworksError(404, f"Unknown route: {request.method} {request.path}")
            handler, params = found
            if "account" in params and params["account"] != self.account_id:
                raise FireworksError(403, f"permission denied on account {params['account']!r}")
            result = handler(request, params)
            return result if isinstance(result, Reply) else json_reply(200, result)
        except ApiError as error:  # RecordedRequest.json() on a body that is not JSON
            return self._error(FireworksError(error.status, str(error)))
        except FireworksError as error:
            return self._error(error)

    def _check_auth(self, request: RecordedRequest) -> None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            raise FireworksError(401, "unauthenticated: invalid API key")

    def _add_routes(self) -> None:
        add = self.router.add
        base = "/v1/accounts/{account}"
        add("POST", f"{base}/datasets", self._create_dataset)
        add("GET", f"{base}/datasets", self._list_datasets)
        add("GET", f"{base}/datasets/{{dataset}}", lambda r, p: self._get_dataset(p["dataset"]))
        add("DELETE", f"{base}/datasets/{{dataset}}", self._delete_dataset)
        add("POST", f"{base}/datasets/{{dataset}}:upload", self._upload)
        add("POST", f"{base}/datasets/{{dataset}}:getUploadEndpoint", self._upload_endpoint)
        add("PUT", "/storage/{token}/{filename}", self._put_signed)
        add("POST", f"{base}/datasets/{{dataset}}:validateUpload", self._validate_upload)
        for collection in JOB_KINDS:
            add("POST", f"{base}/{collection}", self._create_job)
            add("GET", f"{base}/{collection}", self._list_jobs)
            add("GET", f"{base}/{collection}/{{job}}", self._on_job(collection, self._get_job))
            add("POST", f"{base}/{collection}/{{job}}:cancel", self._on_job(collection, self._cancel))
            add("DELETE", f"{base}/{collection}/{{job}}", self._on_job(collection, self._delete_job))

    @staticmethod
    def _on_job(collection: str, action: Callable[[str, str], JSON]) -> Handler:
        """A route handler calling `action(collection, job id)`."""

        def handler(_: RecordedRequest, params: dict[str, str]) -> JSON:
            return action(collection, params["job"])

        return handler

    def _name(self, collection: str, resource_id: str) -> str:
        return f"accounts/{self.account_id}/{collection}/{resource_id}"

    # datasets

    def dataset(self, dataset_id: str) -> FireworksDataset:
        if dataset_id not in self.datasets:
            raise FireworksError(404, f"dataset {self._name('datasets', dataset_id)} not found")
        return self.datasets[dataset_id]

    def _create_dataset(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        body = request.json()
        dataset_id = str(body.get("datasetId", ""))
        if not RESOURCE_ID.fullmatch(dataset_id):
            raise FireworksError(400, f"invalid datasetId {dataset_id!r}: use a-z, 0-9 and '-', at most 63")
        if dataset_id in self.datasets:
            raise FireworksError(409, f"dataset {self._name('datasets', dataset_id)} already exists")
        spec = body.get("dataset") or {}
        now = rfc3339()
        data = {
            "displayName": spec.get("displayName", ""),
            "exampleCount": str(spec.get("exampleCount", "0")),
            "format": spec.get("format", "FORMAT_UNSPECIFIED"),
            **spec,
            "name": self._name("datasets", dataset_id),
            "createTime": now,
            "updateTime": now,
            "createdBy": self.settings.user_email,
            "state": "UPLOADING",
            "status": {"code": "OK", "message": ""},
        }
        if self.settings.encryption_state is not None:
            data["encryptionState"] = self.settings.encryption_state
        dataset = FireworksDataset(dataset_id, data)
        self.datasets[dataset_id] = dataset
        return dataset.data

    def _get_dataset(self, dataset_id: str) -> JSON:
        dataset = self.dataset(dataset_id)
        if dataset.verdict is not None and dataset.state == "UPLOADING" and dataset.data["status"]["code"] == "OK":
            dataset.polls += 1
            self._settle(dataset)
        return dataset.data

    def _list_datasets(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        return self._page("datasets", [d.data for d in self.datasets.values()], request.query)

    def _page(self, key: str, items: list[JSON], query: dict[str, str]) -> JSON:
        start = int(query.get("pageToken") or 0)
        end = start + int(query.get("pageSize") or 50)
        return {key: items[start:end], "nextPageToken": str(end) if end < len(items) else "", "totalSize": len(items)}

    def _delete_dataset(self, _: RecordedRequest, params: dict[str, str]) -> JSON:
        del self.datasets[self.dataset(params["dataset"]).id]
        return {}

    def _awaiting_upload(self, dataset_id: str) -> FireworksDataset:
        """A dataset that may take (new) bytes: any until it is READY."""
        dataset = self.dataset(dataset_id)
        if dataset.state == "READY":
            raise FireworksError(400, f"dataset {dataset.data['name']} is already READY", "FAILED_PRECONDITION")
        return dataset

    def _upload(self, request: RecordedRequest, params: dict[str, str]) -> JSON:
        dataset = self._awaiting_upload(params["dataset"])
        form = parse_form(request.headers.get("content-type", ""), request.body)
        if "file" not in form:
            raise FireworksError(400, "missing multipart field 'file'")
        filename, content = form["file"]
        if len(content) > self.settings.max_upload_bytes:
            raise FireworksError(400, "file exceeds 150 MB: use getUploadEndpoint")
        self._accept(dataset, content)
        return {
            "id": dataset.id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": "fine-tune",
        }

    def _upload_endpoint(self, request: RecordedRequest, params: dict[str, str]) -> JSON:
        dataset = self._awaiting_upload(params["dataset"])
        sizes = request.json().get("filenameToSize") or {}
        if not sizes:
            raise FireworksError(400, "filenameToSize is required")
        dataset.files = dict.fromkeys(sizes)  # each call replaces the registered files
        dataset.sizes = {name: str(size) for name, size in sizes.items()}
        urls = {}
        for name in sizes:
            token = secrets.token_urlsafe(16)
            self._storage[token] = (dataset.id, name)
            signature = secrets.token_hex(32)
            urls[name] = (
                f"{self.storage_url}/storage/{token}/{name}"
                f"?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=3600&X-Goog-Signature={signature}"
            )
        return {"filenameToSignedUrls": urls}

    def _put_signed(self, request: RecordedRequest, params: dict[str, str]) -> Reply:
        target = self._storage.get(params["token"])
        if target is None or target[1] != params["filename"] or target[0] not in self.datasets:
            return Reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml")
        dataset = self.datasets[target[0]]
        expected = dataset.sizes.get(target[1])
        size_range = request.headers.get("x-goog-content-length-range", "")
        if request.headers.get("content-type") != "application/octet-stream" or size_range != f"{expected},{expected}":
            return Reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>", "application/xml")
        if str(len(request.body)) != expected:
            return Reply(400, b"<Error><Code>EntityTooLarge</Code></Error>", "application/xml")
        dataset.files[target[1]] = request.body
        return Reply(200, b"", "text/plain", {"etag": f'"{hashlib.md5(request.body).hexdigest()}"'})

    def _validate_upload(self, _: RecordedRequest, params: dict[str, str]) -> JSON:
        dataset = self._awaiting_upload(params["dataset"])
        if not dataset.files:
            raise FireworksError(400, "no files registered: call getUploadEndpoint first", "FAILED_PRECONDITION")
        missing = sorted(name for name, content in dataset.files.items() if content is None)
        if missing:
            raise FireworksError(400, f"files not uploaded: {', '.join(missing)}", "FAILED_PRECONDITION")
        self._accept(dataset, b"".join(c or b"" for _, c in sorted(dataset.files.items())))
        return {}

    def _accept(self, dataset: FireworksDataset, content: bytes) -> None:
        """Validate uploaded bytes: refuse now (`invalid_verdict="reply"`) or settle on later gets."""
        marker = self.settings.fail_datasets_matching
        if marker is not None and marker in content:
            verdict: tuple[str | None, str, int] = (self.settings.failure_message, "FORMAT_UNSPECIFIED", 0)
        elif self.settings.check_lines:
            verdict = check_dataset(content, self.settings.min_examples)
        else:
            verdict = (None, "CHAT", len(content.splitlines()))
        if verdict[0] is not None and self.settings.invalid_verdict == "reply":
            raise FireworksError(400, f"dataset validation failed: {verdict[0]}")
        dataset.content, dataset.verdict, dataset.polls = content, verdict, 0
        dataset.data.update(status={"code": "OK", "message": ""}, updateTime=rfc3339())
        self._settle(dataset)

    def _settle(self, dataset: FireworksDataset) -> None:
        if dataset.verdict is None or dataset.polls < self.settings.processing_polls:
            return
        error, kind, count = dataset.verdict
        if error is not None:
            dataset.data["status"] = {"code": "INVALID_ARGUMENT", "message": error}
            return
        tokens = len(dataset.content or b"") // 4
        dataset.data.update(
            state="READY",
            format=kind,
            exampleCount=str(count),
            estimatedTokenCount=str(tokens),
            averageTurnCount=2.0,
            updateTime=rfc3339(),
        )

    # jobs

    def _collection(self, request: RecordedRequest) -> str:
        return request.path.rsplit("/", 1)[-1]

    def job(self, collection: str, job_id: str) -> FireworksJob:
        key = f"{collection}/{job_id}"
        if key not in self.jobs:
            raise FireworksError(404, f"{JOB_KINDS[collection][1]} {self._name(collection, job_id)} not found")
        return self.jobs[key]

    def _check_dataset_ref(self, name: object, param: str) -> None:
        prefix = f"accounts/{self.account_id}/datasets/"
        if not isinstance(name, str) or not name.startswith(prefix):
            raise FireworksError(400, f"{param} must be a dataset name like {prefix}<id>, got {name!r}")
        dataset = self.dataset(name[len(prefix) :])
        if dataset.state != "READY":
            raise FireworksError(400, f"{param} {name} is not READY (state {dataset.state})", "FAILED_PRECONDITION")

    def _create_job(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        collection = self._collection(request)
        id_param, kind = JOB_KINDS[collection]
        body = request.json()
        job_id = request.query.get(id_param) or str(uuid.uuid4())
        if not RESOURCE_ID.fullmatch(job_id):
            raise FireworksError(400, f"invalid {id_param} {job_id!r}")
        if f"{collection}/{job_id}" in self.jobs:
            raise FireworksError(409, f"{kind} {self._name(collection, job_id)} already exists")
        self._check_dataset_ref(body.get("dataset"), "dataset")
        if body.get("evaluationDataset"):
            self._check_dataset_ref(body["evaluationDataset"], "evaluationDataset")
        config = body.get("trainingConfig") or body  # DPO nests the model under trainingConfig
        if not (config.get("baseModel") or config.get("warmStartFrom")):
            raise FireworksError(400, "one of baseModel or warmStartFrom must be specified")
        if self.settings.refuse_jobs_with is not None:
            raise FireworksError(400, self.settings.refuse_jobs_with)
        job = FireworksJob(job_id, collection, self._job_json(collection, job_id, body), body, dict(request.query))
        job.history.append(job.state)
        self.jobs[f"{collection}/{job_id}"] = job
        return job.data

    def _job_json(self, collection: str, job_id: str, body: JSON) -> JSON:
        now = rfc3339()
        data = {
            **body,
            "name": self._name(collection, job_id),
            "createTime": now,
            "updateTime": now,
            "createdBy": self.settings.user_email,
            "state": JOB_STATES[0],
            "status": {"code": "OK", "message": ""},
            "jobProgress": {"percent": 0, "epoch": 0},
        }
        if collection == "supervisedFineTuningJobs":
            data.setdefault("outputModel", f"accounts/{self.account_id}/models/{job_id}")
        wandb = body.get("wandbConfig")
        if wandb is not None:  # the key is kept, never shown again
            data["wandbConfig"] = {k: v for k, v in wandb.items() if k != "apiKey"}
            data["wandbConfig"]["url"] = f"https://wandb.example.test/{wandb.get('project', '')}/runs/{job_id}"
        return data

    def _get_job(self, collection: str, job_id: str) -> JSON:
        """Each `polls_per_status` gets move a job one state on."""
        job = self.job(collection, job_id)
        if job.state not in TERMINAL_JOB_STATES:
            job.polls += 1
            step = job.polls // max(self.settings.polls_per_status, 1)
            if step >= len(JOB_STATES):
                self._finish(job)
            elif JOB_STATES[step] != job.state:
                job.set_state(JOB_STATES[step])
                job.data["jobProgress"] = {"percent": 50 if step == 2 else 0, "epoch": 0}
        return job.data

    def _finish(self, job: FireworksJob) -> None:
        job.data["completedTime"] = rfc3339()
        if self.settings.job_outcome == "JOB_STATE_FAILED":
            job.data["status"] = {"code": "INVALID_ARGUMENT", "message": self.settings.job_error}
        else:
            job.data["jobProgress"] = {"percent": 100, "epoch": int(job.request.get("epochs") or 1) - 1}
        job.set_state(self.settings.job_outcome)

    def _list_jobs(self, request: RecordedRequest, _: dict[str, str]) -> JSON:
        collection = self._collection(request)
        items = [j.data for j in self.jobs.values() if j.collection == collection]
        return self._page(collection, items, request.query)

    def _cancel(self, collection: str, job_id: str) -> JSON:
        job = self.job(collection, job_id)
        if job.state in TERMINAL_JOB_STATES:
            raise FireworksError(400, f"job {job.data['name']} is already {job.state}", "FAILED_PRECONDITION")
        job.set_state("JOB_STATE_CANCELLED")
        return {}

    def _delete_job(self, collection: str, job_id: str) -> JSON:
        del self.jobs[f"{collection}/{self.job(collection, job_id).id}"]
        return {}
