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

from prep.validation.checker import CheckRun, plan_file, prepare
from prep.validation.dataset import finish
from prep.validation.group import ScanGroup
from prep.validation.options import CheckOptions
from prep.validation.scan import Plan


def parts(plans: list[Plan], run: CheckRun, examples: int, count: int) -> list[ScanGroup]:
    """Range scans as workers send them back for clean examples: a hash and a line number each."""
    rnd, per = random.Random(0), examples // count
    out = []
    for _ in range(count):
        group = ScanGroup(plans, run.tokenizers)
        scan = group.scans[0]
        scan.hashes = array("Q", (rnd.getrandbits(64) for _ in range(per)))
        scan.hash_lines = array("Q", range(1, per + 1))
        scan.examples = scan.lines = per
        out.append(group)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2_000_000)
    parser.add_argument("--ranges", type=int, default=32)
    args = parser.parse_args(argv)
    run = prepare(CheckOptions())
    example = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    plans = plan_file("merged.jsonl", iter([example]), run)
    ranges = parts(plans, run, args.examples, args.ranges)
    start = time.perf_counter()
    merged = ScanGroup(plans, run.tokenizers)
    for group in ranges:
        merged.merge(group, line_offset=merged.lines)
    merged_at = time.perf_counter()
    finish(merged.scans[0], today=run.today)
    done = time.perf_counter()
    n = merged.scans[0].examples
    print(f"{n:,} examples in {args.ranges} ranges")
    print(f"merge in file order: {n / (merged_at - start):,.0f} examples/s")
    print(f"finish (duplicates by sorting the hashes): {n / (done - merged_at):,.0f} examples/s")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
