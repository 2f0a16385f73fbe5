"""The options of a conversion besides checking (those are a `prep.CheckOptions`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..reading.table import FileType, TableOptions
from ..targets.profile import DataFormat

__all__ = ["ConvertOptions"]


@dataclass(frozen=True)
class ConvertOptions:
    """What `convert` does besides checking (the checking options are a `CheckOptions`)."""

    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    system: str | None = None
    file_type: FileType | None = None
    input_encoding: str | None = None
    header: bool = True
    to: DataFormat | None = None
    keep_separators: bool = False
    apply: bool = False
    bom: bool | None = None
    force: bool = False

    def __post_init__(self) -> None:
        table = self.table  # validates mapping and file_type
        object.__setattr__(self, "mapping", table.mapping)
        object.__setattr__(self, "file_type", table.file_type)
        if self.to is not None:
            to = DataFormat(self.to)
            if to is not DataFormat.CHAT:
                raise UsageError(f"--to {to.value} is not supported; prep converts prompt/completion to chat.")
            object.__setattr__(self, "to", to)
            if self.apply:
                raise UsageError(
                    "--apply applies the legacy prompt/completion recommendations; "
                    "with --to chat there are none (the legacy marks are removed instead)."
                )

    @property
    def table(self) -> TableOptions:
        return TableOptions(self.sheet, self.mapping, self.system, self.file_type, self.input_encoding, self.header)
