"""Write deterministic, realistic OpenAI chat fine-tuning JSONL for benchmarks.

    python benchmarks/generate.py --size 100MB --seed 0 -o benchmarks/data/chat-100MB.jsonl

The same --seed, --size and options give byte-identical output. Lines are
assembled from text/tool pools built once from the seed, so writing 1 GB takes
a minute or two. With --corrupt-fraction F about that fraction of lines gets
one fault each, and `<output>.corrupted.json` lists their 1-based line numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from conversations import ExampleFactory, Options
from corrupt import KINDS, corrupt_line, dumps

UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
OVERSHOOT = 0.01  # a line that would overshoot the size by more than 1% is skipped
MAX_SKIPS = 1000


def parse_size(text: str) -> int:
    """'100MB' -> 100_000_000 (KB/MB/GB are powers of 1000; KiB/MiB/GiB of 1024)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if not match or match.group(2).upper() not in UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500KB, 100MB, 1GB, 1GiB)")
    return int(float(match.group(1)) * UNITS[match.group(2).upper()])


@dataclass
class Summary:
    """What `generate` wrote."""

    path: Path
    bytes: int = 0
    lines: int = 0
    seconds: float = 0.0
    corrupted: list[dict] = field(default_factory=list)


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + ".corrupted.json")


def iter_lines(factory: ExampleFactory, seed: int, corrupt_fraction: float, ensure_ascii: bool):
    """Yield (line bytes without newline, corruption kind or None) forever.

    Corruption draws come from their own stream, so the examples underneath are
    the same whatever the corrupt fraction.
    """
    rng, faults = random.Random(seed), random.Random(seed + 0x5EED)
    while True:
        example = factory.make(rng)
        if corrupt_fraction and faults.random() < corrupt_fraction:
            kind = faults.choice(KINDS)
            yield corrupt_line(example, kind, faults, ensure_ascii), kind
        else:
            yield dumps(example, ensure_ascii), None


def generate(
    output: Path,
    *,
    size: int,
    seed: int = 0,
    options: Options | None = None,
    corrupt_fraction: float = 0.0,
    ensure_ascii: bool = False,
) -> Summary:
    """Write `size` bytes of JSONL to `output`, or slightly more (normally at most 1%)."""
    start = time.perf_counter()
    factory = ExampleFactory(options or Options(), seed)
    summary = Summary(output)
    skips = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb", buffering=1 << 20) as out:
        for line, kind in iter_lines(factory, seed, corrupt_fraction, ensure_ascii):
            if summary.bytes + len(line) + 1 > size * (1 + OVERSHOOT) and skips < MAX_SKIPS:
                skips += 1
                continue
            out.write(line + b"\n")
            summary.bytes += len(line) + 1
            summary.lines += 1
            if kind:
                summary.corrupted.append({"line": summary.lines, "kind": kind})
            if summary.bytes >= size:
                break
    if corrupt_fraction:
        write_sidecar(summary, seed, corrupt_fraction)
    else:
        sidecar_path(output).unlink(missing_ok=True)  # no stale list from an earlier run
    summary.seconds = time.perf_counter() - start
    return summary


def write_sidecar(summary: Summary, seed: int, corrupt_fraction: float) -> None:
    record = {
        "file": summary.path.name,
        "seed": seed,
        "corrupt_fraction": corrupt_fraction,
        "lines": summary.lines,
        "kinds": list(KINDS),
        "corrupted": summary.corrupted,
    }
    sidecar_path(summary.path).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("-o", "--output", type=Path, required=True, help="JSONL file to write")
    add("--size", type=parse_size, default=parse_size("100MB"), help="target size, e.g. 100MB, 1GB (default 100MB)")
    add("--seed", type=int, default=0, help="random seed (default 0)")
    add(
        "--distinct-system-prompts",
        type=int,
        default=8,
        metavar="N",
        help="size of the shared system-prompt pool (default 8)",
    )
    add(
        "--unique-system-prompts",
        action="store_true",
        help="prefix every system prompt with a unique session header, so no two are equal",
    )
    add("--distinct-tool-sets", type=int, default=4, metavar="N", help="number of distinct `tools` lists (default 4)")
    add(
        "--long-fraction",
        type=float,
        default=0.001,
        metavar="F",
        help="fraction of 20k-80k-token examples (default 0.001)",
    )
    add(
        "--tool-fraction",
        type=float,
        default=0.25,
        metavar="F",
        help="fraction of examples with tools and tool calls (default 0.25)",
    )
    add(
        "--median-tokens",
        type=int,
        default=900,
        metavar="N",
        help="median drawn example length in o200k tokens (default 900)",
    )
    add(
        "--corrupt-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help=f"fraction of lines given one fault; writes <output>.corrupted.json (kinds: {', '.join(KINDS)})",
    )
    add(
        "--ensure-ascii",
        action="store_true",
        help="escape non-ASCII as \\uXXXX (json.dumps default) instead of raw UTF-8",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = Options(
        distinct_system_prompts=args.distinct_system_prompts,
        unique_system_prompts=args.unique_system_prompts,
        distinct_tool_sets=args.distinct_tool_sets,
        long_fraction=args.long_fraction,
        tool_fraction=args.tool_fraction,
        median_tokens=args.median_tokens,
    )
    summary = generate(
        args.output,
        size=args.size,
        seed=args.seed,
        options=options,
        corrupt_fraction=args.corrupt_fraction,
        ensure_ascii=args.ensure_ascii,
    )
    rate = summary.bytes / 1e6 / summary.seconds
    print(
        f"{summary.path}: {summary.lines} lines, {summary.bytes} bytes in {summary.seconds:.1f}s ({rate:.1f} MB/s); "
        f"{len(summary.corrupted)} corrupted",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
