"""What every provider adapter gives the publish steps: the `Provider` Protocol and the values it returns.

An adapter wraps one SDK's client; the steps (`..uploads`, `..jobstep`) call
only these methods, so "how Together does it" never appears in a step. Every
method is one or a few SDK calls made once, with the SDK's automatic retries
off where the call creates something; errors are the SDK's own (the steps
turn them into sentences, `..service`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ...targets.profile import PublishSettings, Target
from ..jobs import JobSpec, WandbIntegration
from ..types import PublishedFile

__all__ = ["KEY_PLACEHOLDER", "Provider", "RemoteFile", "RemoteJob", "Upload", "rehash", "with_key"]

#: Where the W&B key goes in a job request as recorded and printed; replaced by the key only as it is sent.
KEY_PLACEHOLDER = "<WANDB_API_KEY>"


@dataclass(frozen=True)
class RemoteFile:
    """An uploaded file as the provider sees it.

    ``state``: "pending" (still being processed), "ready", "invalid" (the
    provider's verdict on the data, in ``words``) or "failed" (processing
    failed for another reason, in ``words``).
    """

    id: str
    state: str
    words: str | None = None
    size: int | None = None
    status: str | None = None  # the provider's own word for the state


@dataclass(frozen=True)
class Upload:
    """What an upload made, and the SHA-256 of the bytes it sent (None: the SDK read the file itself)."""

    file: RemoteFile
    sent_sha256: str | None


@dataclass(frozen=True)
class RemoteJob:
    """A fine-tuning job: the provider's ``status``, and prep's reading of it."""

    id: str
    status: str
    done: bool = False
    succeeded: bool = False
    model: str | None = None
    error: str | None = None


class Provider(Protocol):
    """One target's SDK client, as the publish steps use it."""

    target: Target
    settings: PublishSettings
    base_url: str  # canonical (`..ledger.canonical_base_url`), the ledger's key
    max_retries: int  # how often a creating request is sent again after no answer (`..session.Session.send_once`)
    syncs: bool  # whether W&B's WandbLogger.sync can run for its jobs (it reads OpenAI's jobs API)
    sync_client: Any | None  # the client WandbLogger.sync is given (None in a dry run, or where it cannot run)

    def upload(self, f: PublishedFile) -> Upload: ...
    def find_upload(self, f: PublishedFile, *, since: float) -> str | None: ...
    def get_file(self, file_id: str) -> RemoteFile: ...
    def delete_file(self, file_id: str) -> None: ...
    def job_request(
        self,
        spec: JobSpec,
        *,
        training_file: str,
        validation_file: str | None,
        metadata: Mapping[str, str],
        attempt: str,
    ) -> dict[str, Any]: ...
    def create_job(self, request: Mapping[str, Any]) -> RemoteJob: ...
    def find_job(self, request: Mapping[str, Any], *, since: float, known: set[str]) -> RemoteJob | None: ...
    def get_job(self, job_id: str) -> RemoteJob: ...
    def job_events(self, job_id: str, seen: set[str]) -> list[str]: ...
    def upload_call(self, f: PublishedFile) -> str: ...
    def wait_call(self, file_id: str) -> str: ...
    def job_call(self, request: Mapping[str, Any]) -> str: ...


def rehash(path: Path) -> str:
    """The SHA-256 of ``path`` as it is now (after an SDK that reads the file itself has sent it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def with_key(value: Any, key: str | None) -> Any:
    """``value`` with every `KEY_PLACEHOLDER` replaced by ``key`` (a copy; only what is sent holds the key)."""
    if isinstance(value, Mapping):
        return {k: with_key(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [with_key(v, key) for v in value]
    return key if value == KEY_PLACEHOLDER else value


def wandb_fields(integration: WandbIntegration | None, names: Mapping[str, str]) -> dict[str, Any]:
    """The job's W&B options under the SDK's ``names`` (project, entity, name, key), the key as a placeholder."""
    if integration is None:
        return {}
    values = {"project": integration.project, "entity": integration.entity, "name": integration.name}
    out = {names[k]: v for k, v in values.items() if v and k in names}
    out[names["key"]] = KEY_PLACEHOLDER
    return out


def call_text(name: str, arguments: Mapping[str, Any]) -> str:
    """``name(key=value, ...)`` with Python literals, for a dry run."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"
