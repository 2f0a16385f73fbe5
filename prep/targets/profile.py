"""Targets: a provider's rules as data, loaded from a TOML profile.

A `Target` holds every fact a check needs about a provider: the keys and roles
of each data format, minimum example counts, image limits, special tokens, the
severity of each issue code, and the fine-tunable models with their tokenizer
and token limit. Checks read these facts; they never test a provider's name.
Built-in profiles live in ``prep/targets/<name>.toml``; a path to a TOML file of
the same shape loads a custom profile.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UnknownModelError, UsageError
from ..issues import CODES, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "DataFormat",
    "FormatRules",
    "ImageRules",
    "Method",
    "ModelInfo",
    "RoleRules",
    "Target",
    "available_targets",
    "load_target",
]


class DataFormat(str, enum.Enum):
    """The shape of one example."""

    CHAT = "chat"
    COMPLETION = "completion"
    PREFERENCE = "preference"
    REINFORCEMENT = "reinforcement"

    def __str__(self) -> str:
        return self.value


class Method(str, enum.Enum):
    """A fine-tuning method; each accepts some data formats (target data)."""

    SUPERVISED = "supervised"
    DPO = "dpo"
    REINFORCEMENT = "reinforcement"

    def __str__(self) -> str:
        return self.value


CONTENT_KINDS = frozenset({"text", "parts", "optional", "string", "nullable"})


@dataclass(frozen=True)
class RoleRules:
    keys: frozenset[str]
    required: frozenset[str]
    content: str


@dataclass(frozen=True)
class FormatRules:
    name: DataFormat
    keys: frozenset[str]
    required: frozenset[str]
    open: bool = False
    roles: frozenset[str] = frozenset()
    input_keys: frozenset[str] = frozenset()
    requires_assistant: bool = False
    last_role: str | None = None
    max_examples: int | None = None
    max_valid_examples: int | None = None


@dataclass(frozen=True)
class ImageRules:
    max_per_example: int
    max_bytes: int
    formats: frozenset[str]
    roles: frozenset[str]
    max_examples: int


@dataclass(frozen=True)
class ModelInfo:
    name: str
    encoding: str
    token_limit: int
    methods: frozenset[Method]
    aliases: tuple[str, ...] = ()
    shutdown: dt.date | None = None


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    min_examples: int
    recommended_examples: int
    bom: str
    max_file_bytes: int
    name_pattern: re.Pattern[str]
    special_tokens: tuple[str, ...]
    default_encoding: str
    default_token_limit: int
    images: ImageRules
    methods: dict[Method, tuple[DataFormat, ...]]
    formats: dict[DataFormat, FormatRules]
    roles: dict[str, RoleRules]
    severities: dict[str, Severity]
    models: dict[str, ModelInfo]
    new_jobs_until: dt.date | None = None
    aliases: dict[str, str] = field(default_factory=dict)

    def severity(self, code: str) -> Severity:
        return self.severities[code]

    def resolve_model(self, name: str) -> ModelInfo:
        """Find a model by name, alias or fine-tuned name ``ft:<base>:<org>::<id>``."""
        base = name.split(":")[1] if name.startswith("ft:") and name.count(":") >= 2 else name
        key = self.aliases.get(base, base)
        if key in self.models:
            return self.models[key]
        known = ", ".join(sorted(self.models))
        raise UnknownModelError(
            f"Unknown model {name!r} for target {self.name!r}; known models: {known} "
            "(use --encoding and --token-limit to count for another model)."
        )

    def formats_for(self, method: Method | None) -> tuple[DataFormat, ...]:
        if method is None:
            return tuple(self.formats)
        if method not in self.methods:
            raise UsageError(f"Target {self.name!r} has no {method.value!r} training method.")
        return self.methods[method]


def available_targets() -> list[str]:
    folder = resources.files("prep.targets") / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


@lru_cache(maxsize=16)
def load_target(name_or_path: str = "openai") -> Target:
    """Load a built-in target by name, or a custom profile from a TOML path."""
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"Target profile {name_or_path!r} does not exist.")
        text = path.read_text(encoding="utf-8")
    elif name_or_path in available_targets():
        text = (resources.files("prep.targets") / "profiles" / f"{name_or_path}.toml").read_text("utf-8")
    else:
        known = ", ".join(available_targets())
        raise UsageError(f"Unknown target {name_or_path!r}; built-in targets: {known}.")
    try:
        return _build_target(tomllib.loads(text))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"Target profile {name_or_path!r} is invalid: {exc}.") from exc


_TOP_KEYS = {
    "name", "title", "min_examples", "recommended_examples", "bom", "max_file_bytes",
    "new_jobs_until", "name_pattern", "special_tokens", "default_encoding",
    "default_token_limit", "images", "methods", "formats", "roles", "severity", "models",
}  # fmt: skip


def _closed(table: dict[str, Any], allowed: set[str], where: str) -> dict[str, Any]:
    extra = set(table) - allowed
    if extra:
        raise ValueError(f"unknown key(s) {sorted(extra)} in {where}")
    return table


def _build_target(data: dict[str, Any]) -> Target:
    _closed(data, _TOP_KEYS, "the profile")
    models = {name: _build_model(name, spec) for name, spec in data["models"].items()}
    aliases = {alias: m.name for m in models.values() for alias in m.aliases}
    if data["bom"] not in ("forbid", "require", "allow"):
        raise ValueError("bom must be forbid, require or allow")
    return Target(
        name=data["name"],
        title=data["title"],
        min_examples=int(data["min_examples"]),
        recommended_examples=int(data["recommended_examples"]),
        bom=data["bom"],
        max_file_bytes=int(data["max_file_bytes"]),
        new_jobs_until=data.get("new_jobs_until"),
        name_pattern=re.compile(data["name_pattern"]),
        special_tokens=tuple(data["special_tokens"]),
        default_encoding=data["default_encoding"],
        default_token_limit=int(data["default_token_limit"]),
        images=_build_images(data["images"]),
        methods={Method(m): tuple(DataFormat(f) for f in fs) for m, fs in data["methods"].items()},
        formats={DataFormat(n): _build_format(n, spec) for n, spec in data["formats"].items()},
        roles={role: _build_role(role, spec) for role, spec in data["roles"].items()},
        severities=_build_severities(data.get("severity", {})),
        models=models,
        aliases=aliases,
    )


def _build_images(spec: dict[str, Any]) -> ImageRules:
    _closed(spec, {"max_per_example", "max_bytes", "formats", "roles", "max_examples"}, "[images]")
    return ImageRules(
        max_per_example=int(spec["max_per_example"]),
        max_bytes=int(spec["max_bytes"]),
        formats=frozenset(spec["formats"]),
        roles=frozenset(spec["roles"]),
        max_examples=int(spec["max_examples"]),
    )


def _build_format(name: str, spec: dict[str, Any]) -> FormatRules:
    allowed = {"keys", "required", "open", "roles", "input_keys", "requires_assistant",
               "last_role", "max_examples", "max_valid_examples"}  # fmt: skip
    _closed(spec, allowed, f"[formats.{name}]")
    return FormatRules(
        name=DataFormat(name),
        keys=frozenset(spec["keys"]),
        required=frozenset(spec.get("required", ())),
        open=bool(spec.get("open", False)),
        roles=frozenset(spec.get("roles", ())),
        input_keys=frozenset(spec.get("input_keys", ())),
        requires_assistant=bool(spec.get("requires_assistant", False)),
        last_role=spec.get("last_role"),
        max_examples=spec.get("max_examples"),
        max_valid_examples=spec.get("max_valid_examples"),
    )


def _build_role(role: str, spec: dict[str, Any]) -> RoleRules:
    _closed(spec, {"keys", "required", "content"}, f"[roles.{role}]")
    if spec["content"] not in CONTENT_KINDS:
        raise ValueError(f"[roles.{role}] content must be one of {sorted(CONTENT_KINDS)}")
    return RoleRules(
        keys=frozenset(spec["keys"]),
        required=frozenset(spec.get("required", ())),
        content=spec["content"],
    )


def _build_severities(overrides: dict[str, str]) -> dict[str, Severity]:
    unknown = set(overrides) - set(CODES)
    if unknown:
        raise ValueError(f"unknown issue code(s) {sorted(unknown)} in [severity]")
    table = {code: info.severity for code, info in CODES.items()}
    table.update({code: Severity(value) for code, value in overrides.items()})
    return table


def _build_model(name: str, spec: dict[str, Any]) -> ModelInfo:
    _closed(spec, {"encoding", "token_limit", "methods", "aliases", "shutdown"}, f"[models.{name}]")
    return ModelInfo(
        name=name,
        encoding=spec["encoding"],
        token_limit=int(spec["token_limit"]),
        methods=frozenset(Method(m) for m in spec["methods"]),
        aliases=tuple(spec.get("aliases", ())),
        shutdown=spec.get("shutdown"),
    )
