"""The publish ledger: what `prep publish` has already done, so it never does it twice.

One JSON file per data folder, ``<folder of the training file>/.prep/ledger.json``
(``.prep/`` is meant to stay out of version control). Three tables, each entry
keyed by what makes it unique:

* ``uploads``: ``"<target>:<sha256 of the file>@<API base URL>"`` -> the file
  id, its processing state (``started``, ``uploaded``, ``processed``,
  ``invalid``, ``error``) and the service's details;
* ``artifacts``: ``"<target>:<file id>@<base URL>@<entity or ->/<project>"`` ->
  the W&B artifact (name, type, aliases, digest) and the run that logged it;
* ``jobs``: `.jobs.job_key` (job parameters + file hashes + base URL +
  target) -> the job id, its last status, and whether `WandbLogger.sync` ran.

Entries written before keys named the target (``"<sha256>@<base URL>"``...)
are found too, and moved under the new key (`find`).

Every change is written at once, atomically (a temporary file, then a rename),
so a publish stopped at any point resumes from the last step that finished.
The ledger never holds a key: base URLs are stored without user info, query or
fragment (`canonical_base_url`), and nothing else comes from the environment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import PrepError
from ..io import atomic_write_text

__all__ = ["LEDGER_VERSION", "Ledger", "canonical_base_url", "default_ledger_path"]

LEDGER_VERSION = 1
TABLES = ("uploads", "artifacts", "jobs")


def default_ledger_path(train: str | os.PathLike[str]) -> Path:
    """``.prep/ledger.json`` in the training file's folder."""
    return Path(train).resolve().parent / ".prep" / "ledger.json"


def canonical_base_url(url: str) -> str:
    """The base URL as a ledger key: no credentials, query or fragment, no trailing slash."""
    parts = urlsplit(str(url).strip())
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """The ledger file, loaded; `update` writes each change through to disk.

    ``readonly`` (dry runs) keeps every change in memory and never writes.
    """

    def __init__(
        self, path: str | os.PathLike[str], data: dict[str, Any] | None = None, *, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.data: dict[str, Any] = data or {"version": LEDGER_VERSION}
        for table in TABLES:
            self.data.setdefault(table, {})

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> Ledger:
        path = Path(path)
        if not path.exists():
            return cls(path, readonly=readonly)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PrepError(f"Cannot read the publish ledger {path}: {exc}; move it aside to start afresh.") from exc
        if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION:
            raise PrepError(f"{path} is not a version {LEDGER_VERSION} prep ledger; move it aside to start afresh.")
        return cls(path, data, readonly=readonly)

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        entry = self.data[table].get(key)
        return dict(entry) if entry is not None else None

    def update(self, table: str, key: str, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` into an entry (created if new) and save."""
        entry = self.data[table].setdefault(key, {})
        entry.update(fields, updated_at=now())
        self.save()
        return dict(entry)

    def find(self, table: str, key: str, legacy: str) -> dict[str, Any] | None:
        """The entry under ``key``, else the one under its older form ``legacy``, moved to ``key``."""
        if key not in self.data[table] and legacy in self.data[table]:
            self.data[table][key] = self.data[table].pop(legacy)
            self.save()
        return self.get(table, key)

    def remove(self, table: str, key: str) -> None:
        if self.data[table].pop(key, None) is not None:
            self.save()

    def save(self) -> None:
        if self.readonly:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n")

    @staticmethod
    def upload_key(sha256: str, base_url: str, target: str | None = None) -> str:
        """``target`` None: the older key, without it."""
        return f"{target + ':' if target else ''}{sha256}@{canonical_base_url(base_url)}"

    @staticmethod
    def artifact_key(file_id: str, base_url: str, entity: str | None, project: str, target: str | None = None) -> str:
        return f"{target + ':' if target else ''}{file_id}@{canonical_base_url(base_url)}@{entity or '-'}/{project}"
