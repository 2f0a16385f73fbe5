"""The ``fireworks-ai`` SDK adapter (fireworks-ai 1.x; routes and behaviour: tests/support/PROVIDERS.md §3).

A file becomes a dataset whose id prep chooses from the file's SHA-256
(``prep-<hash>``), so creating it twice is harmless (409: it exists, and is
looked at). Files up to 150 MB go up with ``datasets.upload`` (the bytes hashed
as they go out); larger ones through ``fireworks.lib.dataset_upload``'s
signed URLs (prep hashes the file again once it is sent). The verdict is the
dataset's: READY, or a refused upload call, or a ``status`` that is not OK
(its ``message``). Jobs get a client-chosen id (``prep-<attempt key>``), so an
unanswered creation is found again by that id, and a repeated one is a 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import UsageError, require
from ...targets.profile import Method, Target
from ..jobs import JobSpec
from ..ledger import canonical_base_url
from ..service import HashingReader, Refused, expect, is_not_found, no_retry, status_of
from ..types import PublishedFile
from .base import RemoteFile, RemoteJob, Upload, call_text, rehash, wandb_fields, with_key

__all__ = ["DIRECT_UPLOAD_BYTES", "FireworksProvider", "build_client", "dataset_id"]

#: The largest file ``datasets.upload`` takes (documented: 150 MB); larger ones go through signed URLs.
DIRECT_UPLOAD_BYTES = 150 * 1000 * 1000
TERMINAL = {"JOB_STATE_COMPLETED": True, "JOB_STATE_FAILED": False, "JOB_STATE_CANCELLED": False}
TERMINAL.update({"JOB_STATE_EXPIRED": False, "JOB_STATE_EARLY_STOPPED": True})
WANDB_NAMES = {"project": "project", "entity": "entity", "name": "run_id", "key": "api_key"}


def build_client(settings: Any, *, key: str, base_url: str | None, timeout: float, account: str | None) -> Any:
    """A ``fireworks.Fireworks`` client for ``account``."""
    fireworks = require("fireworks", "fireworks")
    if not hasattr(fireworks, "Fireworks"):  # the unrelated `fireworks` workflow package
        raise UsageError("The installed `fireworks` is not Fireworks AI's SDK: pip install 'finetune-prep[fireworks]'.")
    return fireworks.Fireworks(api_key=key, account_id=account, base_url=base_url, timeout=timeout)


def dataset_id(sha256: str) -> str:
    """The dataset id of a file: the same bytes, the same dataset."""
    return f"prep-{sha256[:32]}"


class FireworksProvider:
    """`..base.Provider` over a ``fireworks.Fireworks`` client."""

    sync_client = None  # W&B's WandbLogger.sync reads OpenAI jobs only
    syncs = False

    def __init__(
        self,
        target: Target,
        client: Any,
        *,
        base_url: str | None = None,
        account: str | None = None,
        wandb_key: str | None = None,
    ) -> None:
        """``client`` None: a dry run's adapter, which only plans (at ``base_url``, for ``account``)."""
        assert target.publish is not None
        self.target, self.settings, self.client = target, target.publish, client
        self.account = str(client.account_id) if client is not None else account or "<account id>"
        url = str(client.base_url) if client is not None else base_url or ""
        self.base_url = f"{canonical_base_url(url)}/accounts/{self.account}"
        self.max_retries = int(getattr(client, "max_retries", 2))
        self.wandb_key = wandb_key
        self.direct_upload_bytes = DIRECT_UPLOAD_BYTES

    def name(self, dataset: str) -> str:
        return f"accounts/{self.account}/datasets/{dataset}"

    def upload(self, f: PublishedFile) -> Upload:
        dataset, api = dataset_id(f.sha256), no_retry(self.client)
        n = f.report.examples if f.report else 0
        try:
            api.datasets.create(dataset_id=dataset, dataset={"user_uploaded": {}, "example_count": str(n)})
        except Exception as exc:
            if status_of(exc) != 409:  # 409: made by an earlier attempt, with the same bytes
                raise
            existing = self.get_file(dataset)
            if existing.state != "pending":
                return Upload(existing, None)
        if f.size > self.direct_upload_bytes:
            from fireworks.lib.dataset_upload import upload_dataset_shards

            upload_dataset_shards(api, dataset, str(f.path))
            return Upload(RemoteFile(dataset, "pending"), rehash(f.path))
        with f.path.open("rb") as fp:
            reader = HashingReader(fp)
            try:
                api.datasets.upload(dataset, file=(f.path.name, reader))
            except Exception as exc:
                if status_of(exc) != 400:
                    raise
                landed = self.get_file(dataset)  # a resent upload is refused once the first one landed
                verdict = landed if landed.state == "ready" else RemoteFile(dataset, "invalid", _words(exc))
                return Upload(verdict, reader.sha256)
        return Upload(RemoteFile(dataset, "pending"), reader.sha256)

    def find_upload(self, f: PublishedFile, *, since: float) -> str | None:
        """The dataset of an unanswered upload, once its bytes have landed (it has a verdict)."""
        try:
            found = self.get_file(dataset_id(f.sha256))
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        return found.id if found.state != "pending" else None

    def get_file(self, file_id: str) -> RemoteFile:
        obj = expect(self.client.datasets.get(file_id), f"Checking {file_id}", "dataset", "name")
        status = getattr(obj, "status", None)
        code = getattr(status, "code", None)
        if code not in (None, "OK"):
            return RemoteFile(file_id, "invalid", f"{getattr(status, 'message', '')} ({code})")
        status = str(getattr(obj, "state", None))
        return RemoteFile(file_id, "ready" if status == "READY" else "pending", status=status)

    def delete_file(self, file_id: str) -> None:
        self.client.datasets.delete(file_id)

    def job_request(
        self,
        spec: JobSpec,
        *,
        training_file: str,
        validation_file: str | None,
        metadata: Mapping[str, str],
        attempt: str,
    ) -> dict[str, Any]:
        """The job's keywords, with the collection (``supervised_fine_tuning_jobs``...) the call goes to."""
        method = Method(spec.method)
        collection = self.settings.methods[method]
        request: dict[str, Any] = {"collection": collection, collection[:-1] + "_id": f"prep-{attempt}"}
        request["dataset"] = self.name(training_file)
        settings = {"base_model": spec.model}
        for option, name in self.settings.parameters.items():
            value = getattr(spec, option, None)
            if value is not None and value != "auto":
                settings[name] = value
        if method is Method.DPO:  # the model's settings sit in training_config; the display name beside it
            request["display_name"] = settings.pop("display_name", None)
            request["training_config"] = settings
            if validation_file:
                raise UsageError(f"{self.target.provider} DPO jobs take no validation file; publish without --valid.")
        else:
            request.update(settings)
            if validation_file:
                request["evaluation_dataset"] = self.name(validation_file)
        wandb = wandb_fields(spec.integration, WANDB_NAMES)
        if wandb:
            request["wandb_config"] = {"enabled": True, **wandb}
        return {k: v for k, v in request.items() if v is not None}

    def _resource(self, request: Mapping[str, Any]) -> Any:
        return getattr(self.client, str(request["collection"]))

    def create_job(self, request: Mapping[str, Any]) -> RemoteJob:
        arguments = {k: v for k, v in with_key(request, self.wandb_key).items() if k != "collection"}
        try:
            job = getattr(no_retry(self.client), str(request["collection"])).create(**arguments)
        except Exception as exc:
            if status_of(exc) != 409:
                raise
            found = self.find_job(request, since=0, known=set())  # the id is this attempt's: the job is ours
            if found is None:
                raise Refused(f"Creating the fine-tuning job failed: {_words(exc)}") from None
            return found
        return self._job(expect(job, "Creating the fine-tuning job", "job", "name"))

    def find_job(self, request: Mapping[str, Any], *, since: float, known: set[str]) -> RemoteJob | None:
        job_id = str(request[str(request["collection"])[:-1] + "_id"])
        try:
            job = self._resource(request).get(job_id)
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        found = self._job(job)
        return None if found.id in known else found

    def get_job(self, job_id: str) -> RemoteJob:
        collection, _, short = job_id.partition("/")
        job = getattr(self.client, collection).get(short)
        return self._job(expect(job, f"Following job {short}", "job", "name"))

    def _job(self, job: Any) -> RemoteJob:
        """A job's id is ``<collection>/<id>``: Fireworks keeps each kind of job in its own collection."""
        name = str(job.name)
        collection = next(c for c in self.settings.methods.values() if _camel(c) in name)
        state = str(getattr(job, "state", None))
        status = getattr(job, "status", None)
        message = getattr(status, "message", None) or None
        model = getattr(job, "output_model", None)
        done = state in TERMINAL
        return RemoteJob(
            f"{collection}/{name.rsplit('/', 1)[-1]}", state, done, TERMINAL.get(state, False), model, message
        )

    def job_events(self, job_id: str, seen: set[str]) -> list[str]:
        return []  # Fireworks has no job-events API: the state changes are what there is to follow

    def upload_call(self, f: PublishedFile) -> str:
        dataset = dataset_id(f.sha256)
        n = f.report.examples if f.report else 0
        create = call_text(
            "client.datasets.create", {"dataset_id": dataset, "dataset": {"user_uploaded": {}, "example_count": str(n)}}
        )
        if f.size > self.direct_upload_bytes:
            return f"{create}, then upload_dataset_shards(client, {dataset!r}, {str(f.path)!r})"
        return (
            f"{create}, then client.datasets.upload({dataset!r}, file=({f.path.name!r}, open({str(f.path)!r}, 'rb')))"
        )

    def wait_call(self, file_id: str) -> str:
        return f"client.datasets.get({file_id!r}) until its state is 'READY' (or its status is not OK, the verdict)"

    def job_call(self, request: Mapping[str, Any]) -> str:
        arguments = {k: v for k, v in request.items() if k != "collection"}
        return call_text(f"client.{request['collection']}.create", arguments)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def _words(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(exc)
