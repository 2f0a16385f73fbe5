"""Fine-tuning job parameters: validation by the documented ranges, and the request body.

Ranges (rulebook §2.5, OpenAI's ``CreateFineTuningJobRequest``): ``n_epochs``
"auto" or 1-50; ``batch_size`` "auto" or 1-256; ``learning_rate_multiplier``
"auto" or > 0; DPO ``beta`` "auto" or (0, 2]; ``suffix`` 1-64 characters;
``seed`` 0-2147483647; reinforcement ``reasoning_effort`` default/low/medium/
high, ``compute_multiplier`` (0.00001, 10], ``eval_interval`` and
``eval_samples`` >= 1; ``metadata`` at most 16 pairs, keys up to 64 and values
up to 512 characters. Reinforcement needs a validation file and a grader
(rulebook §1.5). Hyperparameters go in the ``method`` object; the top-level
``hyperparameters`` field is deprecated and never sent.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..errors import PrepError, UsageError
from ..targets.loader import JOB_OPTIONS, load_target
from ..targets.profile import Method, Target

__all__ = ["JobSpec", "WandbIntegration", "job_key", "job_request", "validate_job"]

AUTO = "auto"
MAX_METADATA = 16
REASONING_EFFORTS = ("default", "low", "medium", "high")
#: Which method each method-specific hyperparameter belongs to.
METHOD_OF = {
    "beta": Method.DPO,
    "reasoning_effort": Method.REINFORCEMENT,
    "compute_multiplier": Method.REINFORCEMENT,
    "eval_interval": Method.REINFORCEMENT,
    "eval_samples": Method.REINFORCEMENT,
}
HYPERPARAMETERS = ("n_epochs", "batch_size", "learning_rate_multiplier", *METHOD_OF)


@dataclass(frozen=True)
class WandbIntegration:
    """OpenAI's own W&B integration (the W&B key is registered in the OpenAI org)."""

    project: str
    entity: str | None = None
    name: str | None = None
    tags: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        wandb: dict[str, Any] = {"project": self.project}
        if self.entity:
            wandb["entity"] = self.entity
        if self.name:
            wandb["name"] = self.name
        if self.tags:
            wandb["tags"] = list(self.tags)
        return {"type": "wandb", "wandb": wandb}


@dataclass(frozen=True)
class JobSpec:
    """What to ask the service for. ``None`` leaves a parameter to the service ("auto").

    Numbers may be given as strings (as the command line does); `validate_job`
    returns a copy with them converted.
    """

    model: str
    method: Method | str = Method.SUPERVISED
    n_epochs: int | str | None = None
    batch_size: int | str | None = None
    learning_rate_multiplier: float | str | None = None
    learning_rate: float | str | None = None  # an absolute rate, for targets that take one (Together, Fireworks)
    beta: float | str | None = None
    reasoning_effort: str | None = None
    compute_multiplier: float | str | None = None
    eval_interval: int | str | None = None
    eval_samples: int | str | None = None
    grader: Mapping[str, Any] | None = None
    suffix: str | None = None
    seed: int | str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    integration: WandbIntegration | None = None

    def hyperparameters(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HYPERPARAMETERS if getattr(self, name) is not None}


def _number(kind: type, low: float, high: float | None, *, low_open: bool = False) -> Callable[[Any], Any]:
    """A converter for "auto" or a number in [low, high] (``low_open``: (low, high])."""

    noun = "an integer" if kind is int else "a number"

    def convert(value: Any) -> Any:
        if value == AUTO:
            return AUTO
        try:
            number = kind(value) if isinstance(value, str) else value
        except ValueError:
            raise ValueError(f'must be "auto" or {noun}') from None
        ok_type = isinstance(number, int) if kind is int else isinstance(number, (int, float))
        if isinstance(number, bool) or not ok_type or not math.isfinite(number):
            raise ValueError(f'must be "auto" or {noun}')
        if number < low or (low_open and number == low) or (high is not None and number > high):
            bound = f"{'>' if low_open else '>='} {low:g}" + (f" and <= {high:g}" if high is not None else "")
            raise ValueError(f'must be "auto" or {bound}')
        return number

    return convert


def _effort(value: Any) -> str:
    if value not in REASONING_EFFORTS:
        raise ValueError(f"must be one of {', '.join(REASONING_EFFORTS)}")
    return str(value)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "n_epochs": _number(int, 1, 50),
    "batch_size": _number(int, 1, 256),
    "learning_rate_multiplier": _number(float, 0, None, low_open=True),
    "learning_rate": _number(float, 0, None, low_open=True),
    "beta": _number(float, 0, 2, low_open=True),
    "reasoning_effort": _effort,
    "compute_multiplier": _number(float, 0.00001, 10, low_open=True),
    "eval_interval": _number(int, 1, None),
    "eval_samples": _number(int, 1, None),
}


def validate_job(spec: JobSpec, *, has_validation_file: bool, target: str = "openai") -> JobSpec:
    """Check ``spec`` against the documented ranges; return it with numbers converted.

    Raises `UsageError` naming every problem, before anything is sent.
    """
    problems: list[str] = []
    method = Method(spec.method)  # an unknown one is a UsageError naming the methods
    values: dict[str, Any] = {"method": method}
    for name, convert in CONVERTERS.items():
        value = getattr(spec, name)
        if value is None:
            continue
        if name in METHOD_OF and METHOD_OF[name] is not method:
            problems.append(f"{name} applies to {METHOD_OF[name].value} jobs only, not {method.value}")
            continue
        try:
            values[name] = convert(value)
        except ValueError as exc:
            problems.append(f"{name} {exc} (got {value!r})")
    values["seed"] = _seed(spec.seed, problems)
    profile = load_target(target)
    _check_suffix(spec.suffix, profile.publish.suffix_max if profile.publish else 64, problems)
    _check_metadata(spec.metadata, problems)
    _check_method(spec, method, has_validation_file, target, problems)
    _check_target_takes(spec, method, profile, problems)
    if problems:
        raise UsageError("Invalid job parameters: " + "; ".join(problems) + ".")
    return replace(spec, **values)


def _seed(seed: Any, problems: list[str]) -> int | None:
    if seed is None:
        return None
    try:
        value = int(seed) if isinstance(seed, str) else seed
    except ValueError:
        value = None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
        problems.append(f"seed must be an integer from 0 to 2147483647 (got {seed!r})")
        return None
    return value


def _check_suffix(suffix: str | None, most: int, problems: list[str]) -> None:
    if suffix is not None and not 1 <= len(suffix) <= most:
        problems.append(f"suffix must be 1 to {most} characters (got {len(suffix)})")


def _check_target_takes(spec: JobSpec, method: Method, target: Target, problems: list[str]) -> None:
    """Options and a method that the target's job request has no place for (its ``[publish]`` table)."""
    if target.publish is None:
        return
    takes = target.publish.parameters
    given = [f.name for f in fields(spec) if f.name in JOB_OPTIONS and getattr(spec, f.name) not in (None, {})]
    for name in given:
        if name not in takes:
            problems.append(f"{target.name} jobs take no {name} (they take: {', '.join(sorted(takes)) or 'none'})")
    if spec.integration is not None and target.publish.wandb == "artifacts":
        problems.append(
            f"{target.name} jobs take no W&B options (prep still logs the files as W&B Artifacts); "
            "leave out --job-wandb"
        )
    if method not in target.publish.methods or method not in target.methods:
        known = ", ".join(m.value for m in target.publish.methods if m in target.methods)
        problems.append(f"prep publishes {known} jobs to {target.name}, not {method.value}")


def _check_metadata(metadata: Mapping[str, Any], problems: list[str]) -> None:
    if len(metadata) > MAX_METADATA:
        problems.append(f"metadata holds at most {MAX_METADATA} pairs (got {len(metadata)})")
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 64:
            problems.append(f"metadata key {key!r} must be 1 to 64 characters")
        if not isinstance(value, str) or len(value) > 512:
            problems.append(f"metadata value of {key!r} must be a string of at most 512 characters")


def _check_method(spec: JobSpec, method: Method, has_valid: bool, target: str, problems: list[str]) -> None:
    if method is Method.REINFORCEMENT:
        if not has_valid:
            problems.append(
                "reinforcement fine-tuning needs a validation file (--valid): the service requires "
                "file ids for both the training and the test data"
            )
        if not isinstance(spec.grader, Mapping) or "type" not in spec.grader:
            problems.append('reinforcement fine-tuning needs a grader (a JSON object with a "type")')
    elif spec.grader is not None:
        problems.append(f"a grader applies to reinforcement jobs only, not {method.value}")
    try:
        info = load_target(target).resolve_model(spec.model)
    except PrepError:
        return  # a model prep has no table entry for: the service decides
    if method not in info.methods:
        allowed = ", ".join(sorted(m.value for m in info.methods))
        problems.append(f"{info.name} supports {allowed} fine-tuning, not {method.value}")


def job_request(
    spec: JobSpec, *, training_file: str, validation_file: str | None = None, metadata: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The keyword arguments of ``client.fine_tuning.jobs.create`` for a validated spec.

    ``metadata`` (prep's own pairs) is merged under the spec's; the total must
    stay within 16 pairs, so prep's pairs are dropped first when it would not.
    """
    method = Method(spec.method)
    section: dict[str, Any] = {}
    if spec.hyperparameters():
        section["hyperparameters"] = spec.hyperparameters()
    if method is Method.REINFORCEMENT and spec.grader is not None:
        section["grader"] = dict(spec.grader)
    body: dict[str, Any] = {"model": spec.model, "training_file": training_file}
    if validation_file is not None:
        body["validation_file"] = validation_file
    body["method"] = {"type": method.value, **({method.value: section} if section else {})}
    for name in ("suffix", "seed"):
        if getattr(spec, name) is not None:
            body[name] = getattr(spec, name)
    extra = dict(metadata or {})
    room = MAX_METADATA - len(spec.metadata)
    merged = {**dict(list(extra.items())[: max(0, room)]), **spec.metadata}
    if merged:
        body["metadata"] = merged
    if spec.integration is not None:
        body["integrations"] = [spec.integration.to_json()]
    return body


def job_key(
    spec: JobSpec, *, base_url: str, train_sha256: str, valid_sha256: str | None, target: str | None = None
) -> str:
    """A stable key for "this job on these files at this endpoint for this target" (the ledger's job key).

    ``target`` None gives the key of ledgers written before jobs were keyed by target.
    """
    data = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name != "integration"}
    data["method"] = Method(spec.method).value
    data["metadata"] = dict(spec.metadata)
    data["grader"] = dict(spec.grader) if spec.grader is not None else None
    data["integration"] = asdict(spec.integration) if spec.integration else None
    data.update(base_url=base_url, train=train_sha256, valid=valid_sha256)
    if target is not None:
        data["target"] = target
    if spec.learning_rate is None:
        del data["learning_rate"]  # as before the option existed: the keys of older ledgers stay valid
    canonical = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
