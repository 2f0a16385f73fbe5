"""The W&B step: each uploaded file logged once as a dataset artifact, and the ledger true about it.

Online, ``log_artifact`` waits until W&B has committed the artifact, and the
ledger records it as ``logged`` at once. Offline, the artifact is only in the
run's transaction log once wandb-core has written it, which happens as the run
finishes: the ledger records it as ``pending`` (with the run file), and as
``logged`` only when `confirm` finds it in that file. A run killed in between
leaves it ``pending``; the next publish looks in the run file, and logs the
artifact again if it is not there.
"""

from __future__ import annotations

from typing import Any

from .._version import version
from .ledger import Ledger, now
from .session import Session
from .types import ArtifactTracker, PublishedFile, TrackerRun
from .wandb_runfile import holds_artifact, wait_for_artifacts

#: Codes whose examples never go into a W&B Table.
PERSONAL_CODES = frozenset({"P501", "P502", "P503", "P504", "P505"})

__all__ = ["ArtifactStep"]

#: Issue codes kept in artifact metadata (W&B allows about 100 metadata keys in all).
MAX_CODES = 20
#: Seconds to wait after an offline run's finish for its file to hold the artifacts.
CONFIRM_TIMEOUT = 60.0


class ArtifactStep:
    def __init__(self, s: Session, tracker: ArtifactTracker, files: list[PublishedFile], method: str) -> None:
        self.s = s
        self.tracker = tracker
        self.files = files
        self.method = method

    def key(self, f: PublishedFile) -> str:
        assert f.file_id is not None
        return Ledger.artifact_key(f.file_id, self.s.base, self.tracker.entity, self.tracker.project, self.s.target)

    def entry(self, f: PublishedFile) -> dict[str, Any] | None:
        if not f.file_id:
            return None
        legacy = Ledger.artifact_key(f.file_id, self.s.base, self.tracker.entity, self.tracker.project)
        return self.s.ledger.find("artifacts", self.key(f), legacy)

    def done(self, f: PublishedFile) -> bool:
        """Whether the artifact is known to exist (a pending one is looked for in its run file)."""
        entry = self.entry(f)
        if entry is None:
            return False
        if entry.get("state", "logged") == "logged":
            return True
        if entry.get("run_file") and holds_artifact(entry["run_file"], entry["name"], entry["digest"]):
            self.s.ledger.update("artifacts", self.key(f), state="logged", confirmed_at=now())
            return True
        return False

    def log(self, run: TrackerRun | None, f: PublishedFile) -> None:
        entry = self.entry(f)
        if entry is not None and self.done(f):
            f.artifact = entry["path"]
            self.s.emit("wandb", f"{f.path}: artifact {entry['name']} already logged (ledger)", artifact=f.artifact)
            return
        if entry is not None:
            self.s.emit("wandb", f"{f.path}: artifact {entry['name']} never reached its run file; logging it again")
        assert run is not None and f.file_id is not None
        with self.s.tracker_call(f"logging {f.path} as an artifact"):
            logged = run.log_file(
                f.role, f.file_id, f.path, self.metadata(f), md5=f.md5, redacted_lines=_flagged_lines(f)
            )
        self.s.ledger.update(
            "artifacts",
            self.key(f),
            state="pending" if run.offline else "logged",
            name=logged.name,
            type=logged.type,
            aliases=list(logged.aliases),
            digest=logged.digest,
            path=logged.path,
            file_id=f.file_id,
            sha256=f.sha256,
            run_id=run.run_id,
            entity=run.entity,
            project=run.project,
            offline=run.offline,
            run_dir=run.run_dir,
            run_file=run.run_file,
            logged_at=now(),
        )
        f.artifact, f.logged = logged.path, True
        self.s.emit(
            "wandb",
            f"{f.path}: logged artifact {logged.name} ({logged.type}, aliases {f.file_id}, latest)",
            artifact=logged.path,
        )

    def confirm(self, run: TrackerRun) -> None:
        """After an offline run finished: mark the artifacts its file holds as logged."""
        logged = [f for f in self.files if f.logged and (self.entry(f) or {}).get("state") == "pending"]
        if not logged or not run.offline:
            return
        entries = [self.entry(f) or {} for f in logged]
        held = wait_for_artifacts(run.run_file, [(e["name"], e["digest"]) for e in entries], CONFIRM_TIMEOUT)
        for f, entry, ok in zip(logged, entries, held, strict=True):
            if ok:
                self.s.ledger.update("artifacts", self.key(f), state="logged", confirmed_at=now())
            else:
                self.s.emit(
                    "note",
                    f"W&B: artifact {entry['name']} is not in {run.run_file} yet; the next publish looks again "
                    "and logs it again if it never arrives",
                )

    def metadata(self, f: PublishedFile) -> dict[str, Any]:
        r = f.report
        meta: dict[str, Any] = {
            "sha256": f.sha256,
            "bytes": f.size,
            "source": f.path.name,
            "role": f.role,
            "prep_version": version(),
            "target": self.s.target,
            "file_id": f.file_id,
            "base_url": self.s.base,
            "method": self.method,
        }
        if r is not None:
            meta.update(
                format=r.format.value if r.format else None,
                examples=r.examples,
                check={
                    "ok": r.ok,
                    "errors": r.errors,
                    "warnings": r.warnings,
                    "codes": dict(r.codes.most_common(MAX_CODES)),
                },
                stats=r.stats_summary(),
            )
        return meta

    def entity(self) -> str | None:
        for f in self.files:
            entry = self.entry(f)
            if entry and entry.get("entity"):
                return str(entry["entity"])
        return self.tracker.entity

    def run_dirs(self) -> set[str]:
        dirs = set()
        for f in self.files:
            entry = self.entry(f)
            if entry and entry.get("offline") and entry.get("run_dir"):
                dirs.add(str(entry["run_dir"]))
        return dirs


def _flagged_lines(f: PublishedFile) -> frozenset[int] | None:
    """Lines where the check found a secret or personal data, kept out of W&B Tables; None: not all are known."""
    if f.report is None:
        return frozenset()
    listed = [i.line for i in f.report.issues if i.code in PERSONAL_CODES and i.line is not None]
    if len(listed) < sum(f.report.codes[c] for c in PERSONAL_CODES):  # more than the report lists
        return None
    return frozenset(listed)
