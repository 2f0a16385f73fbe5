"""What the client of a cluster check does per example: merge range scans, then find duplicates.

    python benchmarks/client_merge.py                  # 2,000,000 examples in 32 ranges
    python benchmarks/client_merge.py --examples 5000000

Builds range scans holding only what workers send back for clean examples (a
64-bit hash and a line number each), merges them in order as
`prep.validation.distributed` does, then finishes the file
(`prep.validation.dataset.finish`: duplicates by sorting the hashes). Prints
examples per second for each step and the peak RSS of this process.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from array import array

from tiktoken_offline import ranks_dir

from prep.validation.checker import plan_file, prepare
from prep.validation.dataset import finish
from prep.validation.options import CheckOptions
from prep.validation.scan import FileScan, Plan


def parts(plan: Plan, examples: int, count: int) -> list[FileScan]:
    rnd, per = random.Random(0), examples // count
    out = []
    for _ in range(count):
        scan = FileScan(plan, prepare(plan.options)[2])
        scan.hashes = array("Q", (rnd.getrandbits(64) for _ in range(per)))
        scan.hash_lines = array("Q", range(1, per + 1))
        scan.examples = scan.lines = per
        out.append(scan)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2_000_000)
    parser.add_argument("--ranges", type=int, default=32)
    args = parser.parse_args(argv)
    options = CheckOptions(tiktoken_dir=str(ranks_dir()))
    target, budget, counter = prepare(options)
    example = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    plan = plan_file("merged.jsonl", iter([example]), target, options, budget)
    ranges = parts(plan, args.examples, args.ranges)
    start = time.perf_counter()
    merged = FileScan(plan, counter)
    for scan in ranges:
        merged.merge(scan, line_offset=merged.lines)
    merged_at = time.perf_counter()
    finish(merged)
    done = time.perf_counter()
    n = merged.examples
    print(f"{n:,} examples in {args.ranges} ranges")
    print(f"merge in file order: {n / (merged_at - start):,.0f} examples/s")
    print(f"finish (duplicates by sorting the hashes): {n / (done - merged_at):,.0f} examples/s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
