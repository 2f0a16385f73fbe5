"""A provider's rules as data: the `Target` a check reads, and its parts.

A `Target` holds every fact a rule needs about a provider: the keys and roles
of each data format, where a system message may stand and whether turns must
alternate, which roles may carry a weight, image sources and limits, example
counts, the byte-order-mark policy, special tokens, the severity of each issue
code, and the fine-tunable models with their tokenizer, token limit, methods,
data formats and dates. Rules read these facts; they never test a provider's
name. Targets are loaded from TOML profiles (`prep.targets.loader`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..errors import Choice, UnknownModelError, UsageError
from ..issues import Severity

__all__ = [
    "ConversationRules",
    "DataFormat",
    "FormatRules",
    "ImageRules",
    "Method",
    "ModelInfo",
    "RoleRules",
    "Target",
]


class DataFormat(Choice):
    """The shape of one example."""

    CHAT = "chat"
    COMPLETION = "completion"
    PREFERENCE = "preference"
    REINFORCEMENT = "reinforcement"
    TEXT = "text"


class Method(Choice):
    """A fine-tuning method; each accepts some data formats (target data)."""

    SUPERVISED = "supervised"
    DPO = "dpo"
    REINFORCEMENT = "reinforcement"


#: Content kinds of a role: "text" (string or text parts, required), "parts" (string or text/image
#: parts, required), "optional" (assistant: may be absent with tool_calls/function_call), "string"
#: (a string, required), "nullable" (string or null).
CONTENT_KINDS = frozenset({"text", "parts", "optional", "string", "nullable"})
#: How turns must follow each other: "none" (any order; consecutive same roles are advice),
#: "after_system" (after optional leading system messages, user and assistant turns alternate,
#: starting with user; a tool message belongs to the assistant turn it answers).
ALTERNATIONS = frozenset({"none", "after_system"})
#: Where a system message may stand: "any" (elsewhere is advice) or "first" (only at the start).
SYSTEM_POSITIONS = frozenset({"any", "first"})
#: What a target does with a UTF-8 byte-order mark.
BOM_POLICIES = frozenset({"forbid", "recommend", "require", "allow"})
#: Where an image may come from: an http(s) URL, or a base64 data URL.
IMAGE_SOURCES = frozenset({"url", "data"})


@dataclass(frozen=True)
class RoleRules:
    keys: frozenset[str]
    required: frozenset[str]
    content: str
    text_keys: frozenset[str] = frozenset()  # keys that hold a string (e.g. reasoning)
    nullable: frozenset[str] = frozenset()  # keys whose null means "not there" (the spec's `nullable`)


@dataclass(frozen=True)
class ConversationRules:
    """Rules on the order of a conversation's messages and on weights."""

    alternation: str = "none"
    system_position: str = "any"
    weight_roles: frozenset[str] = frozenset({"assistant"})
    weight_floats: bool = False  # 0.0 and 1.0 are weights too (not only the integers 0 and 1)
    sample_weight: bool = False  # a top-level non-negative number "weight" on each example


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
    min_examples: int | None = None
    max_examples: int | None = None
    max_valid_examples: int | None = None
    output_roles: frozenset[str] = frozenset({"assistant"})  # preference outputs
    max_output_messages: int | None = 1  # preference outputs; None: any number
    prompt_parts: bool = False  # completion: the prompt may be content parts


@dataclass(frozen=True)
class ImageRules:
    max_per_example: int
    max_bytes: int
    formats: frozenset[str]
    roles: frozenset[str]
    max_examples: int
    sources: frozenset[str] = IMAGE_SOURCES


@dataclass(frozen=True)
class ModelInfo:
    name: str
    encoding: str
    token_limit: int
    methods: frozenset[Method]
    formats: frozenset[DataFormat]
    aliases: tuple[str, ...] = ()
    new_jobs_until: dt.date | None = None  # the last day it takes new fine-tuning jobs
    shutdown: dt.date | None = None  # it and its fine-tunes stop serving

    def takes_jobs(self, today: dt.date) -> bool:
        return not (self.shutdown and today >= self.shutdown) and not (
            self.new_jobs_until and today > self.new_jobs_until
        )


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    provider: str  # who, in a sentence: "Together needs ..."
    status: str
    min_examples: int
    recommended_examples: int
    bom: str
    max_file_bytes: int
    name_pattern: re.Pattern[str]
    special_tokens: tuple[str, ...]
    default_encoding: str
    default_token_limit: int
    exact_tokens: bool  # whether the default encoding is the one the provider counts with
    images: ImageRules
    conversation: ConversationRules
    methods: dict[Method, tuple[DataFormat, ...]]
    formats: dict[DataFormat, FormatRules]
    roles: dict[str, RoleRules]
    severities: dict[str, Severity]
    models: dict[str, ModelInfo]
    new_jobs_until: dt.date | None = None
    notes: tuple[str, ...] = ()  # what a person should know, in words (``prep targets NAME``)
    aliases: dict[str, str] = field(default_factory=dict)

    def severity(self, code: str) -> Severity:
        return self.severities[code]

    def resolve_model(self, name: str) -> ModelInfo:
        """Find a model by name, alias or fine-tuned name ``ft:<base>:<org>::<id>``."""
        base = name.split(":")[1] if name.startswith("ft:") and name.count(":") >= 2 else name
        key = self.aliases.get(base, base)
        if key in self.models:
            return self.models[key]
        known = ", ".join(sorted(self.models)) or "none"
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

    def method_of(self, fmt: DataFormat) -> Method | None:
        """The training method that takes data of ``fmt``."""
        return next((m for m, formats in self.methods.items() if fmt in formats), None)

    def min_for(self, fmt: DataFormat | None) -> int:
        rules = self.formats.get(fmt) if fmt else None
        return rules.min_examples if rules and rules.min_examples is not None else self.min_examples

    def calendar(self, today: dt.date, model: str | None = None) -> str | None:
        """One sentence on the dates ahead: when the target stops taking jobs, and the model's dates."""
        parts = []
        if self.new_jobs_until and today <= self.new_jobs_until:
            parts.append(f"{self.provider} takes new fine-tuning jobs until {self.new_jobs_until}")
        info = self.models.get(self.aliases.get(model, model)) if model else None
        if info and info.new_jobs_until and today <= info.new_jobs_until:
            parts.append(f"{info.name} takes new jobs until {info.new_jobs_until}")
        if info and info.shutdown and today < info.shutdown:
            parts.append(f"{info.name} and its fine-tunes shut down on {info.shutdown}")
        return "; ".join(parts) + "." if parts else None

    def current_for(self, fmt: DataFormat | None, today: dt.date) -> str:
        """Which models to use for ``fmt`` data on ``today``, in words (from the models' dates, never a fixed name)."""
        names = sorted(m.name for m in self.current_models(fmt, today))
        what = f"{fmt} data" if fmt else "new jobs"
        if not names:
            return f"no current {self.provider} model takes {what}"
        if len(names) == 1:
            return f"the current {self.provider} model for {what} is {names[0]}"
        if len(names) > 4:
            names = [*names[:3], f"{len(names) - 3} more (prep targets {self.name})"]
        return f"the current {self.provider} models for {what} are {', '.join(names[:-1])} and {names[-1]}"

    def current_models(self, fmt: DataFormat | None, today: dt.date) -> list[ModelInfo]:
        """The models that take new jobs on ``today`` for data of ``fmt`` (every format when None)."""
        if self.new_jobs_until and today > self.new_jobs_until:
            return []
        return [m for m in self.models.values() if m.takes_jobs(today) and (fmt is None or fmt in m.formats)]
