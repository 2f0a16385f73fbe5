"""The options of a conversion besides checking (those are a `prep.CheckOptions`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import UsageError
from ..reading.table import FileType, TableOptions
from ..targets.profile import DataFormat

__all__ = ["CONVERSION_TARGETS", "ConvertOptions"]

#: The targets ``to`` converts OpenAI records for (besides ``chat``, prompt/completion to chat).
CONVERSION_TARGETS = ("vertex", "nova", "trl")


@dataclass(frozen=True)
class ConvertOptions:
    """What `convert` does besides checking (the checking options are a `CheckOptions`)."""

    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    system: str | None = None
    file_type: FileType | None = None
    input_encoding: str | None = None
    header: bool = True
    to: str | None = None  # "chat", or a target of CONVERSION_TARGETS
    keep_separators: bool = False
    apply: bool = False
    bom: bool | None = None
    force: bool = False
    zero_weight: str = "train"  # a weight-0 message for a target without weights: "train" it, or "drop" it
    media_dir: str | os.PathLike[str] | None = (
        None  # where data-URL images go, for targets that read media from storage
    )
    media_prefix: str | None = None  # where that folder will be once uploaded (gs://bucket/path/)

    def __post_init__(self) -> None:
        table = self.table  # validates mapping and file_type
        object.__setattr__(self, "mapping", table.mapping)
        object.__setattr__(self, "file_type", table.file_type)
        to = self.to.value if isinstance(self.to, DataFormat) else self.to
        object.__setattr__(self, "to", to)
        if to is not None and to != "chat" and to not in CONVERSION_TARGETS:
            choices = ", ".join(("chat", *CONVERSION_TARGETS))
            raise UsageError(f"--to {to} is not supported; prep converts to: {choices}.")
        if to is not None and self.apply:
            raise UsageError(
                "--apply applies the legacy prompt/completion recommendations; "
                f"with --to {to} there are none (the legacy marks are removed instead)."
            )
        if self.zero_weight not in ("train", "drop"):
            raise UsageError(f"--zero-weight is train or drop, not {self.zero_weight!r}.")
        retargets = to in CONVERSION_TARGETS
        if not retargets and (self.media_dir or self.media_prefix or self.zero_weight != "train"):
            raise UsageError("--zero-weight, --media-dir and --media-prefix go with --to vertex, nova or trl.")

    @property
    def target(self) -> str | None:
        """The target the records are converted for (None: OpenAI records out)."""
        return self.to if self.to in CONVERSION_TARGETS else None

    @property
    def table(self) -> TableOptions:
        return TableOptions(self.sheet, self.mapping, self.system, self.file_type, self.input_encoding, self.header)
