"""Talking to an OpenAI-compatible service: the client Protocols, errors, uploads, polling.

The client is injected: the official ``openai.OpenAI`` / ``openai.AzureOpenAI``
satisfy `OpenAIClient`, and so does any object with the same methods. Every
call goes through `service_call`, which turns the SDK's errors (raised after
its own retries) into one `PublishError` holding the service's own words, with
anything that looks like an API key removed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from ..errors import PublishError

__all__ = [
    "TERMINAL_JOB_STATUSES",
    "FilesAPI",
    "FineTuningAPI",
    "JobsAPI",
    "OpenAIClient",
    "event_text",
    "redact",
    "service_call",
]

TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
FILE_DONE = frozenset({"processed", "error", "deleted"})
_KEYISH = re.compile(r"\b(sk|sess|org|proj)-[A-Za-z0-9_*\-]{8,}")


class FilesAPI(Protocol):
    def create(self, *, file: Any, purpose: Any) -> Any: ...
    def retrieve(self, file_id: str) -> Any: ...
    def list(self, **kwargs: Any) -> Any: ...


class JobsAPI(Protocol):
    def create(self, **kwargs: Any) -> Any: ...
    def retrieve(self, fine_tuning_job_id: str) -> Any: ...
    def list(self, **kwargs: Any) -> Any: ...
    def list_events(self, fine_tuning_job_id: str, **kwargs: Any) -> Any: ...


class FineTuningAPI(Protocol):
    @property
    def jobs(self) -> JobsAPI: ...


class OpenAIClient(Protocol):
    """What `prep.publish` uses of ``openai.OpenAI`` (or ``openai.AzureOpenAI``)."""

    @property
    def files(self) -> FilesAPI: ...
    @property
    def fine_tuning(self) -> FineTuningAPI: ...
    @property
    def base_url(self) -> Any: ...


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without the given secrets and without anything shaped like an API key."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "***")
    return _KEYISH.sub(lambda m: f"{m.group(1)}-***", text)


def _service_words(exc: Exception) -> str:
    """The service's own message from an SDK error, else the error's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        words = body["message"]
        code = body.get("code")
        return f"{words} (code {code})" if code else words
    return str(exc) or type(exc).__name__


def describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"HTTP {status}: {_service_words(exc)}"
    if type(exc).__name__ in ("APIConnectionError", "APITimeoutError"):
        return f"{exc} (the service could not be reached after retries)"
    return _service_words(exc)


@contextmanager
def service_call(step: str, *, secrets: tuple[str, ...] = (), hint: str = "") -> Iterator[None]:
    """Turn an SDK error during ``step`` into a `PublishError` with the service's words."""
    try:
        yield
    except PublishError:
        raise
    except Exception as exc:
        if not type(exc).__module__.startswith("openai"):
            raise
        message = f"{step} failed: {describe(exc)}"
        if hint:
            message += ("" if message.endswith(".") else ".") + " " + hint
        raise PublishError(redact(message, secrets)) from None


def is_not_found(exc: BaseException) -> bool:
    return getattr(exc, "status_code", None) == 404


def upload(client: OpenAIClient, path: Path) -> Any:
    with path.open("rb") as fp:
        return client.files.create(file=(path.name, fp), purpose="fine-tune")


def wait_processed(
    client: OpenAIClient, file: Any, *, poll_interval: float, timeout: float, sleep: Callable[[float], None]
) -> Any:
    """Poll the file until the service has processed it (or marked it failed).

    The first poll is immediate; then every ``poll_interval`` seconds, at most 5.
    """
    interval, waited = min(poll_interval, 5.0), 0.0
    while getattr(file, "status", None) not in FILE_DONE:
        if waited:
            sleep(interval)
        if waited >= timeout:
            raise PublishError(
                f"File {file.id} is still {file.status!r} after {timeout:.0f} s; run again to keep waiting."
            )
        waited += interval or 1e-9
        file = client.files.retrieve(file.id)
    return file


def find_orphan(client: OpenAIClient, *, filename: str, size: int, since: float) -> str | None:
    """A file uploaded by an interrupted publish: same name and size, created since ``since``."""
    page = client.files.list(purpose="fine-tune", order="desc", limit=100)
    for f in getattr(page, "data", []) or []:
        if f.filename == filename and f.bytes == size and f.created_at >= since - 60 and f.status != "error":
            return str(f.id)
    return None


def new_events(client: OpenAIClient, job_id: str, seen: set[str]) -> list[Any]:
    """The job's events not seen yet, oldest first."""
    page = client.fine_tuning.jobs.list_events(job_id, limit=100)
    fresh = [e for e in reversed(list(page.data)) if e.id not in seen]
    seen.update(e.id for e in fresh)
    return fresh


def event_text(event: Any) -> str:
    data = getattr(event, "data", None) or {}
    text = str(event.message)
    if getattr(event, "type", None) == "metrics" and isinstance(data, dict) and "step" in data:
        extra = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("step", "total_steps"))
        text = f"step {data['step']}/{data.get('total_steps', '?')}" + (f": {extra}" if extra else "")
    return f"error: {text}" if getattr(event, "level", "info") == "error" else text


def now() -> float:
    return time.time()
