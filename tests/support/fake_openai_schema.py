"""OpenAI JSON shapes and request checks shared by the fake server's modules."""

from __future__ import annotations

import secrets
import time
from copy import deepcopy
from typing import Any

JSON = dict[str, Any]

# What each retrieve of a job moves it to, and the event OpenAI logs on the way.
JOB_STEPS = {
    "validating_files": "Validating training file",
    "queued": "Files validated, moving job to queued state",
    "running": "Fine-tuning job started",
}
TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
AUTO_HYPERPARAMETERS: JSON = dict.fromkeys(("batch_size", "learning_rate_multiplier", "n_epochs"), "auto")
# OpenAI's result file: this CSV, base64-encoded (empty cells where no validation ran).
RESULTS_CSV = (
    b"step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n"
    b"1,1.52,0.41,,\n"
    b"2,1.13,0.55,,\n"
    b"3,0.87,0.68,0.95,0.66\n"
)


class ApiError(Exception):
    """An HTTP error reply, body `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        error = {"message": message, "type": kind, "param": param, "code": code}
        self.body: JSON = {"error": error}


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(12)}"


def page(items: list[JSON], query: dict[str, str], default_limit: int) -> JSON:
    """A cursor page of `items` (in listing order); `after` is an item id."""
    ids = [item["id"] for item in items]
    start = ids.index(query["after"]) + 1 if query.get("after") in ids else 0
    end = start + int(query.get("limit", default_limit))
    data = items[start:end]
    return {
        "object": "list",
        "data": data,
        "has_more": end < len(items),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def metadata_filter(query: dict[str, str]) -> dict[str, str]:
    """The `metadata[k]=v` query parameters as {k: v}."""
    keys = (k for k in query if k.startswith("metadata[") and k.endswith("]"))
    return {k[len("metadata[") : -1]: query[k] for k in keys}


def check_metadata(metadata: object) -> None:
    """OpenAI's limits: at most 16 pairs, keys up to 64 and values up to 512 chars."""
    if metadata is None:
        return
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise ApiError(400, "metadata: at most 16 key-value pairs", param="metadata")
    for key, value in metadata.items():
        if len(key) > 64 or not isinstance(value, str) or len(value) > 512:
            raise ApiError(400, f"metadata: invalid entry {key!r}", param="metadata")


def check_required(body: JSON, *names: str) -> None:
    for name in names:
        if not body.get(name):
            message = f"Missing required parameter: '{name}'."
            raise ApiError(400, message, param=name, code="missing_required_parameter")


def resolve_method(body: JSON) -> tuple[JSON, JSON]:
    """The job's `method` with hyperparameters filled in, and the hyperparameters."""
    method = deepcopy(body.get("method") or {"type": "supervised"})
    section = method.get(method["type"]) or {}
    hyper = {
        **AUTO_HYPERPARAMETERS,
        **(body.get("hyperparameters") or {}),
        **(section.get("hyperparameters") or {}),
    }
    method[method["type"]] = {**section, "hyperparameters": hyper}
    return method, hyper


def event(message: str, level: str = "info", data: JSON | None = None) -> JSON:
    return {
        "id": new_id("ftevent"),
        "object": "fine_tuning.job.event",
        "created_at": int(time.time()),
        "level": level,
        "message": message,
        "type": "message" if data is None else "metrics",
        "data": data or {},
    }
