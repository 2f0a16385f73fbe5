"""JSON Schemas generated from the records and from the JSON report's models.

``prep schema --write schemas/`` regenerates ``schemas/``; a test fails when the
committed files drift from the models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .models import ChatRecord, CompletionRecord, PreferenceRecord, ReinforcementRecord, TextRecord
from .nova import NovaPreferenceRecord, NovaRecord
from .trl import TrlChatRecord, TrlPreferenceRecord
from .vertex import VertexPreferenceRecord, VertexRecord, VertexReinforcementRecord

__all__ = ["JsonReport", "build_schemas", "stale_schemas", "write_schemas"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JsonIssue(_Strict):
    code: str = Field(pattern=r"^P[1-4]\d\d$", description="Stable issue code; see the README's table.")
    severity: Literal["error", "warning", "info"]
    line: int | None = Field(description="1-based line (sheet row for spreadsheets); null for the whole file.")
    pointer: str = Field(description="RFC 6901 JSON pointer into the example; empty for the whole example.")
    message: str
    index: int | float | str | bool | list[Any] | None = Field(
        default=None, description="The row's index label, when the input was a pandas DataFrame (line is its position)."
    )
    column: str | None = Field(default=None, description="Spreadsheet column, when the input was a table.")
    sheet: str | None = Field(default=None, description="Worksheet name, for XLSX input.")
    targets: list[str] | None = Field(
        default=None, description="When several targets were checked: the targets the issue applies to."
    )


class JsonDistribution(_Strict):
    total: int
    min: int | None
    max: int | None
    mean: float | None
    median: float | None
    p10: float | None
    p90: float | None


class JsonPrice(_Strict):
    """A model's training price from its target profile; every price field is null when no source gives one."""

    model: str
    method: Literal["supervised", "dpo", "reinforcement"] | None
    usd: float | None = Field(description="US dollars per `per`, or null: unknown.")
    per: Literal["1M tokens", "hour"] | None
    cost_usd: float | None = Field(description="trained_tokens x the price per token; null when priced per hour.")
    source: str | None = Field(description="Where the price was read.")
    date: str | None = Field(description="The day the source gave it (YYYY-MM-DD).")


class JsonEstimate(_Strict):
    epochs: int = Field(description="Given with --epochs, else OpenAI's default-epoch heuristic.")
    billed_tokens: int = Field(description="Per epoch: the sum over examples of min(limit, tokens).")
    trained_tokens: int = Field(description="epochs x billed_tokens.")
    prices: list[JsonPrice] = Field(
        description="The --model's price, or each current model's that the default limit covers; empty: unknown."
    )


class JsonTruncation(_Strict):
    """What the limit cuts over the file; measured when examples are counted with their model's own tokenizer."""

    examples_over_limit: int
    examples_losing_trained: int = Field(description="Examples over the limit that lose trained tokens (P307, P306).")
    examples_losing_all: int = Field(description="Examples that keep no trained token: they train on nothing (P306).")
    trained_tokens: int = Field(description="Trained (assistant) tokens of the file, before the cut.")
    trained_tokens_lost: int = Field(description="Trained tokens past the limit, over the file.")
    trained_share_lost: float = Field(description="trained_tokens_lost / trained_tokens (0 when nothing is trained).")
    examples_estimated: int = Field(
        description="Examples whose count is an estimate (images not counted, turn bounds estimated)."
    )


class JsonStats(_Strict):
    model: str | None = Field(description="The --model, or null for the default limit.")
    encoding: str = Field(description="The tiktoken encoding that counts when no model tokenizer does.")
    tokenizer: str | None = Field(
        description="The model's own tokenizer that counted (hf:..., mistral:..., harmony), or null: the encoding."
    )
    counted_with: str = Field(description="What counted, in words.")
    exact: bool = Field(description="False when the counts only estimate what the provider or trainer counts.")
    estimate_reason: str | None = Field(description="Why the counts are estimates, when the profile or prep knows.")
    token_limit: int
    limit_source: Literal["model", "max_seq_length"] = Field(
        description="Where the limit comes from: the model (or --token-limit), or a trainer's --max-seq-length."
    )
    default_limit: bool = Field(description="True when no model was given and the safe default limit applied.")
    tokens: JsonDistribution
    assistant_tokens: JsonDistribution = Field(description="Trained tokens per example (weight 0 excluded).")
    messages: JsonDistribution
    over_limit: int
    without_system: int
    without_user: int
    estimate: JsonEstimate
    truncation: JsonTruncation | None = Field(
        description="What the limit cuts; null when counted with tiktoken (OpenAI's framing has no turn bounds)."
    )


class JsonFile(_Strict):
    path: str
    format: (
        Literal[
            "chat",
            "completion",
            "preference",
            "reinforcement",
            "text",
            "vertex",
            "vertex-preference",
            "vertex-reinforcement",
            "nova",
            "nova-preference",
            "trl-preference",
        ]
        | None
    )
    method: Literal["supervised", "dpo", "reinforcement"] | None
    examples: int
    ok: bool
    errors: int
    warnings: int
    infos: int
    omitted: int = Field(description="Issues found but not listed (--max-issues or the kept-issue cap).")
    issues: list[JsonIssue]
    stats: JsonStats | None


class JsonSummary(_Strict):
    files: int
    examples: int
    errors: int
    warnings: int
    infos: int


class JsonPlace(_Strict):
    path: str | None
    line: int | None = Field(description="null for an issue about the whole file.")


class JsonCode(_Strict):
    """One issue code over every file checked (``prep check --statistics`` in text)."""

    code: str = Field(pattern=r"^P\d{3}$")
    severity: Literal["error", "warning", "info"]
    count: int = Field(description="Issues of this code found, listed or not (exact).")
    files: int = Field(description="Files holding at least one.")
    summary: str = Field(description="What the code means (the README's table).")
    first: list[JsonPlace] = Field(description="Where the first few are, in file order.")


class JsonVerdict(_Strict):
    """What one target makes of the files: it accepts them when it finds no error."""

    name: str
    title: str
    status: str = Field(description="The target's status: active, winding down, ...")
    ok: bool
    errors: int
    warnings: int
    codes: dict[str, int] = Field(description="Issue counts by code, over the files.")
    notice: str | None = Field(description="The dates ahead (new jobs, shutdown), in one sentence.")


class JsonReport(_Strict):
    """The report printed by ``prep check --format json``."""

    version: Literal[1]
    ok: bool
    status: Literal["ok", "fail"]
    target: str
    tokens_checked: bool
    tokenizer_error: str | None
    summary: JsonSummary
    codes: list[JsonCode] = Field(description="Counts per issue code: errors first, then the most frequent.")
    files: list[JsonFile]
    targets: list[JsonVerdict] = Field(description="One verdict per target checked (--target a,b,...).")


_MODELS: dict[str, type[BaseModel]] = {
    "chat.schema.json": ChatRecord,
    "completion.schema.json": CompletionRecord,
    "preference.schema.json": PreferenceRecord,
    "reinforcement.schema.json": ReinforcementRecord,
    "text.schema.json": TextRecord,
    "vertex.schema.json": VertexRecord,
    "vertex-preference.schema.json": VertexPreferenceRecord,
    "vertex-reinforcement.schema.json": VertexReinforcementRecord,
    "nova.schema.json": NovaRecord,
    "nova-preference.schema.json": NovaPreferenceRecord,
    "trl.schema.json": TrlChatRecord,
    "trl-preference.schema.json": TrlPreferenceRecord,
    "report.schema.json": JsonReport,
}


def build_schemas() -> dict[str, dict[str, Any]]:
    """Each schema file's name and content, generated from the models."""
    out = {}
    for name, model in _MODELS.items():
        schema = model.model_json_schema()
        out[name] = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return out


def _render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: str | os.PathLike[str]) -> list[Path]:
    """Write every schema into ``folder`` (atomically); return the paths written."""
    from ..io import atomic_write_text

    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in build_schemas().items():
        paths.append(atomic_write_text(Path(folder) / name, _render(schema)))
    return paths


def stale_schemas(folder: str | os.PathLike[str]) -> list[str]:
    """Names of the schema files in ``folder`` that differ from the models."""
    stale = []
    for name, schema in build_schemas().items():
        path = Path(folder) / name
        if not path.is_file() or path.read_text(encoding="utf-8") != _render(schema):
            stale.append(name)
    return stale
