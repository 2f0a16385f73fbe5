"""The upload step: each file uploaded once, exactly as checked, and processed by the service.

The ledger's ``uploads`` entry moves ``started`` -> ``uploaded`` -> ``processed``
(or ``error``). The upload is sent once (no automatic retry); when its reply is
lost, the file is looked up by name, size and time (`service.find_orphan`)
before anything is sent again, now or by the next run. The bytes sent are
hashed as they go out: a file that changed since it was checked is deleted
from the service and refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import PublishError
from . import service
from .ledger import Ledger
from .service import expect, redact
from .session import Session
from .types import PublishedFile

__all__ = ["upload_file"]


def upload_file(s: Session, f: PublishedFile, *, verify: bool) -> None:
    """Make sure ``f`` is uploaded and processed; ``verify``: check that a recorded upload still exists."""
    key = Ledger.upload_key(f.sha256, s.base)
    entry = s.ledger.get("uploads", key) or {}
    if entry.get("state") == "processed" and (not verify or _still_there(s, entry["file_id"])):
        f.file_id, f.status = entry["file_id"], "processed"
        s.emit("upload", f"{f.path}: already uploaded as {f.file_id} (ledger)", file_id=f.file_id)
        return
    file_id = entry.get("file_id") if entry.get("state") == "uploaded" else None
    if file_id is None and entry.get("state") == "started":
        file_id = _adopt(s, f, entry)
    if file_id is None:
        _send(s, f, key)
    else:
        _wait_processed(s, f, key, file_id)


def _still_there(s: Session, file_id: str) -> bool:
    """Whether an uploaded file still exists (a job is about to use it)."""
    try:
        with s.waiting(f"Checking {file_id}"):
            s.api.files.retrieve(file_id)
    except Exception as exc:
        if service.is_not_found(exc):
            s.emit("upload", f"{file_id} no longer exists on the service; uploading again")
            return False
        with s.call(f"Checking {file_id}"):
            raise
    return True


def _adopt(s: Session, f: PublishedFile, entry: Mapping[str, Any]) -> str | None:
    """The upload of an interrupted publish (its reply was never recorded), if the service has it."""
    try:
        with s.call(f"Looking for the upload of {f.path}"):
            found = service.find_orphan(s.api, filename=f.path.name, size=f.size, since=entry.get("started_ts", 0))
    except PublishError as exc:
        s.emit("upload", f"{f.path}: cannot look for an earlier upload ({exc}); uploading again")
        return None
    if found:
        s.emit("upload", f"{f.path}: found the upload of the interrupted publish, {found}", file_id=found)
    return found


def _send(s: Session, f: PublishedFile, key: str) -> None:
    started = service.now()
    s.ledger.update(
        "uploads",
        key,
        state="started",
        sha256=f.sha256,
        base_url=s.base,
        file=f.path.name,
        bytes=f.size,
        purpose="fine-tune",
        started_ts=started,
        file_id=None,
    )
    step = f"Uploading {f.path}"
    s.emit("upload", f"{f.path}: uploading {f.size:,} bytes")

    def send() -> tuple[Any, service.HashingReader]:
        obj, sent = service.upload(s.api, f.path)
        return expect(obj, step, "file", "id"), sent

    reply, found = s.send_once(step, send, lambda: _adopt(s, f, {"started_ts": started}), _forget(s, key))
    if found:
        _wait_processed(s, f, key, reply)
        return
    obj, sent = reply
    file_id = str(obj.id)
    f.uploaded = True
    if sent.sha256 != f.sha256:
        _refuse_changed(s, f, key, file_id)
    s.ledger.update("uploads", key, state="uploaded", file_id=file_id, status=getattr(obj, "status", None))
    s.emit("upload", f"{f.path}: uploaded as {file_id}", file_id=file_id)
    _wait_processed(s, f, key, file_id, obj)


def _forget(s: Session, key: str) -> Callable[[str], None]:
    """A refused upload made nothing: its ledger entry goes."""
    return lambda message: s.ledger.remove("uploads", key)


def _refuse_changed(s: Session, f: PublishedFile, key: str, file_id: str) -> None:
    with contextlib.suppress(Exception):
        s.api.files.delete(file_id)
    s.ledger.remove("uploads", key)
    raise PublishError(
        f"{f.path} changed after it was checked (the bytes sent are not the ones checked); "
        f"the upload {file_id} was deleted. Run again to check and publish the file as it is now."
    )


def _wait_processed(s: Session, f: PublishedFile, key: str, file_id: str, obj: Any = None) -> None:
    step = f"Waiting for {file_id} ({f.path}) to be processed"
    with s.call(step):
        obj = obj if getattr(obj, "status", None) else expect(s.api.files.retrieve(file_id), step, "file", "id")
        obj = service.wait_processed(s.api, obj, poll_interval=s.poll_interval, timeout=s.file_timeout, sleep=s.sleep)
    if obj.status != "processed":
        details = getattr(obj, "status_details", None) or f"status {obj.status!r}"
        s.ledger.update("uploads", key, state="error", file_id=file_id, status=obj.status, status_details=details)
        raise PublishError(redact(f"The service could not process {f.path} ({file_id}): {details}", s.secrets))
    s.ledger.update("uploads", key, state="processed", file_id=file_id, status="processed")
    f.file_id, f.status = file_id, "processed"
    s.emit("upload", f"{f.path}: {file_id} processed", file_id=file_id)
