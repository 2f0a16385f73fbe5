"""prep.jobs: the documented parameter ranges (rulebook §2.5) and the job request body."""

from __future__ import annotations

import pytest

from prep.errors import UsageError
from prep.publishing.jobs import JobSpec, WandbIntegration, job_key, job_request, validate_job
from prep.targets.profile import Method

MODEL = "gpt-4o-mini-2024-07-18"
GRADER = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.reference_answer}}",
    "operation": "eq",
}


def valid(**kwargs):
    kwargs.setdefault("model", MODEL)
    has_valid = kwargs.pop("has_valid", False)
    return validate_job(JobSpec(**kwargs), has_validation_file=has_valid)


@pytest.mark.parametrize(
    ("kwargs", "converted"),
    [
        ({"n_epochs": 1}, {"n_epochs": 1}),
        ({"n_epochs": "50"}, {"n_epochs": 50}),
        ({"n_epochs": "auto"}, {"n_epochs": "auto"}),
        ({"batch_size": 256}, {"batch_size": 256}),
        ({"learning_rate_multiplier": "0.05"}, {"learning_rate_multiplier": 0.05}),
        ({"learning_rate_multiplier": 2}, {"learning_rate_multiplier": 2}),
        ({"method": "dpo", "beta": "2", "model": "gpt-4.1-mini"}, {"beta": 2.0}),
        ({"method": "dpo", "beta": 0.1, "model": "gpt-4.1-mini"}, {"beta": 0.1}),
        ({"suffix": "x" * 64}, {"suffix": "x" * 64}),
        ({"seed": "0"}, {"seed": 0}),
        ({"seed": 2147483647}, {"seed": 2147483647}),
    ],
)
def test_values_in_range_are_accepted_and_converted(kwargs: dict, converted: dict) -> None:
    spec = valid(**kwargs)
    for name, value in converted.items():
        assert getattr(spec, name) == value
        assert type(getattr(spec, name)) is type(value)


def test_reinforcement_parameters() -> None:
    spec = valid(
        model="o4-mini-2025-04-16",
        method="reinforcement",
        has_valid=True,
        grader=GRADER,
        reasoning_effort="high",
        compute_multiplier="10",
        eval_interval="1",
        eval_samples=5,
    )
    assert (spec.compute_multiplier, spec.eval_interval, spec.eval_samples) == (10.0, 1, 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_epochs": 0}, 'n_epochs must be "auto" or >= 1 and <= 50'),
        ({"n_epochs": 51}, "n_epochs must be"),
        ({"n_epochs": "3.5"}, 'n_epochs must be "auto" or an integer'),
        ({"n_epochs": 3.0}, "n_epochs must be"),
        ({"n_epochs": True}, "n_epochs must be"),
        ({"batch_size": 257}, "batch_size must be"),
        ({"batch_size": "big"}, "batch_size must be"),
        ({"learning_rate_multiplier": 0}, 'learning_rate_multiplier must be "auto" or > 0'),
        ({"learning_rate_multiplier": "-1"}, "learning_rate_multiplier must be"),
        ({"learning_rate_multiplier": "nan"}, "learning_rate_multiplier must be"),
        ({"method": "dpo", "beta": 0}, "beta must be"),
        ({"method": "dpo", "beta": 2.01}, "beta must be"),
        ({"beta": 0.5}, "beta applies to dpo jobs only, not supervised"),
        ({"reasoning_effort": "low"}, "reasoning_effort applies to reinforcement jobs only"),
        ({"eval_samples": 3}, "eval_samples applies to reinforcement jobs only"),
        ({"suffix": ""}, "suffix must be 1 to 64 characters"),
        ({"suffix": "x" * 65}, "suffix must be 1 to 64 characters (got 65)"),
        ({"seed": -1}, "seed must be an integer from 0 to 2147483647"),
        ({"seed": 2**31}, "seed must be"),
        ({"seed": "one"}, "seed must be"),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata holds at most 16 pairs"),
        ({"metadata": {"k" * 65: "v"}}, "metadata key"),
        ({"metadata": {"k": "v" * 513}}, "metadata value of 'k'"),
        ({"grader": GRADER}, "a grader applies to reinforcement jobs only"),
        ({"model": "gpt-3.5-turbo-0125", "method": "dpo"}, "gpt-3.5-turbo-0125 supports supervised fine-tuning, not"),
    ],
)
def test_values_out_of_range_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match="Invalid job parameters") as info:
        valid(**kwargs)
    assert message in str(info.value)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(UsageError) as info:
        valid(n_epochs=0, batch_size=0, suffix="")
    assert str(info.value).count(";") == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grader": GRADER}, "needs a validation file (--valid)"),
        ({"has_valid": True}, "needs a grader"),
        ({"has_valid": True, "compute_multiplier": 0.00001, "grader": GRADER}, "compute_multiplier must be"),
        ({"has_valid": True, "compute_multiplier": 10.5, "grader": GRADER}, "compute_multiplier must be"),
        ({"has_valid": True, "eval_interval": 0, "grader": GRADER}, "eval_interval must be"),
        ({"has_valid": True, "reasoning_effort": "max", "grader": GRADER}, "reasoning_effort must be one of"),
    ],
)
def test_reinforcement_rules(kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError) as info:
        valid(model="o4-mini", method="reinforcement", **kwargs)
    assert message in str(info.value)


def test_unknown_method_and_unknown_model() -> None:
    with pytest.raises(UsageError, match="Unknown method"):
        valid(method="rlhf")
    assert valid(model="ft:gpt-4o-mini-2024-07-18:org::abc").model.startswith("ft:")
    assert valid(model="my-azure-deployment", method="dpo").method is Method.DPO  # unknown: the service decides


def test_request_puts_hyperparameters_in_the_method_object() -> None:
    spec = valid(
        n_epochs=3,
        learning_rate_multiplier="auto",
        suffix="v1",
        seed=7,
        metadata={"team": "a"},
        integration=WandbIntegration("ft-openai", "me", tags=("x",)),
    )

    body = job_request(spec, training_file="file-t", validation_file="file-v", metadata={"prep_job_key": "k"})

    assert body == {
        "model": MODEL,
        "training_file": "file-t",
        "validation_file": "file-v",
        "method": {
            "type": "supervised",
            "supervised": {"hyperparameters": {"n_epochs": 3, "learning_rate_multiplier": "auto"}},
        },
        "suffix": "v1",
        "seed": 7,
        "metadata": {"prep_job_key": "k", "team": "a"},
        "integrations": [{"type": "wandb", "wandb": {"project": "ft-openai", "entity": "me", "tags": ["x"]}}],
    }
    assert "hyperparameters" not in body


def test_request_for_dpo_and_reinforcement() -> None:
    dpo = job_request(valid(model="gpt-4.1-mini", method="dpo", beta=0.2), training_file="f")
    assert dpo["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}
    assert "validation_file" not in dpo and "metadata" not in dpo
    rft = job_request(
        valid(model="o4-mini", method="reinforcement", has_valid=True, grader=GRADER, reasoning_effort="low"),
        training_file="f",
        validation_file="v",
    )
    assert rft["method"] == {
        "type": "reinforcement",
        "reinforcement": {"hyperparameters": {"reasoning_effort": "low"}, "grader": GRADER},
    }
    assert job_request(valid(), training_file="f")["method"] == {"type": "supervised"}


def test_prep_metadata_gives_way_to_the_users_within_16_pairs() -> None:
    user = {f"u{i}": "v" for i in range(15)}
    body = job_request(valid(metadata=user), training_file="f", metadata={"prep_job_key": "k", "prep_x": "y"})
    assert len(body["metadata"]) == 16
    assert body["metadata"]["prep_job_key"] == "k" and "prep_x" not in body["metadata"]


def test_job_key_is_stable_and_changes_with_what_matters() -> None:
    spec = valid(n_epochs=3)
    key = job_key(spec, base_url="https://a/v1", train_sha256="t", valid_sha256=None)
    assert key == job_key(valid(n_epochs="3"), base_url="https://a/v1", train_sha256="t", valid_sha256=None)
    assert (
        len(
            {
                key,
                job_key(valid(n_epochs=4), base_url="https://a/v1", train_sha256="t", valid_sha256=None),
                job_key(spec, base_url="https://b/v1", train_sha256="t", valid_sha256=None),
                job_key(spec, base_url="https://a/v1", train_sha256="u", valid_sha256=None),
                job_key(spec, base_url="https://a/v1", train_sha256="t", valid_sha256="v"),
            }
        )
        == 5
    )
