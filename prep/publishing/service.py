"""Talking to an OpenAI-compatible service: the client Protocols, errors, uploads, polling.

The client is injected: the official ``openai.OpenAI`` / ``openai.AzureOpenAI``
satisfy `OpenAIClient`, and so does any object with the same methods. Every
call goes through `service_call`, which turns the SDK's errors (raised after
its own retries) and replies it cannot parse into one `PublishError` holding
the service's own words, with every secret removed; `expect` refuses a parsed
reply without the fields prep uses (an HTML page, ``{}``, ``null``). Requests
that create something (an upload, a job) are sent once, without the SDK's
automatic retries (`no_retry`): what an unanswered one made is looked up
(`find_orphan`, `listed`) before anything is sent again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol

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
#: Pages of a listing read when looking for what an interrupted publish made.
MAX_PAGES = 20
#: Seconds of clock difference allowed between this machine and the service.
CLOCK_SLACK = 120
_KEYISH = re.compile(r"\b(sk|sess|org|proj)-[A-Za-z0-9_*\-]{8,}")


class FilesAPI(Protocol):
    def create(self, *, file: Any, purpose: Any) -> Any: ...
    def retrieve(self, file_id: str) -> Any: ...
    def list(self, **kwargs: Any) -> Any: ...
    def delete(self, file_id: str) -> Any: ...


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
    """``text`` without any of the given secrets (whatever their length) and without anything shaped like a key."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return _KEYISH.sub(lambda m: f"{m.group(1)}-***", text)


def snippet(value: Any, limit: int = 80) -> str:
    """A short, one-line picture of a reply, for a message."""
    if hasattr(value, "model_dump"):  # an SDK object: the fields the reply held
        value = value.model_dump(exclude_unset=True)
    text = value if isinstance(value, str) else json.dumps(value, default=repr)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    name = type(exc).__name__
    if name == "APITimeoutError":
        return "the service did not answer in time (--timeout)"
    if name == "APIConnectionError":
        return f"{exc} (the service could not be reached)"
    if not type(exc).__module__.startswith("openai"):
        return f"the service's reply could not be read ({name}: {snippet(str(exc))})"
    return _service_words(exc)


def failure_kind(exc: BaseException) -> str:
    """What a failed request that creates something tells about it.

    ``refused`` (a 4xx: not carried out), ``busy`` (408, 429: not carried out,
    send again later), ``timeout`` (no answer in time: it may still be carried
    out), ``unknown`` (no answer, or a 5xx: it may have been carried out).
    Anything else is not the SDK's and is raised again.
    """
    if isinstance(exc, MalformedReply):
        return "unknown"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return "busy" if status in (408, 429) else "refused" if status < 500 else "unknown"
    name = type(exc).__name__
    if name == "APITimeoutError":
        return "timeout"
    if type(exc).__module__.startswith("openai") or isinstance(exc, REPLY_ERRORS):
        return "unknown"
    raise exc


def retry_delay(exc: BaseException, attempt: int) -> float:
    """Seconds before sending again: the service's ``retry-after(-ms)``, else 0.5 s doubling, at most 8 s."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            delay = float(str(headers.get(name))) / scale
        except (TypeError, ValueError):
            continue
        if 0 <= delay <= 60:
            return delay
    return float(min(0.5 * 2**attempt, 8.0))


#: What the SDK raises, besides its own errors, on a reply it cannot parse (HTML, a JSON list...).
REPLY_ERRORS = (ValueError, AttributeError, TypeError, KeyError)


@contextmanager
def service_call(step: str, *, secrets: tuple[str, ...] = (), hint: str = "") -> Iterator[None]:
    """Turn an SDK error during ``step`` into a `PublishError` with the service's words.

    Keep the block to SDK calls: a `ValueError`, `AttributeError`, `TypeError`
    or `KeyError` raised in it is taken for a reply the SDK could not parse.
    """
    try:
        yield
    except PublishError:
        raise
    except Exception as exc:
        if not (type(exc).__module__.startswith("openai") or isinstance(exc, REPLY_ERRORS)):
            raise
        message = f"{step} failed: {describe(exc)}"
        if hint:
            message += ("" if message.endswith(".") else ".") + " " + hint
        raise PublishError(redact(message, secrets)) from None


class MalformedReply(PublishError):
    """A reply the SDK parsed, but without what prep needs (an HTML page, ``{}``, ``null``)."""


def expect(reply: Any, step: str, kind: str, *fields: str) -> Any:
    """``reply`` if it has each of ``fields`` as a non-empty string, else a `MalformedReply` saying what came."""
    for name in fields:
        value = getattr(reply, name, None)
        if not isinstance(value, str) or not value:
            raise MalformedReply(
                f"{step} failed: the service's reply is not a {kind} (no {name!r} in {snippet(reply)}); "
                "is the base URL that of an OpenAI-compatible API?"
            )
    return reply


def no_retry(client: OpenAIClient) -> OpenAIClient:
    """The client with the SDK's automatic retries off (for requests that must not run twice)."""
    with_options = getattr(client, "with_options", None)
    return with_options(max_retries=0) if callable(with_options) else client


def is_not_found(exc: BaseException) -> bool:
    return getattr(exc, "status_code", None) == 404


class HashingReader:
    """A binary file read for an upload, hashing exactly the bytes handed out (from the last seek to 0)."""

    def __init__(self, fp: BinaryIO) -> None:
        self._fp = fp
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fp.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._fp.seek(offset, whence)
        if position == 0:
            self._hash, self.size = hashlib.sha256(), 0
        return position

    def tell(self) -> int:
        return self._fp.tell()

    def fileno(self) -> int:
        return self._fp.fileno()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def upload(client: OpenAIClient, path: Path) -> tuple[Any, HashingReader]:
    """Upload ``path`` once (no automatic retry); the reply, and what was sent (its sha256 and size)."""
    with path.open("rb") as fp:
        reader = HashingReader(fp)
        return no_retry(client).files.create(file=(path.name, reader), purpose="fine-tune"), reader


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
        file = expect(client.files.retrieve(file.id), f"Checking {file.id}", "file", "id", "status")
    return file


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


def find_orphan(client: OpenAIClient, *, filename: str, size: int, since: float) -> str | None:
    """A file uploaded by an interrupted publish: same name and size, created since ``since`` (a minute's slack)."""
    page = client.files.list(purpose="fine-tune", order="desc", limit=100)
    for f in listed(page, since=since - CLOCK_SLACK):
        same = getattr(f, "filename", None) == filename and getattr(f, "bytes", None) == size
        if same and getattr(f, "status", None) != "error" and isinstance(getattr(f, "id", None), str):
            return str(f.id)
    return None


def new_events(client: OpenAIClient, job_id: str, seen: set[str]) -> list[Any]:
    """The job's events not seen yet, oldest first."""
    page = client.fine_tuning.jobs.list_events(job_id, limit=100)
    fresh = [e for e in reversed(list(getattr(page, "data", None) or [])) if getattr(e, "id", None) not in seen]
    seen.update(e.id for e in fresh)
    return fresh


def event_text(event: Any) -> str:
    data = getattr(event, "data", None) or {}
    text = str(getattr(event, "message", ""))
    if getattr(event, "type", None) == "metrics" and isinstance(data, dict) and "step" in data:
        extra = ", ".join(f"{k}={v}" for k, v in data.items() if k not in ("step", "total_steps"))
        text = f"step {data['step']}/{data.get('total_steps', '?')}" + (f": {extra}" if extra else "")
    return f"error: {text}" if getattr(event, "level", "info") == "error" else text


def now() -> float:
    return time.time()
