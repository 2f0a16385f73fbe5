"""The options of a check, in one typed, immutable object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..reading.jsonl import DEFAULT_MAX_LINE_BYTES
from ..targets.profile import DataFormat, Method

if TYPE_CHECKING:
    from ..reading.table import TableOptions

__all__ = ["CheckOptions"]


@dataclass(frozen=True)
class CheckOptions:
    """Everything that changes what `check` reports."""

    target: str = "openai"  # a profile, several separated by commas ("openai,azure"), "all", or a .toml path
    method: Method | None = None
    data_format: DataFormat | None = None
    model: str | None = None
    encoding: str | None = None
    token_limit: int | None = None
    tokenizer: str | None = None  # a model's own: hf:ORG/NAME or a folder, mistral:NAME, harmony
    chat_template: str | None = None  # a .jinja file replacing the model's chat template (TRL's training templates)
    max_seq_length: int | None = None  # a trainer's maximum sequence length: the limit, and what it cuts
    allow_download: bool = False  # fetch a hf:ORG/NAME tokenizer missing from the local cache from the Hub
    tokens: bool = True
    stats: bool = True
    tiktoken_dir: str | None = None
    epochs: int | None = None
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    max_issues_per_code: int = 10_000
    ignore: frozenset[str] = frozenset()
    today: dt.date | None = None
    jobs: int | None = None  # worker processes for large files; None: every core
    table: TableOptions | None = None  # how CSV, TSV, XLSX and JSON files become records (prep.conversion.mapping)

    def __post_init__(self) -> None:
        if not isinstance(self.target, str):  # a list of profiles: one verdict each
            object.__setattr__(self, "target", ",".join(self.target))
        for name, kind in (("method", Method), ("data_format", DataFormat)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, kind):
                object.__setattr__(self, name, kind(value))
        object.__setattr__(self, "ignore", frozenset(self.ignore))
