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
from dataclasses import dataclass, field, replace

from ..errors import Choice, UnknownModelError, UsageError
from ..issues import Severity

__all__ = [
    "ConversationRules",
    "DataFormat",
    "FormatRules",
    "ImageRules",
    "Method",
    "ModelInfo",
    "Price",
    "PublishSettings",
    "ReservedWords",
    "RoleRules",
    "Target",
    "parse_tokenizer",
]


class DataFormat(Choice):
    """The shape of one example."""

    CHAT = "chat"
    COMPLETION = "completion"
    PREFERENCE = "preference"
    REINFORCEMENT = "reinforcement"
    TEXT = "text"
    VERTEX = "vertex"  # Gemini tuning on Vertex AI: systemInstruction + contents of parts
    VERTEX_PREFERENCE = "vertex-preference"  # contents + completions with scores
    VERTEX_REINFORCEMENT = "vertex-reinforcement"  # contents + references
    NOVA = "nova"  # Bedrock Nova SFT: bedrock-conversation-2024
    NOVA_PREFERENCE = "nova-preference"  # Nova DPO: the last message holds candidates
    TRL_PREFERENCE = "trl-preference"  # Hugging Face TRL: prompt / chosen / rejected


class Method(Choice):
    """A fine-tuning method; each accepts some data formats (target data)."""

    SUPERVISED = "supervised"
    DPO = "dpo"
    REINFORCEMENT = "reinforcement"


#: Content kinds of a role: "text" (string or text parts, required), "parts" (string or text/image
#: parts, required), "optional" (assistant: may be absent with tool_calls/function_call), "string"
#: (a string, required), "nullable" (string or null), "blocks" (a list of content blocks, each of a
#: kind the role's ``blocks`` names: Vertex parts, Nova content blocks).
CONTENT_KINDS = frozenset({"text", "parts", "optional", "string", "nullable", "blocks"})
#: How turns must follow each other: "none" (any order; consecutive same roles are advice),
#: "after_system" (after optional leading system messages, user and assistant turns alternate,
#: starting with user; a tool message belongs to the assistant turn it answers).
ALTERNATIONS = frozenset({"none", "after_system"})
#: Where a system message may stand: "any" (elsewhere is advice) or "first" (only at the start).
SYSTEM_POSITIONS = frozenset({"any", "first"})
#: What a target does with a UTF-8 byte-order mark.
BOM_POLICIES = frozenset({"forbid", "recommend", "require", "allow"})
#: Where an image may come from: an http(s) URL, a base64 data URL, Google Cloud Storage (gs://), Amazon S3 (s3://).
IMAGE_SOURCES = frozenset({"url", "data", "gs", "s3"})
#: How a tool call's arguments are written: a JSON-encoded string (OpenAI) or a JSON object (TRL).
TOOL_ARGUMENTS = frozenset({"string", "object"})


@dataclass(frozen=True)
class RoleRules:
    keys: frozenset[str]
    required: frozenset[str]
    content: str
    text_keys: frozenset[str] = frozenset()  # keys that hold a string (e.g. reasoning)
    nullable: frozenset[str] = frozenset()  # keys whose null means "not there" (the spec's `nullable`)
    blocks: frozenset[str] = frozenset()  # content "blocks": the kinds of block the role may hold


@dataclass(frozen=True)
class ConversationRules:
    """Rules on the order of a conversation's messages and on weights."""

    alternation: str = "none"
    system_position: str = "any"
    weight_roles: frozenset[str] = frozenset({"assistant"})
    weight_floats: bool = False  # 0.0 and 1.0 are weights too (not only the integers 0 and 1)
    sample_weight: bool = False  # a top-level non-negative number "weight" on each example
    tool_arguments: str = "string"  # a tool call's arguments: a JSON-encoded string, or an object
    tool_call_ids: bool = True  # every tool call needs an id
    function_keys: frozenset[str] = frozenset({"name", "description", "parameters", "strict"})  # of a definition


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
    assistant_role: str = "assistant"  # the role whose turns are trained on (Vertex: "model")


@dataclass(frozen=True)
class ImageRules:
    """Images (and the other media of block formats: videos, documents) and where they may come from."""

    max_per_example: int
    max_bytes: int
    formats: frozenset[str]
    roles: frozenset[str]
    max_examples: int
    sources: frozenset[str] = frozenset({"url", "data"})
    max_videos: int = 0  # videos an example may hold
    video_formats: frozenset[str] = frozenset()
    path_pattern: re.Pattern[str] | None = None  # what a storage URI's path may hold (Nova: [\w\-/.]+)
    same_bucket: bool = False  # every media file of a dataset in one bucket
    homogeneous: bool = False  # a dataset holds examples with images or examples with videos, not both


@dataclass(frozen=True)
class ReservedWords:
    """Words the service refuses in text (Nova: ``User:``, ``[EOS]``), in messages of ``roles``."""

    words: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    ignore_case: bool = False

    def find(self, text: str) -> str | None:
        """The first reserved word ``text`` holds, or None."""
        haystack = text.lower() if self.ignore_case else text
        for word in self.words:
            if (word.lower() if self.ignore_case else word) in haystack:
                return word
        return None


#: The SDK each kind of publishing goes through (the provider adapter of `prep.publishing.providers`).
PUBLISH_SDKS = frozenset({"openai", "azure-openai", "together", "fireworks-ai"})
#: How a job logs to W&B itself: "native" (the provider's integration holds the W&B key: OpenAI's
#: ``integrations``), "params" (the job request carries the key: Together's ``wandb_*``, Fireworks'
#: ``wandb_config``), "artifacts" (the job has no W&B option: prep's artifacts only).
WANDB_MODES = frozenset({"native", "params", "artifacts"})


@dataclass(frozen=True)
class PublishSettings:
    """How `prep publish` reaches a target: which SDK, where, with which key, and the job's parameter names.

    ``base_url`` is the endpoint when neither ``--base-url`` nor ``base_url_env`` gives one (None: the user
    must give it, as for an Azure resource). ``parameters`` maps prep's job options (``n_epochs``,
    ``learning_rate``...) to the SDK's keyword names; an option missing from it is not sent to this target.
    ``methods`` maps prep's methods to the SDK's name for them.
    """

    sdk: str
    key_env: str
    base_url: str | None = None
    base_url_env: str | None = None
    account_env: str | None = None  # an account the SDK needs besides the key (Fireworks)
    api_version: str | None = None  # an API version the SDK needs (Azure)
    api_version_env: str | None = None
    wandb: str = "artifacts"
    suffix_max: int = 64
    parameters: dict[str, str] = field(default_factory=dict)
    methods: dict[Method, str] = field(default_factory=dict)


#: The kinds of tokenizer a profile or ``--tokenizer`` can name (besides a tiktoken encoding).
TOKENIZER_KINDS = ("hf", "mistral", "harmony")


def parse_tokenizer(spec: str) -> tuple[str, str]:
    """A tokenizer's name as (kind, what): ``hf:ORG/NAME[@REVISION]`` or a folder (a Hugging Face tokenizer and its
    chat template), ``mistral:NAME`` or ``mistral:FILE`` (mistral-common's), ``harmony`` (gpt-oss).

    Raises `UsageError` for a name of no known kind.
    """
    kind, sep, what = spec.partition(":")
    if spec == "harmony":
        return "harmony", ""
    if sep and kind in ("hf", "mistral") and what:
        return kind, what
    if spec and not (sep and len(kind) > 1):  # a folder (a Windows drive letter has one character)
        return "hf", spec
    raise UsageError(
        f"Unknown tokenizer {spec!r}; name one as hf:ORG/NAME (or a folder holding tokenizer.json), "
        "mistral:NAME (e.g. mistral:tekken_240718), or harmony."
    )


#: What a training price is counted in: a million trained tokens, or an hour of training.
PRICE_UNITS = frozenset({"1M tokens", "hour"})


@dataclass(frozen=True)
class Price:
    """A training price in US dollars per `unit`, as ``source`` gave it on ``date``."""

    usd: float
    unit: str  # one of PRICE_UNITS
    source: str
    date: dt.date


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
    tokenizer: str | None = None  # its own tokenizer (parse_tokenizer); then `encoding` is only an estimate
    exact_tokens: bool = True  # whether `encoding` counts as the provider counts
    dpo_token_limit: int | None = None  # the limit of preference (DPO) data, when it differs
    estimate_note: str | None = None  # why its counts are estimates, when the target's note does not say it
    prices: dict[Method, Price] = field(default_factory=dict)  # training price per method; none: unknown
    # What differs for this model from its target's rules (applied by `Target.for_model`):
    min_examples: dict[DataFormat, int] = field(default_factory=dict)  # per data format
    severities: dict[str, Severity] = field(default_factory=dict)  # per issue code
    media: bool = True  # False: the model takes no images or videos
    image_formats: frozenset[str] | None = None
    video_formats: frozenset[str] | None = None

    def limit_for(self, fmt: DataFormat | None) -> int:
        """The per-example limit for data of ``fmt``."""
        if fmt is not None and "preference" in fmt.value and self.dpo_token_limit:
            return self.dpo_token_limit
        return self.token_limit

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
    researched: dt.date | None = None  # the day the profile's facts were last checked against the provider
    notes: tuple[str, ...] = ()  # what a person should know, in words (``prep targets NAME``)
    aliases: dict[str, str] = field(default_factory=dict)
    hub_models: bool = False  # trains any Hugging Face model: --model ORG/NAME counts with its own tokenizer
    estimate_note: str | None = None  # how counts relate to the provider's when they are estimates, in words
    reserved: ReservedWords = field(default_factory=ReservedWords)
    #: Every model of the profile when `for_model` narrowed ``models`` to one (what `current_for` suggests from).
    all_models: dict[str, ModelInfo] = field(default_factory=dict)
    publish: PublishSettings | None = None  # None: prep cannot publish to this target (convert for it)
    source: str = ""  # what it was loaded from (`load_target`): a built-in name or a .toml path

    def for_model(self, info: ModelInfo) -> Target:
        """This target for ``info`` alone: its only model, with what differs for it applied (example
        minimums, severities, media)."""
        formats = {
            fmt: replace(rules, min_examples=info.min_examples.get(fmt, rules.min_examples))
            for fmt, rules in self.formats.items()
        }
        images = self.images
        if not info.media:
            images = replace(images, max_per_example=0, max_videos=0)
        images = replace(
            images,
            formats=info.image_formats if info.image_formats is not None else images.formats,
            video_formats=info.video_formats if info.video_formats is not None else images.video_formats,
        )
        severities = {**self.severities, **info.severities}
        models = {info.name: info}
        aliases = {alias: info.name for alias in info.aliases}
        every = self.all_models or self.models
        return replace(
            self,
            formats=formats,
            images=images,
            severities=severities,
            models=models,
            aliases=aliases,
            all_models=every,
        )

    def severity(self, code: str) -> Severity:
        return self.severities[code]

    def resolve_model(self, name: str) -> ModelInfo:
        """Find a model by name, alias or fine-tuned name ``ft:<base>:<org>::<id>``."""
        base = name.split(":")[1] if name.startswith("ft:") and name.count(":") >= 2 else name
        key = self.aliases.get(base, base)
        if key in self.models:
            return self.models[key]
        if self.hub_models and "/" in name:
            return self._hub_model(name)
        known = ", ".join(sorted(self.models)) or "none"
        hub = (
            f"; a Hugging Face model counts with --tokenizer hf:{name}, or --target trl --model {name}"
            if "/" in name
            else ""
        )
        raise UnknownModelError(
            f"Unknown model {name!r} for target {self.name!r}; known models: {known} "
            "(use --encoding and --token-limit to count for another model, "
            f"or --tokenizer for an open model's own{hub})."
        )

    def _hub_model(self, name: str) -> ModelInfo:
        """Any Hugging Face model ``ORG/NAME``: its own tokenizer, the profile's default limit."""
        return ModelInfo(
            name=name,
            encoding=self.default_encoding,
            token_limit=self.default_token_limit,
            methods=frozenset(self.methods),
            formats=frozenset(f for formats in self.methods.values() for f in formats),
            tokenizer=f"hf:{name}",
            exact_tokens=False,
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
        everyone = replace(self, models=self.all_models) if self.all_models else self
        names = sorted(m.name for m in everyone.current_models(fmt, today))
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
