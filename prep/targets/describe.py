"""A target's rules in words (``prep targets NAME``) and one line per target (``prep targets``)."""

from __future__ import annotations

import datetime as dt

from .profile import ModelInfo, Target

__all__ = ["describe_target", "target_line"]


def target_line(target: Target, today: dt.date) -> str:
    """Name, status and what is next on the calendar, in one line."""
    current = target.current_models(None, today)
    when = target.calendar(today) or ""
    models = f"{len(current)} current model(s)" if target.models else "models: any (none listed)"
    return f"{target.name:10} {target.status:13} {target.title}; {models}. {when}".rstrip()


def describe_target(target: Target, today: dt.date | None = None) -> str:
    """Every rule of the profile, in sentences a person can check against the provider's docs."""
    today = today or dt.date.today()
    lines = [f"{target.title} ({target.name}): {target.status}."]
    lines += [f"  {note}" for note in target.notes]
    lines.append("Data:")
    lines += [f"  {line}" for line in _data_rules(target)]
    lines.append("Conversations:")
    lines += [f"  {line}" for line in _conversation_rules(target)]
    lines.append("Images:")
    lines += [f"  {line}" for line in _image_rules(target)]
    lines.append("Models:")
    lines += [f"  {line}" for line in _model_lines(target, today)] or ["  none listed: pass --token-limit"]
    lines.append("Publishing (prep publish --target):")
    lines += [f"  {line}" for line in _publish_lines(target)]
    return "\n".join(lines) + "\n"


#: What a job's own W&B option is, by ``[publish] wandb`` (`.profile.WANDB_MODES`).
_JOB_WANDB = {
    "native": "the job logs to W&B through the provider's integration (--job-wandb; the W&B key stays with it)",
    "params": "the job logs to W&B itself (--job-wandb sends WANDB_API_KEY with the job request)",
    "artifacts": "the job has no W&B option; prep logs the files as W&B Artifacts",
}


def _publish_lines(t: Target) -> list[str]:
    """The ``[publish]`` table in words: SDK, endpoint, key variable, methods and job options."""
    p = t.publish
    if p is None:
        return ["not by prep: convert the data (prep convert --to), then upload it with the provider's own tools"]
    env = f" (or {p.base_url_env})" if p.base_url_env else ""
    where = f"{p.base_url}{env}" if p.base_url else f"the endpoint given with --base-url{env}"
    key = p.key_env + (f", account {p.account_env}" if p.account_env else "")
    methods = ", ".join(m.value for m in p.methods if m in t.methods)
    options = ", ".join(f"--{o.replace('_', '-')}" for o in sorted(p.parameters)) or "none"
    return [
        f"the {p.sdk} SDK at {where}; key from {key} (keys come from the environment only)",
        f"methods: {methods}; job options: {options}",
        _JOB_WANDB[p.wandb],
    ]


def _data_rules(t: Target) -> list[str]:
    methods = "; ".join(f"{m.value}: {', '.join(f.value for f in fs)}" for m, fs in t.methods.items())
    bom = {
        "forbid": "a UTF-8 byte-order mark is an error",
        "recommend": "files should start with a UTF-8 byte-order mark (a missing one is a warning)",
        "require": "files must start with a UTF-8 byte-order mark",
        "allow": "a UTF-8 byte-order mark is allowed",
    }[t.bom]
    size = f"at most {t.max_file_bytes / 2**20:,.0f} MiB a file" if t.max_file_bytes else "no file size limit"
    out = [f"methods and data formats: {methods}", f"at least {t.min_examples:,} example(s); {bom}; {size}"]
    for fmt, rules in t.formats.items():
        bounds = []
        if rules.min_examples is not None:
            bounds.append(f"at least {rules.min_examples:,}")
        if rules.max_examples:
            bounds.append(f"at most {rules.max_examples:,}")
        if rules.max_valid_examples:
            bounds.append(f"validation at most {rules.max_valid_examples:,}")
        keys = ", ".join(sorted(rules.keys)) + (" and any other key" if rules.open else "")
        extra = f"; {', '.join(bounds)} examples" if bounds else ""
        last = f"; ends on {rules.last_role}" if rules.last_role else ""
        out.append(f"{fmt.value}: keys {keys}{extra}{last}")
    if t.special_tokens:
        out.append(f"text must not hold: {' '.join(t.special_tokens)}")
    if t.reserved.words:
        case = ", in any letter case" if t.reserved.ignore_case else ""
        roles = ", ".join(sorted(t.reserved.roles))
        out.append(f"reserved words ({roles} text{case}): {' '.join(t.reserved.words)}")
    return out


def _conversation_rules(t: Target) -> list[str]:
    c = t.conversation
    order = {
        "none": "any order (consecutive same roles are only a warning)",
        "after_system": "after the system message, user and assistant turns alternate, starting with user",
    }[c.alternation]
    system = (
        "only as the first message" if c.system_position == "first" else "anywhere (elsewhere than first is a warning)"
    )
    weight = f"weight 0 or 1 on {', '.join(sorted(c.weight_roles))} messages" if c.weight_roles else "no weight"
    weight += " (0.0 and 1.0 too)" if c.weight_floats and c.weight_roles else ""
    calls = (
        "tool-call arguments as a JSON object" if c.tool_arguments == "object" else "tool-call arguments as a string"
    )
    calls += "" if c.tool_call_ids else ", ids optional"
    out = [order] + [f"a system message: {system}"] * ("system" in t.roles) + [weight]
    out += [calls] * any("tool_calls" in r.keys for r in t.roles.values())
    if c.sample_weight:
        out.append("a top-level weight (a non-negative number) on each example")
    for role, rules in t.roles.items():
        if rules.text_keys:
            out.append(f"{role} messages may hold {', '.join(sorted(rules.text_keys))} (text)")
        if rules.nullable:
            out.append(f"{role} messages may set {', '.join(sorted(rules.nullable))} to null (as if left out)")
        if rules.blocks:
            out.append(f"{role} turns hold blocks of: {', '.join(sorted(rules.blocks))}")
    return out


_SOURCES = {"url": "http(s) URLs", "data": "base64 data URLs", "gs": "gs:// URIs", "s3": "s3:// URIs"}


def _image_rules(t: Target) -> list[str]:
    i = t.images
    how = " or ".join(_SOURCES[s] for s in sorted(i.sources, reverse=True))
    out = [
        f"{', '.join(sorted(i.formats)).upper()} as {how}, in {', '.join(sorted(i.roles))} messages",
        f"at most {i.max_per_example} an example and {i.max_bytes / 2**20:g} MB each; "
        f"at most {i.max_examples:,} examples with images",
    ]
    if i.max_videos:
        out.append(f"at most {i.max_videos} video(s) an example ({', '.join(sorted(i.video_formats)).upper()})")
    if i.path_pattern is not None:
        out.append(f"storage paths match {i.path_pattern.pattern}")
    if i.same_bucket or i.homogeneous:
        rules = ["every media file in one bucket"] * i.same_bucket + ["images or videos, not both"] * i.homogeneous
        out.append(f"a dataset holds {' and '.join(rules)}")
    return out


def _model_lines(t: Target, today: dt.date) -> list[str]:
    out = []
    for m in t.models.values():
        methods = ", ".join(sorted(x.value for x in m.methods))
        state = "" if m.takes_jobs(today) else " (takes no new jobs)"
        dates = [f"new jobs until {m.new_jobs_until}"] if m.new_jobs_until else []
        dates += [f"shuts down {m.shutdown}"] if m.shutdown else []
        when = f"; {', '.join(dates)}" if dates else ""
        limits = f"{m.token_limit:,} tokens" + (f" ({m.dpo_token_limit:,} for DPO)" if m.dpo_token_limit else "")
        estimate = f"{m.encoding}{'' if m.exact_tokens else ', an estimate'}"
        counted = f"its own tokenizer ({m.tokenizer}; else {estimate})" if m.tokenizer else estimate
        out.append(f"{m.name}: {methods}; {limits} with {counted}{when}{state}{_model_rules(m)}; {_prices(m)}")
    return out


def _model_rules(m: ModelInfo) -> str:
    """What differs for the model from its target's rules, in words (empty when nothing)."""
    parts = [f"at least {n:,} {fmt} examples" for fmt, n in m.min_examples.items()]
    parts += [] if m.media else ["no images or videos"]
    parts += [f"images: {', '.join(sorted(m.image_formats))}"] if m.image_formats is not None else []
    parts += [f"{code} is an {sev.value}" for code, sev in sorted(m.severities.items())]
    return f" ({'; '.join(parts)})" if parts else ""


def _prices(m: ModelInfo) -> str:
    """Its training prices with their sources, or that none is known."""
    if not m.prices:
        return "training price unknown"
    said = [f"{method.value} ${p.usd:,.2f} per {p.unit} ({p.source}, {p.date})" for method, p in m.prices.items()]
    return "training price: " + ", ".join(said)
