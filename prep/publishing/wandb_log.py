"""W&B Artifacts for uploaded fine-tuning files (with `.wandb_tables` and `.wandb_runfile`, all that imports wandb).

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

import netrc
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import PublishError, require
from .wandb_tables import MAX_TABLE_ROWS, TABLE_COLUMNS, FileTables, read_tables

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
    "credentials_configured",
    "sync_call",
]

DEFAULT_PROJECT = "OpenAI-Fine-Tune"
JOB_TYPE = "publish-fine-tune-data"
KIND = {"train": "training_files", "valid": "validation_files"}


def artifact_name(prefix: str, file_id: str) -> str:
    """The artifact name ``WandbLogger._log_artifact_inputs`` uses."""
    return re.sub(r"[^a-zA-Z0-9_\-.]", "_", f"{prefix}-{file_id}")


def build_artifact(
    prefix: str,
    file_id: str,
    path: str | Path,
    extra_metadata: Mapping[str, Any] | None = None,
    tables: FileTables | None = None,
) -> wandb.Artifact:
    """The dataset artifact for one uploaded file (spec §2.2); ``tables`` from `read_tables` if already read."""
    import wandb

    path = Path(path)
    tables = tables or read_tables(path, examples=False)
    art = wandb.Artifact(
        artifact_name(prefix, file_id), type=KIND[prefix], metadata={**(extra_metadata or {}), "items": tables.items}
    )
    art.add_file(str(path), name=file_id)
    if tables.compat is not None:
        art.add(tables.compat, file_id)
    return art


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

    @property
    def run_file(self) -> str:
        return str(self.run.settings.sync_file)

    def log_file(
        self,
        prefix: str,
        file_id: str,
        path: Path,
        metadata: Mapping[str, Any],
        *,
        md5: str | None = None,
        redacted_lines: Collection[int] | None = (),
    ) -> LoggedArtifact:
        """Log ``path`` as the dataset artifact; ``md5`` (base64): the bytes it must hold, else `PublishError`.

        The examples on ``redacted_lines`` stay out of the Tables; None: every example does (no Tables).
        """
        meta = dict(metadata)
        examples = self.examples and redacted_lines is not None
        lines = redacted_lines if redacted_lines is not None else ()
        tables = read_tables(path, examples=examples, max_rows=self.table_rows, redacted_lines=lines)
        if redacted_lines is None:
            tables.compat = None
            meta["examples_left_out"] = "all"
        if tables.examples is not None:
            self.run.log({f"{prefix}_examples": tables.examples})
            meta["examples_table"] = {"key": f"{prefix}_examples", "rows": tables.rows, "truncated": tables.truncated}
        if redacted_lines:
            meta["examples_left_out"] = len(set(redacted_lines))
        art = build_artifact(prefix, file_id, path, meta, tables)
        if md5 is not None and art.manifest.entries[file_id].digest != md5:
            raise PublishError(
                f"{path} changed after it was checked and uploaded; it was not logged to W&B. "
                "Run again to check and publish the file as it is now."
            )
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
