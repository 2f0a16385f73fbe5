"""Rules about a file as a whole: counts, duplicates, size, BOM, the model, and train/validation leakage.

`finish` adds these issues to a finished `FileScan` and builds the file's
`FileReport`. Only the 64-bit example hashes the scan kept are compared, never
the examples, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Iterator

from ..issues import Severity
from ..reports.report import FileReport
from ..targets.profile import DataFormat, Target
from .scan import FileScan

__all__ = ["duplicates", "finish", "leaks"]


#: Above this many examples, duplicates are found bucket by bucket instead of with one dict of every hash.
SORT_DUPLICATES_ABOVE = 200_000
#: Buckets of the large-file finder, chosen by the top bits of each hash.
BUCKET_BITS = 8


def duplicates(hashes: array[int], lines: array[int]) -> Iterator[tuple[int, int, int]]:
    """(line, line of its first copy, example hash) for every example seen before, in file order.

    Memory: a dict of the distinct hashes for small files; for large ones, about
    12 bytes an example (`_repeated`).
    """
    repeated = _repeated(hashes) if len(hashes) > SORT_DUPLICATES_ABOVE else None
    first: dict[int, int] = {}
    for h, line in zip(hashes, lines, strict=True):
        if repeated is not None and h not in repeated:
            continue
        seen = first.setdefault(h, line)
        if seen != line:
            yield line, seen, h


def _repeated(hashes: array[int]) -> set[int]:
    """The hashes that occur more than once.

    The hashes are copied into buckets by their top bits (8 bytes each), and
    each bucket is searched with a set of its own, so the Python objects alive
    at once are those of one bucket: 1/256 of the file's.
    """
    buckets = [array("Q") for _ in range(1 << BUCKET_BITS)]
    put = [bucket.append for bucket in buckets]
    shift = 64 - BUCKET_BITS
    for h in hashes:
        put[h >> shift](h)
    repeated: set[int] = set()
    while buckets:
        seen: set[int] = set()
        add = seen.add
        repeated.update(h for h in buckets.pop() if h in seen or add(h))  # add() returns None
    return repeated


def finish(scan: FileScan, *, size: int | None = None, role: str = "train", today: dt.date | None = None) -> FileReport:
    """Add the issues about the whole file and build its report.

    ``role`` "valid" applies the rules of a validation file (`_dataset_issues`).
    """
    plan, target, n = scan.plan, scan.plan.target, scan.examples
    for code, message in plan.notes:
        scan.add(code, None, "", message)
    _bom_issues(scan)
    _prompts_only(scan)
    _repeated_issues(scan)
    for line, first, digest in duplicates(scan.hashes, scan.hash_lines):
        scan.add("P403", line, "", f"Exact duplicate of the example on line {first}.", fingerprint=f"{digest:016x}")
    _dataset_issues(scan, n, size, role)
    _media_issues(scan)
    if role == "train" and not plan.skip:
        _model_issues(scan, today or dt.date.today())
    issues = sorted(scan.issues, key=lambda i: i.line or 0)
    severities: Counter[Severity] = Counter()
    for code, count in scan.codes.items():
        severities[target.severity(code)] += count
    ctx = plan.ctx
    return FileReport(
        path=plan.path,
        format=ctx.format if ctx else None,
        method=plan.options.method,
        examples=n,
        issues=issues,
        codes=scan.codes,
        severities=severities,
        stats=scan.stats,
        budget=plan.budget,
        epochs=plan.options.epochs,
        role=role,
    )


def _bom_issues(scan: FileScan) -> None:
    target = scan.plan.target
    if not scan.lines or scan.bom or target.bom not in ("require", "recommend"):
        return
    code, verb = ("P114", "requires") if target.bom == "require" else ("P118", "asks for")
    message = f"{target.provider} {verb} UTF-8 with a byte-order mark, and the file has none"
    scan.add(code, None, "", f"{message}; add one with: prep convert FILE -o OUT.jsonl --bom.")


#: What many lines share, said of one line and of several ("{detail}": what the first holds), and how to fix it
#: ("{path}": the file): one issue per file.
_REPEATED = {
    "P104": (
        "ends with CRLF (Windows line endings)",
        "end with CRLF (Windows line endings)",
        "save the file with LF line endings",
    ),
    "P108": (
        "holds the columns of a table ({detail}), not an example",
        "hold the columns of a table ({detail}), not examples",
        "prep convert {path} -o OUT.jsonl makes chat records of them (see prep convert --help)",
    ),
}


def _prompts_only(scan: FileScan) -> None:
    """A chat file (checked without --method) whose every example is a prompt with no reply looks like reinforcement
    data: one P204 that names the method replaces the P204 of each line. Otherwise (or with one example: nothing
    to tell a file's kind by) each line keeps its own."""
    seen = scan.repeated.pop("P204", None)
    plan, target = scan.plan, scan.plan.target
    method = target.method_of(DataFormat.REINFORCEMENT)
    if seen is None or seen.count < 2 or seen.count != scan.examples or plan.options.method is not None or not method:
        return
    scan.issues[:] = [i for i in scan.issues if i.code != "P204"]
    del scan.codes["P204"]
    scan.add(
        "P204",
        None,
        "",
        "No example has an assistant message, and each ends on a user turn: this looks like reinforcement data "
        f"(prompts for the model to answer and a grader to score), which {target.provider} trains with --method "
        f"{method}; for supervised training, give every example its assistant reply.",
    )


def _repeated_issues(scan: FileScan) -> None:
    """One issue per property of many lines, e.g. "3,340 of 3,400 lines end with CRLF (...), first: 1, 2, 3, …"."""
    for code, seen in sorted(scan.repeated.items()):
        one, many, fix = (text.format(detail=seen.detail, path=scan.plan.path) for text in _REPEATED[code])
        if seen.count == 1:
            said = f"Line {seen.first[0]} {one}"
        elif seen.count == scan.lines:
            said = f"All {seen.count:,} lines {many}"
        else:
            more = ", …" if seen.count > len(seen.first) else ""
            first = ", ".join(str(n) for n in seen.first) + more
            said = f"{seen.count:,} of {scan.lines:,} lines {many}, first: {first}"
        scan.add(code, None, "", f"{said}; {fix}.")


def _dataset_issues(scan: FileScan, n: int, size: int | None, role: str) -> None:
    """Issues about the file as a whole; a validation file needs one example, not the training minimum."""
    plan, target = scan.plan, scan.plan.target
    fmt = plan.ctx.format if plan.ctx else None
    rules = target.formats.get(fmt) if fmt else None
    least = target.min_for(fmt)
    whole, unit = ("The data", "record") if plan.memory else ("File", "example")
    if n == 0:
        scan.add("P115", None, "", f"{whole} holds no {unit}s.")
    elif plan.skip:
        pass  # the target takes no data of this kind: P304 says so, counts are beside the point
    elif role == "train" and n < least:
        scan.add("P401", None, "", f"{whole} has {n} {unit}(s), but {target.provider} needs at least {least}.")
    elif role == "train" and n < target.recommended_examples:
        scan.add("P402", None, "", f"{whole} has {n} {unit}s; {target.recommended_examples} or more are recommended.")
    most = (rules.max_valid_examples if role == "valid" else rules.max_examples) if rules else None
    if rules and most and n > most:
        what = "Validation file" if role == "valid" else whole
        kind = f"{rules.name} validation data" if role == "valid" else f"{rules.name} data"
        scan.add("P405", None, "", f"{what} has {n:,} {unit}s; {target.provider} takes at most {most:,} for {kind}.")
    if scan.image_examples > target.images.max_examples:
        most = target.images.max_examples
        scan.add(
            "P406", None, "", f"{scan.image_examples:,} examples hold images; {target.provider} takes at most {most:,}."
        )
    if size is not None and target.max_file_bytes and size > target.max_file_bytes:
        mib, most_mib = size / 2**20, target.max_file_bytes / 2**20
        scan.add(
            "P407",
            None,
            "",
            f"File is {mib:,.0f} MiB; one upload to {target.provider} takes at most {most_mib:,.0f} MiB.",
        )
    if role == "train" and plan.budget is None and not plan.skip:
        scan.add("P303", None, "", "Token limits were not checked (--no-tokens).")


def _media_issues(scan: FileScan) -> None:
    """Media in more than one bucket, and images beside videos, where the target forbids them (Nova)."""
    who = scan.plan.target.provider
    first, *others = sorted(scan.buckets.items(), key=lambda item: item[1]) or [("", 0)]
    for bucket, line in others:
        scan.add(
            "P409",
            line,
            "",
            f"Media in bucket {bucket!r}, but line {first[1]} has media in {first[0]!r}; {who} reads every "
            "media file from the bucket that holds the dataset: move them into one.",
        )
    if len(scan.media_lines) > 1:
        (kind, start), (later, line) = sorted(scan.media_lines.items(), key=lambda item: item[1])
        scan.add(
            "P410",
            line,
            "",
            f"Example with {later}s, but line {start} holds {kind}s; a {who} dataset holds examples with "
            f"images or with videos, not both: split it into two datasets.",
        )


def _model_issues(scan: FileScan, today: dt.date) -> None:
    """The target and the model against the calendar, and the model against the data."""
    plan, target = scan.plan, scan.plan.target
    fmt = plan.ctx.format if plan.ctx else None
    if target.new_jobs_until and today > target.new_jobs_until:
        scan.add("P302", None, "", f"{target.provider} takes no new fine-tuning jobs after {target.new_jobs_until}.")
        return
    model = plan.budget.model if plan.budget else None
    info = target.models.get(model) if model else None
    if info is None:
        if fmt and target.models and not target.current_models(fmt, today):
            scan.add("P304", None, "", _no_current_model(target, fmt))
        return
    instead = target.current_for(fmt, today)
    if info.shutdown and today >= info.shutdown:
        scan.add("P302", None, "", f"{info.name} was shut down on {info.shutdown} and takes no new jobs; {instead}.")
    elif info.new_jobs_until and today > info.new_jobs_until:
        scan.add("P302", None, "", f"{info.name} takes no new fine-tuning jobs after {info.new_jobs_until}; {instead}.")
    method = plan.options.method or (target.method_of(fmt) if fmt else None)
    if fmt and fmt not in info.formats:
        takes = ", ".join(sorted(f.value for f in info.formats))
        scan.add("P304", None, "", f"{info.name} cannot train on {fmt} data (it takes: {takes}).")
    elif method and method not in info.methods:
        takes = ", ".join(sorted(m.value for m in info.methods))
        scan.add("P304", None, "", f"{info.name} has no {method} training (it has: {takes}).")


def _no_current_model(target: Target, fmt: DataFormat) -> str:
    ended = sorted((m.new_jobs_until or m.shutdown, m.name) for m in target.models.values() if fmt in m.formats)
    was = "; ".join(f"{name} until {day}" for day, name in ended if day)
    return f"No {target.provider} model takes {fmt} data for new jobs any more" + (f" ({was})." if was else ".")


def leaks(train: FileScan, valid: FileScan) -> Iterator[tuple[int, int]]:
    """(validation line, first training line) for each validation example also in training.

    Only the hashes the scans already keep are compared; the lookup table holds
    the validation file's hashes (usually the smaller file), not the examples.
    """
    wanted: dict[int, int] = dict.fromkeys(valid.hashes, 0)
    for h, line in zip(train.hashes, train.hash_lines, strict=True):
        if h in wanted and not wanted[h]:
            wanted[h] = line
    for h, line in zip(valid.hashes, valid.hash_lines, strict=True):
        if wanted[h]:
            yield line, wanted[h]
