"""The benchmark: `prep check` against raw tiktoken and the Cookbook approach, in one run.

    python benchmarks/run.py                 # ~100 MB file, plus the repeated-vs-unique prompt comparison
    python benchmarks/run.py --big 1GB       # also ~1 GB, to show how time and memory grow
    python benchmarks/run.py --write BENCHMARKS.md

Every figure is measured in this run, on this machine; the targets are checked as
ratios between them, because the machines here are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from generate import generate, parse_size
from harness import MB, Measurement, format_table, measure, measure_baseline, measure_tiktoken

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MIB = 2**20


def data_file(size: str, *, unique: bool = False) -> Path:
    """Generate (once) the benchmark file of this size; seed 0 keeps it identical across runs."""
    from conversations import Options

    path = DATA / f"chat-{size}{'-unique' if unique else ''}.jsonl"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        generate(path, size=parse_size(size), seed=0, options=Options(unique_system_prompts=unique))
    return path


def prep(path: Path, *args: str) -> Measurement:
    result = measure([sys.executable, "-m", "prep", "check", "--format", "json", *args, str(path)])
    if result.returncode not in (0, 1):
        raise SystemExit(f"prep failed ({result.returncode}): {result.stderr}")
    return result


def row(name: str, m: Measurement, path: Path, examples: int) -> dict:
    return {
        "run": name,
        "wall s": m.wall_s,
        "MB/s": path.stat().st_size / MB / m.wall_s,
        "examples/s": f"{examples / m.wall_s:,.0f}",
        "peak RSS MiB (largest process)": m.max_rss / MIB,
        "processes": len(m.peaks),
    }


def issues_of(m: Measurement) -> list:
    return [f["issues"] for f in json.loads(m.stdout)["files"]]


def median_run(results: list) -> object:
    """The run with the median time (of Measurements, or of tiktoken Throughputs)."""
    ordered = sorted(results, key=lambda r: getattr(r, "wall_s", None) or r.seconds)
    return ordered[len(ordered) // 2]


def bench_file(path: Path, cores: int, repeat: int) -> tuple[str, dict]:
    """Every measurement on one file, repeated round-robin; the median run of each, and the target ratios."""
    runs = {
        "raw": lambda: measure_tiktoken(path, "o200k_base"),
        "full": lambda: prep(path),
        "one": lambda: prep(path, "--jobs", "1"),
        "limits": lambda: prep(path, "--no-stats"),
        "structure": lambda: prep(path, "--no-tokens"),
        "cookbook": lambda: measure_baseline(path, "o200k_base"),
        "cookbook_cl100k": lambda: measure_baseline(path, "cl100k_base"),
    }
    results: dict[str, list] = {name: [] for name in runs}
    for _ in range(repeat):  # round-robin, so that a noisy minute hits every measurement alike
        for name, run in runs.items():
            results[name].append(run())
    raw, full, one, limits, structure, cookbook, cookbook_cl100k = (median_run(results[n]) for n in runs)
    examples = json.loads(full.stdout)["summary"]["examples"]
    size = path.stat().st_size / MB
    rows = [
        row(f"prep check (--jobs {cores}, stats)", full, path, examples),
        row("prep check --jobs 1", one, path, examples),
        row("prep check --no-stats (limit-only)", limits, path, examples),
        row("prep check --no-tokens (structure only)", structure, path, examples),
        row("Cookbook approach, o200k_base", cookbook, path, examples),
        row("Cookbook approach, cl100k_base (as the notebook)", cookbook_cl100k, path, examples),
        {
            "run": "raw tiktoken encode_ordinary, one core, all message strings",
            "wall s": raw.seconds,
            "MB/s": raw.file_mb_s,
            "examples/s": f"{examples / raw.seconds:,.0f}",
        },
    ]
    figures = {
        "full MB/s": size / full.wall_s,
        "raw one-core MB/s": raw.file_mb_s,
        "full / (cores x raw)": (size / full.wall_s) / (cores * raw.file_mb_s),
        "full / Cookbook o200k": cookbook.wall_s / full.wall_s,
        "full / Cookbook cl100k": cookbook_cl100k.wall_s / full.wall_s,
        "limit-only MB/s": size / limits.wall_s,
        "limit-only / full": full.wall_s / limits.wall_s,
        "limit-only verdicts equal full": all(issues_of(m) == issues_of(full) for m in results["limits"]),
        "peak RSS MiB": max(m.max_rss for n in ("full", "one", "limits", "structure") for m in results[n]) / MIB,
        "Cookbook peak RSS MiB": cookbook.max_rss / MIB,
    }
    return format_table(rows), figures


def targets_table(f: dict, cores: int) -> str:
    rows = [
        {
            "target": f"full check >= 0.95 x cores ({cores}) x raw one-core tiktoken",
            "measured": f"{f['full / (cores x raw)']:.2f} x "
            f"({f['full MB/s']:.1f} vs {f['raw one-core MB/s']:.1f} MB/s one core)",
            "met": f["full / (cores x raw)"] >= 0.95,
        },
        {
            "target": "full check >= 4 x the Cookbook approach (the notebook counts with cl100k_base)",
            "measured": f"{f['full / Cookbook cl100k']:.2f} x (same encoding, o200k_base: "
            f"{f['full / Cookbook o200k']:.2f} x)",
            "met": f["full / Cookbook cl100k"] >= 4,
        },
        {
            "target": "peak RSS per process <= 150 MiB",
            "measured": f"{f['peak RSS MiB']:.0f} MiB (Cookbook: {f['Cookbook peak RSS MiB']:.0f} MiB)",
            "met": f["peak RSS MiB"] <= 150,
        },
        {
            "target": "limit-only >= 200 MB/s, same verdicts",
            "measured": f"{f['limit-only MB/s']:.0f} MB/s, verdicts equal: {f['limit-only verdicts equal full']}",
            "met": f["limit-only MB/s"] >= 200 and f["limit-only verdicts equal full"],
        },
    ]
    return format_table(rows)


def dedup_table(size: str, repeat: int) -> str:
    """The gain from counting each distinct string once: repeated vs unique system prompts."""
    rows = []
    for unique in (False, True):
        path = data_file(size, unique=unique)
        m = median_run([prep(path, "--jobs", "1") for _ in range(repeat)])
        raw = median_run([measure_tiktoken(path, "o200k_base") for _ in range(repeat)])
        rows.append(
            {
                "file": path.name,
                "system prompts": "unique" if unique else "8 repeated",
                "prep --jobs 1 MB/s": path.stat().st_size / MB / m.wall_s,
                "raw one-core MB/s": raw.file_mb_s,
                "prep / raw": raw.seconds / m.wall_s,
            }
        )
    return format_table(rows)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100MB", help="the main file's size (default 100MB)")
    parser.add_argument("--big", help="also measure a file of this size, e.g. 1GB")
    parser.add_argument("--write", type=Path, help="write the Markdown report to this file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are shown (default 3)")
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    out = [
        f"Machine: {machine()}",
        f"Each figure is the median of {args.repeat} runs, taken round-robin ({max(1, args.repeat // 2)} for --big).",
        "",
    ]
    path = data_file(args.size)
    table, figures = bench_file(path, cores, args.repeat)
    out += [
        f"## {path.name} ({path.stat().st_size / MB:,.1f} MB)",
        "",
        table,
        "",
        "Targets:",
        "",
        targets_table(figures, cores),
        "",
    ]
    out += ["## Counting each distinct string once", "", dedup_table(args.size, args.repeat), ""]
    if args.big:
        big = data_file(args.big)
        table, big_figures = bench_file(big, cores, max(1, args.repeat // 2))
        out += [
            f"## {big.name} ({big.stat().st_size / MB:,.1f} MB)",
            "",
            table,
            "",
            "Targets:",
            "",
            targets_table(big_figures, cores),
            "",
        ]
    startup = HERE / "startup.py"
    if startup.exists():
        result = subprocess.run([sys.executable, str(startup)], capture_output=True, text=True)
        out += ["## Start-up: a 20-line file", "", result.stdout.strip() or result.stderr.strip(), ""]
    report = "\n".join(out)
    print(report)
    if args.write:
        args.write.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
