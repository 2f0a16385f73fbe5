"""Talking to a provider through its SDK: errors as sentences, replies checked, requests sent once.

The SDKs prep drives (``openai``, ``together``, ``fireworks-ai``) share one
generated core (Stainless): the same error classes (``status_code``, ``body``,
``APITimeoutError``, ``APIConnectionError``) and the same ``with_options``.
Every call goes through `service_call`, which turns the SDK's errors (raised
after its own retries) and replies it cannot parse into one `PublishError`
holding the service's own words, with every secret removed; `expect` refuses a
parsed reply without the fields prep uses (an HTML page, ``{}``, ``null``).
Requests that create something (an upload, a job) are sent once, without the
SDK's automatic retries (`no_retry`): what an unanswered one made is looked up
before anything is sent again (each adapter of `.providers` knows how).
`OpenAIClient` is what the OpenAI adapter uses of ``openai.OpenAI``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, Protocol, TypeVar, cast

from ..errors import PublishError

__all__ = [
    "SDK_MODULES",
    "FilesAPI",
    "FineTuningAPI",
    "JobsAPI",
    "OpenAIClient",
    "redact",
    "service_call",
]

#: Seconds of clock difference allowed between this machine and the service.
CLOCK_SLACK = 120
#: The packages whose errors are a provider's answer (or its absence): the SDKs, and httpx under them
#: (the SDKs' own uploads to signed URLs raise httpx's errors).
SDK_MODULES = ("openai", "together", "fireworks", "httpx")
_Client = TypeVar("_Client")
_KEYISH = re.compile(r"\b(sk|sess|org|proj)-[A-Za-z0-9_*\-]{8,}|\b(tgp_v1|fw)_[A-Za-z0-9_*\-]{8,}")


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
    return _KEYISH.sub(lambda m: f"{m.group(1)}-***" if m.group(1) else f"{m.group(2)}_***", text)


def snippet(value: Any, limit: int = 80) -> str:
    """A short, one-line picture of a reply, for a message."""
    if hasattr(value, "model_dump"):  # an SDK object: the fields the reply held
        value = value.model_dump(exclude_unset=True)
    text = value if isinstance(value, str) else json.dumps(value, default=repr)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def from_sdk(exc: BaseException) -> bool:
    """Whether ``exc`` comes from an SDK prep drives (`SDK_MODULES`)."""
    return type(exc).__module__.partition(".")[0] in SDK_MODULES


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an SDK error (httpx's own errors carry it on their response)."""
    status = getattr(exc, "status_code", None)
    if status is None and type(exc).__name__ == "HTTPStatusError":
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def _service_words(exc: Exception) -> str:
    """The service's own message from an SDK error, else the error's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):  # {"error": {"message": ...}}
        body = body["error"]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        words = body["message"]
        code = body.get("code")
        return f"{words} (code {code})" if code else words
    return str(exc) or type(exc).__name__


def describe(exc: Exception) -> str:
    status = status_of(exc)
    if status is not None:
        return f"HTTP {status}: {_service_words(exc)}"
    name = type(exc).__name__
    if name == "APITimeoutError":
        return "the service did not answer in time (--timeout)"
    if name == "APIConnectionError":
        return f"{exc} (the service could not be reached)"
    if type(exc).__module__.startswith("httpx"):
        return f"{name}: {exc} (the connection failed)"
    if not from_sdk(exc):
        return f"the service's reply could not be read ({name}: {snippet(str(exc))})"
    return _service_words(exc)


def failure_kind(exc: BaseException) -> str:
    """What a failed request that creates something tells about it.

    ``refused`` (a 4xx: not carried out), ``busy`` (408, 429: not carried out,
    send again later), ``timeout`` (no answer in time: it may still be carried
    out), ``unknown`` (no answer, or a 5xx: it may have been carried out).
    Anything else is not the SDK's and is raised again.
    """
    if isinstance(exc, Refused):
        return "refused"
    if isinstance(exc, MalformedReply):
        return "unknown"
    status = status_of(exc)
    if status is not None:
        return "busy" if status in (408, 429) else "refused" if status < 500 else "unknown"
    name = type(exc).__name__
    if name in ("APITimeoutError", "ReadTimeout", "WriteTimeout"):
        return "timeout"
    if from_sdk(exc) or isinstance(exc, REPLY_ERRORS):
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
        if not (from_sdk(exc) or isinstance(exc, REPLY_ERRORS)):
            raise
        message = f"{step} failed: {describe(exc)}"
        if hint:
            message += ("" if message.endswith(".") else ".") + " " + hint
        raise PublishError(redact(message, secrets)) from None


class Refused(PublishError):
    """A request the SDK or the service refused before doing anything (its own checks): not sent again."""


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


def no_retry(client: _Client) -> _Client:
    """The client with the SDK's automatic retries off (for requests that must not run twice)."""
    with_options = getattr(client, "with_options", None)
    return cast("_Client", with_options(max_retries=0)) if callable(with_options) else client


def is_not_found(exc: BaseException) -> bool:
    return status_of(exc) == 404


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


def now() -> float:
    return time.time()
