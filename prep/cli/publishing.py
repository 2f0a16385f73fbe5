"""The ``prep split`` and ``prep publish`` commands (registered on the group in `prep.cli`).

Thin adapters: read options, build the real OpenAI client and W&B tracker from
the environment (the only place that does), call `prep.split` / `prep.publish`,
print progress. API keys come from the environment only, never from options.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from ..errors import PrepError, UsageError
from ..targets.profile import Method
from .options import config_options, table_options

__all__ = ["publish_command", "split_command"]

#: Every key prep may be configured with, besides each target's own (its profile's ``key_env``):
#: kept out of every message, whatever its length.
SECRET_VARIABLES = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "WANDB_API_KEY", "TOGETHER_API_KEY", "FIREWORKS_API_KEY")


def secret_variables() -> tuple[str, ...]:
    """`SECRET_VARIABLES` and the key variable of every built-in target that publishes."""
    from ..targets.loader import available_targets, load_target

    named = (load_target(name).publish for name in available_targets())
    return tuple(dict.fromkeys([*SECRET_VARIABLES, *(p.key_env for p in named if p is not None)]))


def configured_secrets(env: Mapping[str, str], *names: str) -> tuple[str, ...]:
    """The values of every key variable that is set (`secret_variables`, and ``names``: a custom profile's)."""
    return tuple(env[name] for name in dict.fromkeys([*secret_variables(), *names]) if env.get(name))


@click.command("split")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--valid-fraction", type=float, help="Share of examples for validation, 0 < F < 1 (default 0.1).")
@click.option("--valid-count", type=click.IntRange(min=1), help="Validation examples, a number (not a fraction).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed: same input and seed, same files.")
@click.option("-o", "--out-dir", type=click.Path(file_okay=False), help="Write both files here (default: beside PATH).")
@click.option(
    "--stratify/--no-stratify",
    default=None,
    help="Keep each completion's share on both sides (default: for legacy classification data).",
)
@table_options(fold=False)
@click.option("--target", help="Provider profile whose rules and minimum apply: a built-in name or a .toml path.")
@config_options
def split_command(
    path: str,
    valid_fraction: float | None,
    valid_count: int | None,
    seed: int,
    out_dir: str | None,
    stratify: bool | None,
    config_file: str | None,
    isolated: bool,
    **options: Any,
) -> None:
    """Check PATH, then split it into <stem>.train.jsonl and <stem>.valid.jsonl, deterministically.

    JSONL lines are copied byte for byte; CSV, TSV, XLSX and JSON are converted
    as by `prep convert`. Lines with errors are reported and left out of both
    files; exact duplicates stay on one side. Settings come from the project's
    configuration, as for `prep check`. Exit status: 0 split; 1 split, leaving
    out lines with errors; 2 bad invocation. PATH - reads standard input, and
    writes stdin.train.jsonl and stdin.valid.jsonl into -o DIR.
    """
    from dataclasses import replace

    from ..publishing.splitter import split
    from ..reports.reporters import format_issue
    from .checking import stdin_project
    from .stdin import read_stdin, renamed

    given = {k: v for k, v in options.items() if v not in (None, ())}
    project: dict[str, Any] = {"config": config_file, "isolated": isolated}
    with read_stdin((path,), given.get("file_type")) as spooled:
        if spooled is not None and out_dir is None:
            raise UsageError("prep split - (standard input) needs -o DIR, the folder to write both files to.")
        project = stdin_project(project) if spooled else project
        how: dict[str, Any] = {"valid_fraction": valid_fraction, "valid_count": valid_count, "seed": seed}
        r = split(spooled or path, out_dir=out_dir, stratify=stratify, **how, **project, **given)
    if spooled is not None and r.report is not None:
        r = replace(r, report=renamed(r.report, spooled))
    for issue in r.report.issues if r.report else ():
        click.echo(format_issue(issue))
    if r.left_out:
        shown = ", ".join(map(str, r.left_out[:10])) + (", ..." if len(r.left_out) > 10 else "")
        click.echo(
            f"prep: left out {len(r.left_out):,} line(s) with errors ({shown}): they are in neither file.", err=True
        )
    click.echo(
        f"wrote {r.train_path} ({r.train_examples:,} examples) and {r.valid_path} ({r.valid_examples:,} examples)"
    )
    detail = f"{r.groups:,} distinct examples, seed {seed}"
    if r.stratified:
        detail += f", stratified over {r.labels} labels"
    if r.blank_lines:
        detail += f", {r.blank_lines} blank line(s) dropped"
    click.echo(detail)
    for issue in r.issues:
        click.echo(format_issue(issue))
    sys.exit(r.exit_code)


def _metadata(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--metadata")
        out[key] = value
    return out


def _grader(path: str | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        grader = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"Cannot read the grader {path}: {exc}.") from exc
    if not isinstance(grader, dict):
        raise UsageError(f"The grader in {path} must be a JSON object.")
    return grader


def _provider(target: Any, options: Mapping[str, Any], env: Mapping[str, str], integration: Any) -> Any:
    """The target's SDK client, in its adapter; keys and endpoints from the environment and the options.

    A dry run builds no client (and needs no key): its adapter only plans.
    """
    from ..publishing.providers import build_client, open_provider, publish_settings

    settings = publish_settings(target)
    from_env = env.get(settings.base_url_env) if settings.base_url_env else None
    url = options["base_url"] or from_env or settings.base_url  # the profile's endpoint last
    account = env.get(settings.account_env) if settings.account_env else None
    wandb_key = env.get("WANDB_API_KEY") if integration is not None and settings.wandb == "params" else None
    if options["dry_run"]:
        return open_provider(target, None, base_url=url, account=account, job_metadata=options["job_metadata"])
    if url is None:
        where = f" (or {settings.base_url_env})" if settings.base_url_env else ""
        raise UsageError(f"Publishing to {target.name} needs its endpoint: give --base-url{where}.")
    key = env.get(settings.key_env)
    if not key:
        raise PrepError(
            f"No {target.provider} API key: set {settings.key_env} (prep takes keys from the environment only)."
        )
    if settings.account_env and not account:
        raise PrepError(f"No {target.provider} account: set {settings.account_env}.")
    if integration is not None and settings.wandb == "params" and not wandb_key:
        raise UsageError(
            f"--job-wandb sends the W&B key with the {target.name} job: set WANDB_API_KEY "
            "(prep takes keys from the environment only)."
        )
    version = options["api_version"] or (env.get(settings.api_version_env) if settings.api_version_env else None)
    timeout = options["timeout"]
    client = build_client(target, key=key, base_url=url, timeout=timeout, account=account, api_version=version)
    return open_provider(target, client, wandb_key=wandb_key, job_metadata=options["job_metadata"])


def _tracker(no_wandb: bool, project: str, entity: str | None, env: Mapping[str, str]) -> tuple[Any, str | None]:
    """The W&B tracker (or None) and a notice about its mode."""
    from ..publishing.wandb_log import WandbTracker, credentials_configured

    if no_wandb:
        return None, None
    mode = (env.get("WANDB_MODE") or "").lower()
    if mode == "disabled":
        return None, "W&B is disabled (WANDB_MODE=disabled): nothing is logged to W&B."
    if mode in ("offline", "dryrun"):
        return WandbTracker(project=project, entity=entity, mode="offline"), (
            "W&B is offline (WANDB_MODE): runs are written under WANDB_DIR (default ./wandb); "
            "upload them later with: wandb sync <run dir>"
        )
    if mode == "online" or credentials_configured(env):
        return WandbTracker(project=project, entity=entity, mode="online"), None
    return WandbTracker(project=project, entity=entity, mode="offline"), (
        "No W&B credentials found (WANDB_API_KEY or `wandb login`): W&B runs are written offline under WANDB_DIR "
        "(default ./wandb); upload them later with: wandb sync <run dir>"
    )


def _same_project_note(target: Any, wandb_project: str | None, project: str, no_wandb: bool) -> None:
    """A job that logs to W&B natively beside WandbLogger.sync in the same project: say to keep them apart."""
    if wandb_project == project and not no_wandb and target.publish.wandb == "native":
        click.echo(
            f"note: {target.provider}'s W&B integration and WandbLogger.sync both log to {project!r}; "
            "keep them in different projects (--openai-wandb-project; see README).",
            err=True,
        )


def _print_event(event: Any) -> None:
    from ..reports.reporters import REPORTERS

    if event.kind == "report":
        REPORTERS["text"](event.data["report"], sys.stdout)
    elif event.kind == "plan":
        click.echo(f"dry run: {event.message}")
    elif event.kind == "event":
        click.echo(f"  {event.message}")
    elif event.kind in ("note", "wait"):
        click.echo(f"{event.kind}: {event.message}", err=True)
    else:
        click.echo(event.message)


@click.command("publish")
@click.argument("train", type=click.Path(dir_okay=False))
@click.option("--valid", type=click.Path(dir_okay=False), help="Validation file (required for reinforcement).")
@click.option("--model", required=True, help="Base model to fine-tune (prep targets NAME lists the current ones).")
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method], case_sensitive=False),
    default="supervised",
    show_default=True,
)
@click.option("--n-epochs", metavar="auto|1-50")
@click.option("--batch-size", metavar="auto|1-256")
@click.option("--learning-rate-multiplier", metavar="auto|>0", help="OpenAI, Azure and compatible targets.")
@click.option("--learning-rate", metavar="auto|>0", help="An absolute rate (Together, Fireworks).")
@click.option("--beta", metavar="auto|(0,2]", help="DPO only.")
@click.option(
    "--reasoning-effort",
    type=click.Choice(["default", "low", "medium", "high"], case_sensitive=False),
    help="Reinforcement only.",
)
@click.option("--compute-multiplier", metavar="auto|(0.00001,10]", help="Reinforcement only.")
@click.option("--eval-interval", metavar="auto|>=1", help="Reinforcement only.")
@click.option("--eval-samples", metavar="auto|>=1", help="Reinforcement only.")
@click.option("--grader", type=click.Path(dir_okay=False), help="JSON file holding the grader (reinforcement).")
@click.option("--suffix", help="Added to the fine-tuned model's name (up to 64 characters; Together 40).")
@click.option("--seed", help="Job seed, 0-2147483647.")
@click.option("--metadata", "metadata_pairs", multiple=True, metavar="KEY=VALUE", help="Job metadata (repeatable).")
@click.option(
    "--job-wandb",
    is_flag=True,
    help="The job logs its metrics to W&B too, in --project/--entity (OpenAI's integration, Together's wandb_* "
    "parameters, Fireworks' wandb_config; the key from WANDB_API_KEY where the job needs it).",
)
@click.option("--openai-wandb-project", help="As --job-wandb, in this project (OpenAI: keep it apart from --project).")
@click.option("--project", default="OpenAI-Fine-Tune", show_default=True, help="W&B project of the artifacts.")
@click.option("--entity", help="W&B entity (default: your default entity).")
@click.option("--no-wandb", is_flag=True, help="Do not log to W&B.")
@click.option(
    "--target",
    help="Where to publish: openai, azure, together, fireworks, bedrock, or a .toml profile with a [publish] table "
    "(default: the file's target in the project's configuration, else openai). prep targets NAME shows its key.",
)
@click.option("--base-url", help="The target's API base URL (or the variable its profile names, e.g. OPENAI_BASE_URL).")
@click.option("--azure-endpoint", help="Same as --target azure --base-url URL (or AZURE_OPENAI_ENDPOINT).")
@click.option("--api-version", help="Azure OpenAI API version (or OPENAI_API_VERSION; default: the profile's).")
@click.option("--wait", is_flag=True, help="Follow the job to its end, then sync it to W&B (WandbLogger.sync).")
@click.option("--dry-run", is_flag=True, help="Check; print what would be uploaded, logged and created; touch nothing.")
@click.option("--force", is_flag=True, help="Publish even when the check finds errors.")
@click.option(
    "--allow-secrets",
    is_flag=True,
    help="Publish even when the data holds keys, card numbers or IBANs (P501-P503); they stay out of W&B Tables.",
)
@click.option("--new-job", is_flag=True, help="Create a job even if the ledger has one for these files and parameters.")
@click.option(
    "--no-job-metadata",
    is_flag=True,
    help="Send no prep metadata with the job (endpoints that refuse it); an unanswered job creation is then "
    "found again by its files, model and time instead of its prep_key.",
)
@click.option(
    "--poll-interval", type=click.FloatRange(min=0), default=10.0, show_default=True, help="Seconds between polls."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a request to the service may take before prep gives up on it (exit 1).",
)
@click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to wait for another publish using the same ledger before giving up.",
)
@click.option("--no-tokens", is_flag=True, help="Skip token counting in the check.")
@click.option("--tiktoken-dir", type=click.Path(file_okay=False), help="Folder holding <encoding>.tiktoken rank files.")
@click.option("--no-baseline", is_flag=True, help="Count the issues recorded in the baseline too.")
@config_options
def publish_command(
    train: str,
    valid: str | None,
    metadata_pairs: tuple[str, ...],
    grader: str | None,
    job_wandb: bool,
    openai_wandb_project: str | None,
    project: str,
    entity: str | None,
    no_wandb: bool,
    target: str | None,
    base_url: str | None,
    azure_endpoint: str | None,
    api_version: str | None,
    wait: bool,
    dry_run: bool,
    force: bool,
    allow_secrets: bool,
    new_job: bool,
    no_job_metadata: bool,
    poll_interval: float,
    timeout: float,
    lock_wait: float,
    no_tokens: bool,
    tiktoken_dir: str | None,
    no_baseline: bool,
    config_file: str | None,
    isolated: bool,
    **params: Any,
) -> None:
    """Check, upload, log as W&B Artifacts, and create the fine-tuning job, on any target.

    The same steps for every target (--target): check the files as `prep check`
    does (the project's configuration and baseline), upload them through the
    target's SDK, report the provider's own verdict on them as issues (P411),
    log them as W&B Artifacts, create the job. Idempotent: a ledger
    (.prep/ledger.json beside TRAIN) records each step by target, endpoint and
    file hash, so running it again uploads and logs nothing twice, and an
    interrupted publish continues where it stopped; uploads and the job are never
    sent twice blindly (what an unanswered request made is looked up first), and
    one publish at a time uses a ledger. Keys come from the environment only
    (the variable the target's profile names: prep targets NAME).
    """
    from ..publishing.jobs import JobSpec, WandbIntegration
    from ..publishing.publisher import publish, publish_target
    from ..publishing.steps import ProviderRejectedError
    from ..reports.reporters import format_issue
    from ..validation.options import CheckOptions

    env = os.environ
    if azure_endpoint or (target is None and env.get("AZURE_OPENAI_ENDPOINT") and not base_url):
        target, base_url = target or "azure", base_url or azure_endpoint
    profile = publish_target(train, target, config_file, isolated)
    wandb_project = openai_wandb_project or (project if job_wandb else None)
    integration = WandbIntegration(wandb_project, entity) if wandb_project else None
    _same_project_note(profile, wandb_project, project, no_wandb)
    spec = JobSpec(grader=_grader(grader), metadata=_metadata(metadata_pairs), integration=integration, **params)
    tracker, notice = _tracker(no_wandb, project, entity, env)
    if notice:
        click.echo(f"note: {notice}", err=True)
    settings = {"base_url": base_url, "api_version": api_version, "timeout": timeout}
    settings.update(dry_run=dry_run, job_metadata=not no_job_metadata)
    provider = _provider(profile, settings, env, integration)
    options = CheckOptions(tokens=not no_tokens, tiktoken_dir=tiktoken_dir)
    try:
        result = publish(
            train,
            valid=valid,
            job=spec,
            provider=provider,
            tracker=tracker,
            dry_run=dry_run,
            force=force,
            allow_secrets=allow_secrets,
            wait=wait,
            new_job=new_job,
            job_metadata=not no_job_metadata,
            check_options=options,
            config=config_file,
            isolated=isolated,
            use_baseline=not no_baseline,
            on_event=_print_event,
            poll_interval=poll_interval,
            secrets=configured_secrets(env, *([profile.publish.key_env] if profile.publish else [])),
            lock_wait=lock_wait,
        )
    except ProviderRejectedError as exc:
        for issue in exc.issues:
            click.echo(format_issue(issue))
        raise
    except KeyboardInterrupt:
        if wait:
            click.echo(
                "prep: stopped following the job; it keeps running. Run the same command again to follow it.", err=True
            )
        raise
    if result.job_id and not dry_run:
        click.echo(f"job: {result.job_id} ({result.job_status})")
    click.echo(f"ledger: {result.ledger_path}")
