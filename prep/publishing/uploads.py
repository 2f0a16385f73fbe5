"""The upload step: each file uploaded once, exactly as checked, and accepted by the provider.

The ledger's ``uploads`` entry (keyed by target, endpoint and file hash) moves
``started`` -> ``uploaded`` -> ``processed``, or ``invalid`` (the provider's
verdict on the data: Together's ``validation_report``, Fireworks' refused
upload or dataset ``status``, an OpenAI or Azure file in ``error``) or
``error`` (processing failed otherwise). The upload is sent once (no automatic
retry); when its reply is lost, the provider is asked for it
(`Provider.find_upload`) before anything is sent again, now or by the next
run. The bytes sent are hashed (as they go out, or again once the SDK has sent
them): a file that changed since it was checked is deleted from the provider
and refused. A file the provider refuses is deleted from it and `FileRejected`
says why; the same bytes published again meet the recorded verdict, and are
not uploaded again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import PublishError
from . import service
from .ledger import Ledger
from .providers import RemoteFile, Upload
from .service import redact
from .session import Session
from .types import PublishedFile

__all__ = ["FileRejected", "upload_file"]


class FileRejected(PublishError):
    """The provider's verdict: ``file`` cannot be trained on, in the provider's own ``words``."""

    def __init__(self, file: PublishedFile, words: str, *, known: bool = False) -> None:
        super().__init__(f"{file.path}: refused by the provider: {words}")
        self.file = file
        self.words = words
        self.known = known  # from the ledger: the same bytes were refused before


def upload_file(s: Session, f: PublishedFile, *, verify: bool) -> None:
    """Make sure ``f`` is uploaded and accepted; ``verify``: check that a recorded upload still exists."""
    key = Ledger.upload_key(f.sha256, s.base, s.target)
    entry = s.ledger.find("uploads", key, Ledger.upload_key(f.sha256, s.base)) or {}
    if entry.get("state") == "invalid":
        s.emit("upload", f"{f.path}: refused before with the same bytes (ledger); not uploaded again")
        raise FileRejected(f, str(entry.get("status_details")), known=True)
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
        _wait_accepted(s, f, key, RemoteFile(file_id, "pending"))


def _still_there(s: Session, file_id: str) -> bool:
    """Whether an uploaded file still exists (a job is about to use it)."""
    try:
        with s.waiting(f"Checking {file_id}"):
            s.api.get_file(file_id)
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
            found = s.api.find_upload(f, since=entry.get("started_ts", 0))
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
        target=s.target,
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
    reply, found = s.send_once(
        step, lambda: s.api.upload(f), lambda: _adopt(s, f, {"started_ts": started}), _forget(s, key)
    )
    if found:
        _wait_accepted(s, f, key, RemoteFile(reply, "pending"))
        return
    upload: Upload = reply
    remote = upload.file
    if not remote.id:  # refused by the SDK's own check: nothing was sent
        _reject(s, f, key, remote)
    f.uploaded = True
    if upload.sent_sha256 is not None and upload.sent_sha256 != f.sha256:
        _refuse_changed(s, f, key, remote.id)
    s.ledger.update("uploads", key, state="uploaded", file_id=remote.id, status=remote.state)
    s.emit("upload", f"{f.path}: uploaded as {remote.id}", file_id=remote.id)
    _wait_accepted(s, f, key, remote)


def _forget(s: Session, key: str) -> Callable[[str], None]:
    """A refused upload made nothing: its ledger entry goes."""
    return lambda message: s.ledger.remove("uploads", key)


def _refuse_changed(s: Session, f: PublishedFile, key: str, file_id: str) -> None:
    with contextlib.suppress(Exception):
        s.api.delete_file(file_id)
    s.ledger.remove("uploads", key)
    raise PublishError(
        f"{f.path} changed after it was checked (the bytes sent are not the ones checked); "
        f"the upload {file_id} was deleted. Run again to check and publish the file as it is now."
    )


def _wait_accepted(s: Session, f: PublishedFile, key: str, remote: RemoteFile) -> None:
    """Poll the file until the provider has a verdict: first at once, then every ``poll_interval`` s (at most 5)."""
    step = f"Waiting for {remote.id} ({f.path}) to be processed"
    interval, waited = min(s.poll_interval, 5.0), 0.0
    with s.call(step):
        while remote.state == "pending":
            if waited:
                s.sleep(interval)
            if waited >= s.file_timeout:
                still = repr(remote.status) if remote.status else "being processed"
                raise PublishError(
                    f"File {remote.id} is still {still} after {s.file_timeout:.0f} s; run again to keep waiting."
                )
            waited += interval or 1e-9
            remote = s.api.get_file(remote.id)
    if remote.state == "invalid":
        _reject(s, f, key, remote)
    if remote.state != "ready":
        details = remote.words or f"state {remote.state!r}"
        s.ledger.update("uploads", key, state="error", file_id=remote.id, status=remote.state, status_details=details)
        raise PublishError(redact(f"The service could not process {f.path} ({remote.id}): {details}", s.secrets))
    s.ledger.update("uploads", key, state="processed", file_id=remote.id, status="processed")
    f.file_id, f.status = remote.id, "processed"
    s.emit("upload", f"{f.path}: {remote.id} processed", file_id=remote.id)


def _reject(s: Session, f: PublishedFile, key: str, remote: RemoteFile) -> None:
    """The provider refused the data: record its words, delete what it holds, raise `FileRejected`."""
    words = redact(remote.words or "refused without a reason", s.secrets)
    s.ledger.update("uploads", key, state="invalid", file_id=remote.id or None, status="invalid", status_details=words)
    if remote.id:
        with contextlib.suppress(Exception):
            s.api.delete_file(remote.id)
    f.status = "invalid"
    s.emit("upload", f"{f.path}: refused by {s.api.target.provider}: {words}")
    raise FileRejected(f, words)
