"""Target profiles: TOML in, a `Target` out.

Built-in profiles live in ``prep/targets/profiles/<name>.toml``; a path to a
TOML file of the same shape loads a custom one. A profile may start from
another (``extends = "openai"``) and state only what differs: tables merge key
by key, other values replace the parent's, a child's ``models`` table replaces
the parent's whole model list (as ``[publish.parameters]`` and ``[publish.methods]``
replace the parent's), and ``false`` in place of a parent's value
that is not a boolean removes it (``[roles] function = false``). Every key is known: a typo is a
`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError
from ..issues import CODES, Severity
from .profile import (
    ALTERNATIONS,
    BOM_POLICIES,
    CONTENT_KINDS,
    IMAGE_SOURCES,
    PRICE_UNITS,
    PUBLISH_SDKS,
    SYSTEM_POSITIONS,
    TOOL_ARGUMENTS,
    WANDB_MODES,
    ConversationRules,
    DataFormat,
    FormatRules,
    ImageRules,
    Method,
    ModelInfo,
    Price,
    PublishSettings,
    ReservedWords,
    RoleRules,
    Target,
    parse_tokenizer,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["available_targets", "load_target", "resolve_targets"]

PROFILES = "profiles"


def available_targets() -> list[str]:
    """The names of the built-in profiles."""
    folder = resources.files("prep.targets") / PROFILES
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def resolve_targets(names: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Target names from ``"openai,azure"``, a sequence, or ``"all"`` (every built-in profile)."""
    parts = names.split(",") if isinstance(names, str) else list(names)
    out: list[str] = []
    for part in (p.strip() for p in parts):
        for name in available_targets() if part == "all" else [part]:
            if name and name not in out:
                out.append(name)
    if not out:
        raise UsageError("No target named; give a profile name (e.g. openai) or a .toml path.")
    return tuple(out)


@lru_cache(maxsize=32)
def load_target(name_or_path: str = "openai") -> Target:
    """Load a built-in target by name, or a custom profile from a TOML path."""
    data = _read(name_or_path, ())
    try:
        return dataclasses.replace(_build_target(data), source=name_or_path)
    except (KeyError, TypeError, ValueError, UsageError) as exc:  # UsageError: an unknown method, format, severity
        raise ConfigError(f"Target profile {name_or_path!r} is invalid: {str(exc).rstrip('.')}.") from exc


def _read(name_or_path: str, seen: tuple[str, ...]) -> dict[str, Any]:
    """The profile's table, with what it extends merged in."""
    if name_or_path in seen:
        raise ConfigError(f"Target profile {name_or_path!r} extends itself ({' -> '.join(seen)}).")
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"Target profile {name_or_path!r} does not exist.")
        text = path.read_text(encoding="utf-8")
    elif name_or_path in available_targets():
        text = (resources.files("prep.targets") / PROFILES / f"{name_or_path}.toml").read_text("utf-8")
    else:
        known = ", ".join(available_targets())
        raise UsageError(f"Unknown target {name_or_path!r}; built-in targets: {known} (or a .toml path).")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Target profile {name_or_path!r} is not valid TOML: {exc}.") from exc
    parent = data.pop("extends", None)
    return _merge(_read(parent, (*seen, name_or_path)), data) if parent else data


#: Tables a child replaces whole instead of merging key by key.
WHOLE = frozenset({("models",), ("publish", "parameters"), ("publish", "methods")})


def _merge(base: dict[str, Any], child: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if value is False and key in base and not isinstance(base[key], bool):
            del out[key]
        elif isinstance(value, dict) and isinstance(base.get(key), dict) and (*path, key) not in WHOLE:
            out[key] = _merge(base[key], value, (*path, key))
        else:
            out[key] = value
    return out


_TOP_KEYS = {
    "name", "title", "provider", "status", "researched", "min_examples", "recommended_examples", "bom",
    "max_file_bytes", "new_jobs_until", "name_pattern", "special_tokens", "default_encoding", "default_token_limit",
    "exact_tokens", "notes", "images", "conversation", "methods", "formats", "roles", "severity", "models",
    "reserved", "publish", "hub_models", "estimate_note",
}  # fmt: skip


def _closed(table: dict[str, Any], allowed: set[str], where: str) -> dict[str, Any]:
    extra = set(table) - allowed
    if extra:
        raise ValueError(f"unknown key(s) {sorted(extra)} in {where}")
    return table


def _choice(value: str, allowed: frozenset[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(sorted(allowed))}, not {value!r}")
    return value


def _date(value: Any, what: str) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    raise ValueError(f"{what} must be a date (YYYY-MM-DD), not {value!r}")


def _build_target(data: dict[str, Any]) -> Target:
    _closed(data, _TOP_KEYS, "the profile")
    methods = {Method(m): tuple(DataFormat(f) for f in fs) for m, fs in data["methods"].items()}
    exact = bool(data.get("exact_tokens", True))
    models = {name: _build_model(name, spec, methods, exact) for name, spec in data.get("models", {}).items()}
    return Target(
        name=data["name"],
        title=data["title"],
        provider=data.get("provider", data["title"]),
        status=data.get("status", "active"),
        min_examples=int(data["min_examples"]),
        recommended_examples=int(data.get("recommended_examples", data["min_examples"])),
        bom=_choice(data["bom"], BOM_POLICIES, "bom"),
        max_file_bytes=int(data["max_file_bytes"]),
        new_jobs_until=_date(data.get("new_jobs_until"), "new_jobs_until"),
        researched=_date(data.get("researched"), "researched"),
        name_pattern=re.compile(data["name_pattern"]),
        special_tokens=tuple(data.get("special_tokens", ())),
        default_encoding=data["default_encoding"],
        default_token_limit=int(data["default_token_limit"]),
        exact_tokens=exact,
        notes=tuple(data.get("notes", ())),
        images=_build_images(data["images"]),
        conversation=_build_conversation(data.get("conversation", {})),
        methods=methods,
        formats={DataFormat(n): _build_format(n, spec) for n, spec in data["formats"].items()},
        roles={role: _build_role(role, spec) for role, spec in data["roles"].items()},
        severities=_build_severities(data.get("severity", {})),
        models=models,
        aliases={alias: m.name for m in models.values() for alias in m.aliases},
        reserved=_build_reserved(data.get("reserved", {})),
        publish=_build_publish(data["publish"]) if data.get("publish") else None,
        hub_models=bool(data.get("hub_models", False)),
        estimate_note=data.get("estimate_note"),
    )


def _build_reserved(spec: dict[str, Any]) -> ReservedWords:
    _closed(spec, {"words", "roles", "ignore_case"}, "[reserved]")
    return ReservedWords(
        words=tuple(spec.get("words", ())),
        roles=frozenset(spec.get("roles", ())),
        ignore_case=bool(spec.get("ignore_case", False)),
    )


_IMAGE_KEYS = {
    "max_per_example", "max_bytes", "formats", "roles", "max_examples", "sources", "max_videos", "video_formats",
    "path_pattern", "same_bucket", "homogeneous",
}  # fmt: skip


def _build_images(spec: dict[str, Any]) -> ImageRules:
    _closed(spec, _IMAGE_KEYS, "[images]")
    sources = frozenset(spec.get("sources", ("url", "data")))
    if not sources <= IMAGE_SOURCES:
        raise ValueError(f"[images] sources must be among {sorted(IMAGE_SOURCES)}")
    pattern = spec.get("path_pattern")
    return ImageRules(
        max_per_example=int(spec["max_per_example"]),
        max_bytes=int(spec["max_bytes"]),
        formats=frozenset(spec["formats"]),
        roles=frozenset(spec["roles"]),
        max_examples=int(spec["max_examples"]),
        sources=sources,
        max_videos=int(spec.get("max_videos", 0)),
        video_formats=frozenset(spec.get("video_formats", ())),
        path_pattern=re.compile(pattern) if pattern else None,
        same_bucket=bool(spec.get("same_bucket", False)),
        homogeneous=bool(spec.get("homogeneous", False)),
    )


_CONVERSATION_KEYS = {
    "alternation", "system_position", "weight_roles", "weight_floats", "sample_weight", "tool_arguments",
    "tool_call_ids", "function_keys",
}  # fmt: skip


def _build_conversation(spec: dict[str, Any]) -> ConversationRules:
    _closed(spec, _CONVERSATION_KEYS, "[conversation]")
    return ConversationRules(
        alternation=_choice(spec.get("alternation", "none"), ALTERNATIONS, "[conversation] alternation"),
        system_position=_choice(spec.get("system_position", "any"), SYSTEM_POSITIONS, "system_position"),
        weight_roles=frozenset(spec.get("weight_roles", ("assistant",))),
        weight_floats=bool(spec.get("weight_floats", False)),
        sample_weight=bool(spec.get("sample_weight", False)),
        tool_arguments=_choice(spec.get("tool_arguments", "string"), TOOL_ARGUMENTS, "tool_arguments"),
        tool_call_ids=bool(spec.get("tool_call_ids", True)),
        function_keys=frozenset(spec.get("function_keys", ("name", "description", "parameters", "strict"))),
    )


_FORMAT_KEYS = {
    "keys", "required", "open", "roles", "input_keys", "requires_assistant", "last_role", "min_examples",
    "max_examples", "max_valid_examples", "output_roles", "max_output_messages", "prompt_parts", "assistant_role",
}  # fmt: skip


def _build_format(name: str, spec: dict[str, Any]) -> FormatRules:
    _closed(spec, _FORMAT_KEYS, f"[formats.{name}]")
    most = spec.get("max_output_messages", 1)
    return FormatRules(
        name=DataFormat(name),
        keys=frozenset(spec["keys"]),
        required=frozenset(spec.get("required", ())),
        open=bool(spec.get("open", False)),
        roles=frozenset(spec.get("roles", ())),
        input_keys=frozenset(spec.get("input_keys", ())),
        requires_assistant=bool(spec.get("requires_assistant", False)),
        last_role=spec.get("last_role"),
        min_examples=spec.get("min_examples"),
        max_examples=spec.get("max_examples"),
        max_valid_examples=spec.get("max_valid_examples"),
        output_roles=frozenset(spec.get("output_roles", ("assistant",))),
        max_output_messages=int(most) if most else None,
        prompt_parts=bool(spec.get("prompt_parts", False)),
        assistant_role=spec.get("assistant_role", "assistant"),
    )


def _build_role(role: str, spec: dict[str, Any]) -> RoleRules:
    _closed(spec, {"keys", "required", "content", "text_keys", "nullable", "blocks"}, f"[roles.{role}]")
    keys = frozenset(spec["keys"])
    return RoleRules(
        keys=keys,
        required=frozenset(spec.get("required", ())),
        content=_choice(spec["content"], CONTENT_KINDS, f"[roles.{role}] content"),
        text_keys=frozenset(spec.get("text_keys", ())),
        nullable=frozenset(spec.get("nullable", ())) & keys,  # a profile that drops a key drops its null too
        blocks=frozenset(spec.get("blocks", ())),
    )


def _build_severities(overrides: dict[str, str]) -> dict[str, Severity]:
    table = {code: info.severity for code, info in CODES.items()}
    table.update(_severity_overrides(overrides, "[severity]"))
    return table


def _severity_overrides(overrides: dict[str, str], where: str) -> dict[str, Severity]:
    unknown = set(overrides) - set(CODES)
    if unknown:
        raise ValueError(f"unknown issue code(s) {sorted(unknown)} in {where}")
    return {code: Severity(value) for code, value in overrides.items()}


_MODEL_KEYS = {
    "encoding", "token_limit", "methods", "formats", "aliases", "new_jobs_until", "shutdown", "min_examples",
    "severity", "media", "image_formats", "video_formats", "prices", "tokenizer", "exact_tokens", "dpo_token_limit",
    "estimate_note",
}  # fmt: skip


def _build_model(
    name: str, spec: dict[str, Any], methods: dict[Method, tuple[DataFormat, ...]], exact: bool
) -> ModelInfo:
    """A model; its `encoding` counts exactly when the target's does and it names no tokenizer of its own."""
    _closed(spec, _MODEL_KEYS, f"[models.{name!r}]")
    tokenizer = spec.get("tokenizer")
    try:
        if tokenizer is not None:
            parse_tokenizer(tokenizer)
    except UsageError as exc:
        raise ValueError(f"[models.{name!r}] tokenizer: {exc}") from None
    model_methods = frozenset(Method(m) for m in spec["methods"])
    every = {f for m in model_methods for f in methods.get(m, ())}
    formats = frozenset(DataFormat(f) for f in spec["formats"]) if "formats" in spec else frozenset(every)
    return ModelInfo(
        name=name,
        encoding=spec["encoding"],
        token_limit=int(spec["token_limit"]),
        methods=model_methods,
        formats=formats,
        aliases=tuple(spec.get("aliases", ())),
        new_jobs_until=_date(spec.get("new_jobs_until"), f"[models.{name!r}] new_jobs_until"),
        shutdown=_date(spec.get("shutdown"), f"[models.{name!r}] shutdown"),
        tokenizer=tokenizer,
        exact_tokens=bool(spec.get("exact_tokens", exact and tokenizer is None)),
        dpo_token_limit=int(spec["dpo_token_limit"]) if "dpo_token_limit" in spec else None,
        estimate_note=spec.get("estimate_note"),
        prices={Method(m): _build_price(f"[models.{name!r}.prices.{m}]", p) for m, p in spec.get("prices", {}).items()},
        min_examples={DataFormat(f): int(n) for f, n in spec.get("min_examples", {}).items()},
        severities=_severity_overrides(spec.get("severity", {}), f"[models.{name!r}.severity]"),
        media=bool(spec.get("media", True)),
        image_formats=frozenset(spec["image_formats"]) if "image_formats" in spec else None,
        video_formats=frozenset(spec["video_formats"]) if "video_formats" in spec else None,
    )


def _build_price(where: str, spec: dict[str, Any]) -> Price:
    """A price needs its amount, its unit, its source and the day the source said it."""
    _closed(spec, {"usd", "per", "source", "date"}, where)
    day = _date(spec["date"], f"{where} date")
    if day is None or not str(spec["source"]).strip():
        raise ValueError(f"{where} needs a source and its date")
    return Price(float(spec["usd"]), _choice(spec["per"], PRICE_UNITS, f"{where} per"), str(spec["source"]), day)


_PUBLISH_KEYS = {
    "sdk", "key_env", "base_url", "base_url_env", "account_env", "api_version", "api_version_env", "wandb",
    "suffix_max", "parameters", "methods",
}  # fmt: skip
#: prep's job options a ``[publish.parameters]`` table may name (`prep.publishing.jobs.JobSpec`).
JOB_OPTIONS = frozenset({
    "n_epochs", "batch_size", "learning_rate_multiplier", "learning_rate", "beta", "reasoning_effort",
    "compute_multiplier", "eval_interval", "eval_samples", "grader", "suffix", "seed", "metadata",
})  # fmt: skip


def _build_publish(spec: dict[str, Any]) -> PublishSettings:
    _closed(spec, _PUBLISH_KEYS, "[publish]")
    parameters = {str(k): str(v) for k, v in spec.get("parameters", {}).items()}
    unknown = set(parameters) - JOB_OPTIONS
    if unknown:
        raise ValueError(f"unknown job option(s) {sorted(unknown)} in [publish.parameters]")
    text = {k: (str(spec[k]) if spec.get(k) not in (None, False) else None) for k in _PUBLISH_KEYS}
    return PublishSettings(
        sdk=_choice(spec["sdk"], PUBLISH_SDKS, "[publish] sdk"),
        key_env=str(spec["key_env"]),
        base_url=text["base_url"],
        base_url_env=text["base_url_env"],
        account_env=text["account_env"],
        api_version=text["api_version"],
        api_version_env=text["api_version_env"],
        wandb=_choice(spec.get("wandb", "artifacts"), WANDB_MODES, "[publish] wandb"),
        suffix_max=int(spec.get("suffix_max", 64)),
        parameters=parameters,
        methods={Method(m): str(name) for m, name in spec.get("methods", {}).items()},
    )
