"""Records: the typed shapes of the data formats, and the JSON Schemas generated from them.

- `models`: pydantic models of OpenAI's formats (``prep.records.ChatRecord``, ...);
- `vertex`, `nova`, `trl`: those of Gemini tuning on Vertex AI, Bedrock Nova
  and Hugging Face TRL (``prep.records.VertexRecord``, ``NovaRecord``,
  ``TrlChatRecord``, ...);
- `values`: records as plain JSON values (`as_dict`), without pydantic;
- `schemas`: ``schemas/*.schema.json``, generated from the models and from the
  JSON report's shape (``prep schema --write``).

The models are imported only when used, so that ``prep check`` never imports pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import ChatRecord, CompletionRecord, PreferenceRecord, Record, ReinforcementRecord, TextRecord
    from .nova import NovaPreferenceRecord, NovaRecord
    from .trl import TrlChatRecord, TrlPreferenceRecord
    from .vertex import VertexPreferenceRecord, VertexRecord, VertexReinforcementRecord

#: Each public model and the module that defines it.
_HOMES = {
    "ChatRecord": "models",
    "CompletionRecord": "models",
    "PreferenceRecord": "models",
    "Record": "models",
    "ReinforcementRecord": "models",
    "TextRecord": "models",
    "NovaPreferenceRecord": "nova",
    "NovaRecord": "nova",
    "TrlChatRecord": "trl",
    "TrlPreferenceRecord": "trl",
    "VertexPreferenceRecord": "vertex",
    "VertexRecord": "vertex",
    "VertexReinforcementRecord": "vertex",
}

__all__ = [
    "ChatRecord",
    "CompletionRecord",
    "NovaPreferenceRecord",
    "NovaRecord",
    "PreferenceRecord",
    "Record",
    "ReinforcementRecord",
    "TextRecord",
    "TrlChatRecord",
    "TrlPreferenceRecord",
    "VertexPreferenceRecord",
    "VertexRecord",
    "VertexReinforcementRecord",
]


def __getattr__(name: str) -> Any:
    """The models, imported from their module on first use."""
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
