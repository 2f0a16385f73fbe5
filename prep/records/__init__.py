"""Records: the typed shapes of the data formats, and the JSON Schemas generated from them.

- `models`: pydantic models of each format (``prep.records.ChatRecord``, ...),
  imported only when used, so that ``prep check`` never imports pydantic;
- `values`: records as plain JSON values (`as_dict`), without pydantic;
- `schemas`: ``schemas/*.schema.json``, generated from the models and from the
  JSON report's shape (``prep schema --write``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import ChatRecord, CompletionRecord, PreferenceRecord, Record, ReinforcementRecord, TextRecord

__all__ = ["ChatRecord", "CompletionRecord", "PreferenceRecord", "Record", "ReinforcementRecord", "TextRecord"]


def __getattr__(name: str) -> Any:
    """The models, imported from `.models` on first use."""
    if name in __all__:
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
