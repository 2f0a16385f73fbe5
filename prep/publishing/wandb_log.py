"""W&B Artifacts for uploaded fine-tuning files; the only module that imports wandb.

The dataset artifacts are built exactly as W&B's own
``wandb.integration.openai.fine_tuning.WandbLogger`` builds them, so that a
later ``WandbLogger.sync(fine_tune_job_id=...)`` finds and *reuses* them
(shared/docs/wandb-artifacts.md §0, §2.2): name ``train-<file id>`` /
``valid-<file id>``, type ``training_files`` / ``validation_files``, aliases
``<file id>`` and ``latest``, entries ``<file id>`` (the bytes uploaded) and,
only where every record has exactly 3 messages, ``<file id>.table.json``, and
``items`` in the metadata. prep's own facts (sha256, format, statistics, the
check summary) go in the metadata, which is not part of the digest.

prep's Table of *all* examples (any format, with line numbers) is logged to the
run (``run.log({"train_examples": table})``), not added to the artifact: an
extra entry would change the artifact's digest, and with it W&B's dedup of the
version that sync builds itself. W&B stores that Table as a separate
``run-<id>-train_examples`` artifact of the same run, so it sits in the same
lineage graph.
"""

from __future__ import annotations

import json
import netrc
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import require

if TYPE_CHECKING:
    import wandb

__all__ = [
    "DEFAULT_PROJECT",
    "JOB_TYPE",
    "KIND",
    "TABLE_COLUMNS",
    "LoggedArtifact",
    "WandbRun",
    "WandbTracker",
    "artifact_name",
    "build_artifact",
    "compat_table",
    "credentials_configured",
    "examples_table",
    "sync_call",
]

DEFAULT_PROJECT = "OpenAI-Fine-Tune"
JOB_TYPE = "publish-fine-tune-data"
KIND = {"train": "training_files", "valid": "validation_files"}
TABLE_COLUMNS: list[str | int] = ["role: system", "role: user", "role: assistant"]
EXAMPLE_COLUMNS: list[str | int] = ["line", "system", "user", "assistant", "rejected", "messages", "example"]
#: Rows of a run Table that W&B keeps (``wandb.Table.MAX_ROWS``).
MAX_TABLE_ROWS = 10_000


def artifact_name(prefix: str, file_id: str) -> str:
    """The artifact name ``WandbLogger._log_artifact_inputs`` uses."""
    return re.sub(r"[^a-zA-Z0-9_\-.]", "_", f"{prefix}-{file_id}")


def compat_table(raw: bytes) -> wandb.Table | None:
    """``WandbLogger._make_table``'s Table, or None where that raises (no table entry)."""
    import wandb

    try:
        table = wandb.Table(columns=TABLE_COLUMNS)
        for line in raw.decode("utf-8").splitlines():
            if not line.strip():
                continue
            m = json.loads(line)["messages"]
            if len(m) != 3:
                return None
            table.add_data(m[0]["content"], m[1]["content"], m[2]["content"])
        return table
    except Exception:
        return None


def build_artifact(
    prefix: str, file_id: str, path: str | Path, extra_metadata: Mapping[str, Any] | None = None
) -> wandb.Artifact:
    """The dataset artifact for one uploaded file (spec §2.2)."""
    import wandb

    path = Path(path)
    raw = path.read_bytes()
    n_items = sum(1 for line in raw.decode("utf-8", errors="replace").splitlines() if line.strip())
    art = wandb.Artifact(
        artifact_name(prefix, file_id), type=KIND[prefix], metadata={**(extra_metadata or {}), "items": n_items}
    )
    art.add_file(str(path), name=file_id)
    table = compat_table(raw)
    if table is not None:
        art.add(table, file_id)
    return art


def _text(content: Any) -> str | None:
    """Message content as text: text parts joined, images as [image]."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict) and part.get("type") == "image_url":
                parts.append("[image]")
        return "\n".join(parts)
    return json.dumps(content, ensure_ascii=False)


def _last(messages: list[Any], *roles: str) -> str | None:
    for m in reversed(messages):
        if isinstance(m, dict) and m.get("role") in roles:
            if m.get("content") is None and m.get("tool_calls") is not None:
                return json.dumps(m["tool_calls"], ensure_ascii=False)
            return _text(m.get("content"))
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def example_row(line: int, value: Any, text: str) -> list[Any]:
    """One row of prep's examples Table, for any data format."""
    if not isinstance(value, dict):
        return [line, None, None, None, None, None, text]
    if ("prompt" in value or "completion" in value) and "messages" not in value:
        return [line, None, _text(value.get("prompt")), _text(value.get("completion")), None, None, text]
    inp: dict[str, Any] = value["input"] if isinstance(value.get("input"), dict) else value
    messages: list[Any] = inp["messages"] if isinstance(inp.get("messages"), list) else []
    rejected = None
    assistant = _last(messages, "assistant")
    if "preferred_output" in value:
        assistant = _last(_list(value.get("preferred_output")), "assistant")
        rejected = _last(_list(value.get("non_preferred_output")), "assistant")
    system = next(
        (_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") in ("system", "developer")),
        None,
    )
    return [line, system, _last(messages, "user"), assistant, rejected, len(messages), text]


def examples_table(path: str | Path, *, max_rows: int = MAX_TABLE_ROWS) -> tuple[wandb.Table, int, bool]:
    """(Table of the file's examples, rows, truncated?), one row per non-blank line."""
    import wandb

    table = wandb.Table(columns=EXAMPLE_COLUMNS)
    rows, truncated = 0, False
    with Path(path).open("rb") as fp:
        for number, raw in enumerate(fp, 1):
            text = raw.decode("utf-8", errors="replace").strip().lstrip("\ufeff")
            if not text:
                continue
            if rows == max_rows:
                truncated = True
                break
            try:
                value = json.loads(text)
            except ValueError:
                value = None
            table.add_data(*example_row(number, value, text))
            rows += 1
    return table, rows, truncated


def credentials_configured(environ: Mapping[str, str], home: str | Path | None = None) -> bool:
    """Whether W&B would find credentials: WANDB_API_KEY, an identity token, or a .netrc entry."""
    if environ.get("WANDB_API_KEY") or environ.get("WANDB_IDENTITY_TOKEN_FILE"):
        return True
    netrc_path = Path(environ["NETRC"]).expanduser() if environ.get("NETRC") else Path(home or Path.home()) / ".netrc"
    hosts = {urlsplit(environ.get("WANDB_BASE_URL") or "https://api.wandb.ai").hostname, "api.wandb.ai"}
    try:
        entries = netrc.netrc(str(netrc_path))
    except (OSError, netrc.NetrcParseError):
        return False
    return any(host and entries.authenticators(host) for host in hosts)


def sync_call(job_id: str, project: str, entity: str | None) -> str:
    """The Python call that syncs a job into the same lineage, for people to run later."""
    return (
        'python -c "from wandb.integration.openai.fine_tuning import WandbLogger; '
        f"WandbLogger.sync(fine_tune_job_id='{job_id}', project='{project}', entity={entity or None!r})\""
    )


@dataclass(frozen=True)
class LoggedArtifact:
    name: str
    type: str
    aliases: tuple[str, ...]
    digest: str
    path: str  # [entity/]project/name:file_id, what WandbLogger.sync looks up


class WandbRun:
    """One publisher run: log dataset artifacts, record the job, finish."""

    def __init__(self, run: Any, *, examples: bool, table_rows: int) -> None:
        self.run = run
        self.examples = examples
        self.table_rows = table_rows

    @property
    def run_id(self) -> str:
        return str(self.run.id)

    @property
    def entity(self) -> str:
        return str(self.run.entity or "")

    @property
    def project(self) -> str:
        return str(self.run.project)

    @property
    def offline(self) -> bool:
        return bool(self.run.offline)

    @property
    def run_dir(self) -> str:
        return str(self.run.settings.sync_dir)

    @property
    def url(self) -> str | None:
        return None if self.offline else self.run.url

    def log_file(self, prefix: str, file_id: str, path: Path, metadata: Mapping[str, Any]) -> LoggedArtifact:
        meta = dict(metadata)
        if self.examples:
            table, rows, truncated = examples_table(path, max_rows=self.table_rows)
            self.run.log({f"{prefix}_examples": table})
            meta["examples_table"] = {"key": f"{prefix}_examples", "rows": rows, "truncated": truncated}
        art = build_artifact(prefix, file_id, path, meta)
        aliases = ("latest", file_id)
        self.run.log_artifact(art, aliases=list(aliases))
        if not self.offline:
            art.wait()
        where = f"{self.project}/{art.name}:{file_id}"
        qualified = f"{self.entity}/{where}" if self.entity else where
        return LoggedArtifact(art.name, art.type, aliases, art.digest, qualified)

    def record_job(self, job_id: str, request: Mapping[str, Any]) -> None:
        self.run.config.update({"fine_tune_job": dict(request)}, allow_val_change=True)
        self.run.summary["fine_tune_job_id"] = job_id

    def record_error(self, message: str) -> None:
        self.run.summary["publish_error"] = message

    def finish(self, *, exit_code: int = 0) -> None:
        self.run.finish(exit_code=exit_code)


class WandbTracker:
    """Logs to W&B; ``mode`` "offline" writes run files to upload later with ``wandb sync``."""

    def __init__(
        self,
        *,
        project: str = DEFAULT_PROJECT,
        entity: str | None = None,
        mode: str | None = None,
        job_type: str = JOB_TYPE,
        examples: bool = True,
        table_rows: int = MAX_TABLE_ROWS,
    ) -> None:
        require("wandb", "wandb")  # before anything is uploaded
        self.project = project
        self.entity = entity
        self.mode = mode
        self.job_type = job_type
        self.examples = examples
        self.table_rows = table_rows

    @property
    def offline(self) -> bool:
        return self.mode == "offline"

    def start(self, *, config: Mapping[str, Any]) -> WandbRun:
        import wandb

        settings = wandb.Settings(
            console="off", x_disable_stats=True, save_code=False, disable_git=True, quiet=True
        )  # prep prints its own progress; W&B warnings still show
        run = wandb.init(
            project=self.project,
            entity=self.entity,
            job_type=self.job_type,
            config=dict(config),
            mode=self.mode,  # type: ignore[arg-type]  # "online" | "offline" | "disabled", checked by W&B
            settings=settings,
        )
        return WandbRun(run, examples=self.examples, table_rows=self.table_rows)

    def sync(self, *, job_id: str, client: Any, entity: str | None) -> str:
        """Run W&B's own ``WandbLogger.sync`` for the job (needs W&B online)."""
        from wandb.integration.openai.fine_tuning import WandbLogger

        return str(
            WandbLogger.sync(fine_tune_job_id=job_id, openai_client=client, project=self.project, entity=entity or None)
        )
