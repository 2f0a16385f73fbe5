"""Records as plain JSON values, without importing pydantic (``prep check`` stays light)."""

from __future__ import annotations

from typing import Any

__all__ = ["as_dict"]


def as_dict(record: Any) -> Any:
    """A record as the JSON value the service receives (fields never set are left out).

    A pydantic record is dumped; anything else (a dict already) is returned as it is.
    """
    dump = getattr(record, "model_dump", None)
    return dump(mode="json", exclude_unset=True, by_alias=True) if callable(dump) else record
