"""Start-up cost of the hook: `prep check` on a 20-line JSONL file next to check-jsonschema on the same content.

    python benchmarks/startup.py [--runs 15] [--lines 20]

A pre-commit hook pays its start-up on every commit, so this measures the wall
time of whole processes (interpreter start, imports, reading the file, report),
median of N runs, run in turns so that machine noise hits all commands alike.

check-jsonschema cannot read JSONL (a 2-line .jsonl fails with "Extra data"), so
it gets the same 20 examples as one JSON array, validated against
``schemas/chat.schema.json`` wrapped as ``{"type": "array", "items": <chat schema>}``.
It checks the schema only: prep also checks the service's other rules, and counts
tokens unless ``--no-tokens`` (with the rank file shipped inside prep). ``--no-stats`` is what the
pre-commit hook runs: limits checked, statistics skipped, and examples too small
to reach the limit not tokenized, so the tokenizer is not loaded for small files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "chat_good.jsonl"


def tool(name: str) -> str:
    """A console script installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def write_inputs(folder: Path, lines: int) -> tuple[Path, Path, Path]:
    """The JSONL file, the same examples as a JSON array, and the array schema."""
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()[:lines]
    jsonl = folder / "small.jsonl"
    jsonl.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    array = folder / "small.json"
    array.write_text(json.dumps([json.loads(row) for row in rows]), encoding="utf-8")
    chat = json.loads((REPO / "schemas" / "chat.schema.json").read_text(encoding="utf-8"))
    wrapped = {"$schema": chat.pop("$schema"), "$defs": chat.pop("$defs", {}), "type": "array", "items": chat}
    schema = folder / "chat-array.schema.json"
    schema.write_text(json.dumps(wrapped), encoding="utf-8")
    return jsonl, array, schema


def time_once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return elapsed


def measure(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {label: [] for label in commands}
    for cmd in commands.values():  # warm-up: bytecode caches, page cache
        time_once(cmd, env)
    for _ in range(runs):
        for label, cmd in commands.items():
            times[label].append(time_once(cmd, env))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument("--lines", type=int, default=20, help="examples in the file (default 20)")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    prep, cjs = tool("prep"), tool("check-jsonschema")
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, array, schema = write_inputs(Path(tmp), args.lines)
        commands = {
            "prep check small.jsonl": [prep, "check", str(jsonl)],
            "prep check --no-stats small.jsonl (the hook)": [prep, "check", "--no-stats", str(jsonl)],
            "prep check --no-tokens small.jsonl": [prep, "check", "--no-tokens", str(jsonl)],
            "check-jsonschema --schemafile chat-array.schema.json small.json": [
                cjs,
                "--schemafile",
                str(schema),
                str(array),
            ],
            "python -c pass (interpreter start)": [sys.executable, "-c", "pass"],
        }
        times = measure(commands, args.runs, env)
    medians = {label: statistics.median(t) for label, t in times.items()}
    width = max(map(len, medians))
    print(
        f"{args.lines}-line chat file ({SAMPLE.relative_to(REPO)}), median of {args.runs} runs; "
        "check-jsonschema reads the same examples as one JSON array (it cannot read JSONL)"
    )
    print(f"{'command':{width}}  {'median':>8}  {'min':>8}  {'max':>8}")
    for label, t in times.items():
        print(f"{label:{width}}  {medians[label]:7.3f}s  {min(t):7.3f}s  {max(t):7.3f}s")
    reference = medians["check-jsonschema --schemafile chat-array.schema.json small.json"]
    for label in list(medians)[:3]:
        print(f"{label} / check-jsonschema: {medians[label] / reference:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
