"""The benchmark: `prep check` against raw tiktoken and the Cookbook approach, in one run, on two data shapes.

    python benchmarks/run.py                 # ~100 MB of each shape, plus the repeated-vs-unique prompt comparison
    python benchmarks/run.py --big 1GB       # also 10 MB and ~1 GB, to show how time and memory grow
    python benchmarks/run.py --write BENCHMARKS.md

The shapes: `chat` (generate.py: ~9.6 KB examples, 8 system prompts and 4 tool sets repeated through
the file) and `short` (shortchat.py: ~2 KB examples, almost nothing repeated). Every figure is measured
in this run, on this machine; the targets are checked as ratios between them, because the machines
here are noisy. prep's modules are compiled first (as pip does when it installs a package), so that an
environment with PYTHONDONTWRITEBYTECODE does not make every start compile them again.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import shortchat
from generate import generate, parse_size
from harness import MB, Measurement, format_table, measure, measure_baseline, measure_tiktoken
from hostile import repeated_char_line

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MIB = 2**20
#: Full check >= this x (cores x raw one-core tiktoken on the file's strings), by shape (issue 15).
FULL_TARGET = {"chat": 1.3, "short": 1.0}


def data_file(size: str, *, unique: bool = False, shape: str = "chat") -> Path:
    """Generate (once) the benchmark file of this size and shape; seed 0 keeps it identical across runs."""
    from conversations import Options

    path = DATA / f"{shape}-{size}{'-unique' if unique else ''}.jsonl"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        if shape == "short":
            shortchat.generate(path, size=parse_size(size), seed=0)
        else:
            generate(path, size=parse_size(size), seed=0, options=Options(unique_system_prompts=unique))
    return path


def prep(path: Path, *args: str, env: dict[str, str] | None = None) -> Measurement:
    command = [sys.executable, "-m", "prep", "check", "--isolated", "--format", "json", *args, str(path)]
    result = measure(command, env={**os.environ, **(env or {})})
    if result.returncode not in (0, 1):
        raise SystemExit(f"prep failed ({result.returncode}): {result.stderr}")
    return result


def row(name: str, m: Measurement, path: Path, examples: int) -> dict:
    return {
        "run": name,
        "wall s": m.wall_s,
        "CPU s": m.cpu_s,
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


def bench_file(path: Path, cores: int, repeat: int, *, light: bool = False) -> tuple[str, dict]:
    """Every measurement on one file, repeated round-robin; the median run of each, and the target ratios.

    ``light`` (for the 1 GB files) leaves out ``--jobs 1`` and the Cookbook approach (which holds the whole
    file in memory: about 1.8 GB for 1 GB, and minutes of one core).
    """
    runs = {
        "raw": lambda: measure_tiktoken(path, "o200k_base"),
        "full": lambda: prep(path),
        "one": lambda: prep(path, "--jobs", "1"),
        "limits": lambda: prep(path, "--no-stats"),
        "structure": lambda: prep(path, "--no-tokens"),
        "cookbook": lambda: measure_baseline(path, "o200k_base"),
        "cookbook_cl100k": lambda: measure_baseline(path, "cl100k_base"),
    }
    if light:
        del runs["one"], runs["cookbook"], runs["cookbook_cl100k"]
    results: dict[str, list] = {name: [] for name in runs}
    for _ in range(repeat):  # round-robin, so that a noisy minute hits every measurement alike
        for name, run in runs.items():
            results[name].append(run())
    median = {name: median_run(found) for name, found in results.items()}
    raw, full, limits = median["raw"], median["full"], median["limits"]
    examples = json.loads(full.stdout)["summary"]["examples"]
    size = path.stat().st_size / MB
    names = {
        "full": f"prep check (--jobs {cores}, stats)",
        "one": "prep check --jobs 1",
        "limits": "prep check --no-stats (limit-only, the hook)",
        "structure": "prep check --no-tokens (structure only)",
        "cookbook": "Cookbook approach, o200k_base",
        "cookbook_cl100k": "Cookbook approach, cl100k_base (as the notebook)",
    }
    rows = [row(label, median[name], path, examples) for name, label in names.items() if name in median]
    rows.append(
        {
            "run": "raw tiktoken encode_ordinary, one core, all message strings",
            "wall s": raw.seconds,
            "CPU s": raw.cpu_seconds,
            "MB/s": raw.file_mb_s,
            "examples/s": f"{examples / raw.seconds:,.0f}",
        }
    )
    cookbook, notebook = median.get("cookbook"), median.get("cookbook_cl100k")
    ours = [m for n in ("full", "one", "limits", "structure") for m in results.get(n, ())]
    figures = {
        "size MB": size,
        "full wall s": full.wall_s,
        "full MB/s": size / full.wall_s,
        "raw one-core MB/s": raw.file_mb_s,
        "full / (cores x raw)": (size / full.wall_s) / (cores * raw.file_mb_s),
        "raw CPU / full CPU": raw.cpu_seconds / full.cpu_s,
        "limit-only MB per CPU s": size / limits.cpu_s,
        "full / Cookbook o200k": cookbook.wall_s / full.wall_s if cookbook else None,
        "full / Cookbook cl100k": notebook.wall_s / full.wall_s if notebook else None,
        "limit-only MB/s": size / limits.wall_s,
        "limit-only / full": full.wall_s / limits.wall_s,
        "limit-only verdicts equal full": all(issues_of(m) == issues_of(full) for m in results["limits"]),
        "peak RSS MiB": max(m.max_rss for m in ours) / MIB,
        "Cookbook peak RSS MiB": notebook.max_rss / MIB if notebook else None,
    }
    return format_table(rows), figures


def targets_table(f: dict, cores: int, shape: str) -> str:
    target = FULL_TARGET[shape]
    o200k = f"{f['full / Cookbook o200k']:.2f} x" if f["full / Cookbook o200k"] else "not run"
    rows = [
        {
            "target": f"full check >= {target} x cores ({cores}) x raw one-core tiktoken",
            "measured": f"{f['full / (cores x raw)']:.2f} x "
            f"({f['full MB/s']:.1f} vs {f['raw one-core MB/s']:.1f} MB/s one core); CPU seconds, raw / prep: "
            f"{f['raw CPU / full CPU']:.2f} x",
            "met": f["full / (cores x raw)"] >= target,
        },
        {
            "target": "full check >= 4 x the Cookbook approach (the notebook counts with cl100k_base)",
            "measured": f"{f['full / Cookbook cl100k']:.2f} x (same encoding, o200k_base: {o200k})"
            if f["full / Cookbook cl100k"]
            else "not run at this size",
            "met": f["full / Cookbook cl100k"] >= 4 if f["full / Cookbook cl100k"] else "-",
        },
        {
            "target": "peak RSS per process <= 150 MiB",
            "measured": f"{f['peak RSS MiB']:.0f} MiB"
            + (f" (Cookbook: {f['Cookbook peak RSS MiB']:.0f} MiB)" if f["Cookbook peak RSS MiB"] else ""),
            "met": f["peak RSS MiB"] <= 150,
        },
        {
            "target": "limit-only >= 200 MB/s, same verdicts",
            "measured": f"{f['limit-only MB/s']:.0f} MB/s ({f['limit-only MB per CPU s']:.0f} MB per CPU second), "
            f"verdicts equal: {f['limit-only verdicts equal full']}",
            "met": f["limit-only MB/s"] >= 200 and f["limit-only verdicts equal full"],
        },
    ]
    return format_table(rows)


def growth_table(figures: list[dict]) -> str:
    """How time and memory grow with the file's size (one shape)."""
    rows = [
        {
            "file MB": f["size MB"],
            "full check s": f["full wall s"],
            "full MB/s": f["full MB/s"],
            "full / (cores x raw)": f["full / (cores x raw)"],
            "raw CPU / full CPU": f["raw CPU / full CPU"],
            "limit-only MB/s": f["limit-only MB/s"],
            "peak RSS MiB": f["peak RSS MiB"],
        }
        for f in figures
    ]
    return format_table(rows)


def one_letter_table(folder: Path) -> str:
    """`prep check --no-stats` on a 60 MB line of one letter, with each tokenizer (tiktoken takes minutes)."""
    path = repeated_char_line(folder)
    rows = []
    for backend in ("bpe", "tiktoken"):
        m = prep(path, "--no-stats", env={"PREP_TOKENIZER": backend})
        codes = sorted({i["code"] for f in json.loads(m.stdout)["files"] for i in f["issues"]})
        rss = m.max_rss / MIB
        rows.append({"tokenizer": backend, "wall s": m.wall_s, "CPU s": m.cpu_s, "peak RSS MiB": rss, "issues": codes})
    path.unlink()
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


def shape_sections(shape: str, args: argparse.Namespace, cores: int) -> list[str]:
    """The tables of one data shape: the main file, then (with --big) how it grows from 10 MB."""
    path = data_file(args.size, shape=shape)
    table, figures = bench_file(path, cores, args.repeat)
    out = [f"## {path.name} ({path.stat().st_size / MB:,.1f} MB)", "", table, "", "Targets:", ""]
    out += [targets_table(figures, cores, shape), ""]
    if not args.big:
        return out
    grown = []
    for size, repeat, light in (("10MB", args.repeat, False), (args.big, 1, True)):
        big = data_file(size, shape=shape)
        table, big_figures = bench_file(big, cores, repeat, light=light)
        grown.append(big_figures)
        out += [f"## {big.name} ({big.stat().st_size / MB:,.1f} MB)", "", table, "", "Targets:", ""]
        out += [targets_table(big_figures, cores, shape), ""]
    ordered = sorted([*grown, figures], key=lambda f: f["size MB"])
    return [*out, f"## {shape}: growth from 10 MB to {args.big}", "", growth_table(ordered), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100MB", help="the main files' size (default 100MB)")
    parser.add_argument("--big", help="also measure 10 MB and files of this size, e.g. 1GB")
    parser.add_argument("--shapes", default="short,chat", help="data shapes, of: short, chat (default both)")
    parser.add_argument("--write", type=Path, help="write the Markdown report to this file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are shown (default 3)")
    args = parser.parse_args(argv)
    compileall.compile_dir(str(HERE.parent / "prep"), quiet=1)
    cores = len(os.sched_getaffinity(0))
    out = [
        f"Machine: {machine()}",
        f"Each figure is the median of {args.repeat} runs, taken round-robin (1 for --big).",
        "",
    ]
    for shape in args.shapes.split(","):
        out += shape_sections(shape, args, cores)
    if "chat" in args.shapes:
        out += ["## Counting each distinct string once", "", dedup_table(args.size, args.repeat), ""]
    out += ["## A 60 MB line of one letter (prep check --no-stats)", "", one_letter_table(DATA), ""]
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
