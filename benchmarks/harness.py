"""Benchmark helpers: timed subprocesses with peak RSS, raw tiktoken throughput, tables.

    python benchmarks/harness.py measure -- prep check data.jsonl
    python benchmarks/harness.py tiktoken data.jsonl [--encoding o200k_base] [--distinct]
    python benchmarks/harness.py baseline data.jsonl [--encoding o200k_base]

The machine is noisy: compare figures only as ratios taken in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from tiktoken_offline import ensure_offline_cache, get_encoding

HERE = Path(__file__).resolve().parent
MB = 1e6


@dataclass
class Measurement:
    """One command run: wall time, peak memory (bytes), exit code and output."""

    cmd: list[str]
    wall_s: float
    returncode: int
    max_rss: int  # largest peak RSS of any one process (VmHWM and wait4's ru_maxrss)
    tree_rss: int  # largest sampled sum of current RSS over the process tree
    peaks: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM seen by polling
    stdout: str = ""
    stderr: str = ""
    cpu_s: float = 0.0  # user + system CPU seconds of the command and the processes it waited for (its workers)


def _read_status(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) of `pid` in bytes; (0, 0) once it has exited."""
    hwm = rss = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
                elif line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return hwm, rss


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it (via /proc/<pid>/task/<tid>/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


class TreeSampler(threading.Thread):
    """Polls VmHWM/VmRSS of a process tree until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peaks: dict[int, int] = {}
        self.tree_rss = 0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        total = 0
        for pid in descendants(self.pid):
            hwm, rss = _read_status(pid)
            if hwm:
                self.peaks[pid] = max(self.peaks.get(pid, 0), hwm)
            total += rss
        self.tree_rss = max(self.tree_rss, total)

    def run(self) -> None:
        self.sample()
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(
    cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None, interval: float = 0.02
) -> Measurement:
    """Run `cmd`, returning wall time and peak RSS per process and for the whole tree.

    Polling /proc gives each process's peak (VmHWM) and the summed RSS of all
    processes alive at the same time; os.wait4's ru_maxrss is the fallback when
    the command ended before the first poll.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env, cwd=cwd)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # wait4's ru_maxrss also counts the instant between fork() and exec(), when the child is still a copy
        # of this (possibly large) process; the polled VmHWM restarts at exec, so it is preferred when seen.
        max_rss = max(sampler.peaks.values()) if sampler.peaks else usage.ru_maxrss * 1024
        return Measurement(
            list(cmd),
            wall,
            proc.returncode,
            max_rss,
            sampler.tree_rss,
            dict(sampler.peaks),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_utime + usage.ru_stime,
        )


def iter_message_texts(example: object) -> Iterator[str]:
    """The strings a per-example token counter encodes.

    Every string value of every message (role, content, name, tool_call_id, as the
    Cookbook formula does), the `text` of content parts, and each tool call's
    function name and JSON `arguments`. Top-level `tools` are not included.
    """
    messages = example.get("messages") if isinstance(example, dict) else None
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict):
            continue
        for key, value in message.items():
            if isinstance(value, str):
                yield value
            elif key == "content" and isinstance(value, list):
                yield from (p["text"] for p in value if isinstance(p, dict) and isinstance(p.get("text"), str))
            elif key == "tool_calls" and isinstance(value, list):
                yield from _call_texts(value)


def _call_texts(calls: list) -> Iterator[str]:
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            yield from (function[k] for k in ("name", "arguments") if isinstance(function.get(k), str))


def iter_batches(path: Path, lines_per_batch: int = 1000) -> Iterator[list[str]]:
    """Lists of message strings, one list per `lines_per_batch` lines; unparsable lines are skipped."""
    batch: list[str] = []
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            with contextlib.suppress(orjson.JSONDecodeError):
                batch.extend(iter_message_texts(orjson.loads(line)))
            if number % lines_per_batch == 0:
                yield batch
                batch = []
    yield batch


@dataclass(frozen=True)
class Throughput:
    """Single-core `encode_ordinary` over a file's message strings; only encoding is timed."""

    encoding: str
    distinct: bool
    file_bytes: int
    text_bytes: int
    strings: int
    tokens: int
    seconds: float
    cpu_seconds: float = 0.0

    @property
    def text_mb_s(self) -> float:
        return self.text_bytes / MB / self.seconds

    @property
    def file_mb_s(self) -> float:
        return self.file_bytes / MB / self.seconds


def measure_tiktoken(path: Path, encoding_name: str = "o200k_base", *, distinct: bool = False) -> Throughput:
    """Encode every message string (or, with `distinct`, each distinct one once) on one core."""
    encode = get_encoding(encoding_name).encode_ordinary
    seen: set[str] = set()
    text_bytes = strings = tokens = 0
    seconds = cpu = 0.0
    for batch in iter_batches(path):
        if distinct:
            batch = [s for s in batch if not (s in seen or seen.add(s))]
        start, start_cpu = time.perf_counter(), time.process_time()
        counts = [len(encode(s)) for s in batch]
        seconds += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        tokens += sum(counts)
        strings += len(batch)
        text_bytes += sum(len(s.encode("utf-8")) for s in batch)
    return Throughput(encoding_name, distinct, path.stat().st_size, text_bytes, strings, tokens, seconds, cpu)


def measure_baseline(path: Path, encoding_name: str = "cl100k_base") -> Measurement:
    """Run the Cookbook baseline on `path` in a fresh process."""
    ensure_offline_cache()
    cmd = [sys.executable, str(HERE / "cookbook_baseline.py"), str(path), "--encoding", encoding_name]
    return measure(cmd, env=dict(os.environ))


def format_table(rows: Iterable[dict], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of `rows` (floats with two decimals)."""
    rows = list(rows)
    columns = list(columns or (rows[0] if rows else []))

    def cell(value: object) -> str:
        text = f"{value:,.2f}" if isinstance(value, float) else str(value)
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def measurement_row(name: str, m: Measurement, file_bytes: int | None = None) -> dict:
    row = {"run": name, "wall s": m.wall_s}
    if file_bytes is not None:
        row["file MB/s"] = file_bytes / MB / m.wall_s
    return row | {
        "peak RSS MB (max process)": m.max_rss / MB,
        "peak RSS MB (tree)": m.tree_rss / MB,
        "processes": len(m.peaks),
        "exit": m.returncode,
    }


def throughput_row(t: Throughput) -> dict:
    return {
        "encoding": t.encoding,
        "strings": "distinct" if t.distinct else "all",
        "count": t.strings,
        "text MB": t.text_bytes / MB,
        "tokens": t.tokens,
        "encode s": t.seconds,
        "text MB/s": t.text_mb_s,
        "file MB/s": t.file_mb_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="run a command; print wall time and peak RSS")
    m.add_argument("cmd", nargs=argparse.REMAINDER, help="the command, after --")
    t = sub.add_parser("tiktoken", help="raw one-core tiktoken throughput over a file's message strings")
    t.add_argument("path", type=Path)
    t.add_argument("--encoding", default="o200k_base")
    t.add_argument("--distinct", action="store_true", help="also time encoding each distinct string once")
    b = sub.add_parser("baseline", help="time the Cookbook baseline on a file (fresh process)")
    b.add_argument("path", type=Path)
    b.add_argument("--encoding", default="cl100k_base")
    args = parser.parse_args(argv)
    if args.command == "measure":
        cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        result = measure(cmd)
        print(format_table([measurement_row(" ".join(cmd)[:60], result)]))
        return result.returncode
    if args.command == "tiktoken":
        modes = (False, True) if args.distinct else (False,)
        print(format_table(throughput_row(measure_tiktoken(args.path, args.encoding, distinct=d)) for d in modes))
        return 0
    result = measure_baseline(args.path, args.encoding)
    print(format_table([measurement_row(f"cookbook baseline ({args.encoding})", result, args.path.stat().st_size)]))
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
