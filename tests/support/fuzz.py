"""Seeded fuzzing of `prep.check` over every input it takes, and of every reporter over what it finds.

    python -m tests.support.fuzz --inputs 1000000 --seed 1 [--jobs 2]

A case is one call: a JSONL, JSON, CSV, TSV or XLSX file, a list of records, or a
DataFrame, filled with mutated examples (valid ones with a node replaced, random JSON,
lone surrogates, nesting of 200-1,100 levels, integers past 64 bits, keys holding
newlines and ANSI escapes, broken bytes, odd cells). An *input* is one example (a
line, record or row). Each report then goes through every reporter. What may come out
of `prep.check` is a report or a `PrepError` (one sentence: a table whose columns map
to nothing); anything else is a failure, printed with the seed of its case so that
``--case SEED`` replays it.
"""

from __future__ import annotations

import argparse
import collections
import decimal
import io
import json
import math
import multiprocessing
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prep.records.values import canonical_json

KEYS = [
    "messages", "role", "content", "name", "tools", "tool_calls", "tool_call_id", "function", "arguments",
    "type", "text", "image_url", "url", "detail", "weight", "prompt", "completion", "input",
    "preferred_output", "non_preferred_output", "parallel_tool_calls", "functions", "function_call",
    "refusal", "audio", "parameters", "description", "properties", "enum", "id",
]  # fmt: skip
ODD_KEYS = ["", "\n::error file=x::forged", "\x1b[31mred\x1b[0m", "\ud800", "a/b~c", "\r\n", "\u2028", "\x00", "é"]
ROLES = ["system", "user", "assistant", "tool", "function", "developer", "", "User", "\ud83d"]
STRINGS = [
    "Hello", "", " ", "<|endoftext|>", "<|im_start|>", "\\u007c", "\ud800", "\udfff", "\x00", "\x1b[2J",
    "line\nbreak", "::warning::x", "data:image/png;base64,iVBORw0KGgo=", "https://example.invalid/i.png",
    "{\"a\": 1}", "sk-proj-abcdefghijklmnop1234", "4111 1111 1111 1111", "user@example.com", "🙂" * 3,
    "%(x)s", "{0}", "\u202e", "null",
]  # fmt: skip
NUMBERS = [0, 1, -1, 2, 1.5, 1e308, -0.0, 2**64, -(2**70), 10**30, 0.1, 3]
COLUMNS = ["user", "assistant", "system", "question", "answer", "prompt", "completion", "messages", "tools", "x"]


def text(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(STRINGS)
    if rng.random() < 0.02:
        return rng.choice([" ", "a", "ab", "\u00e9"]) * rng.randint(1000, 20_000)
    return "".join(chr(rng.choice([rng.randint(32, 126), rng.randint(0, 0x10FFFF)])) for _ in range(rng.randint(0, 12)))


def nested(rng: random.Random, depth: int) -> Any:
    value: Any = rng.choice(["x", 1, None, {}])
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"content": value}
    return value


def value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value (with a few that only Python's json can hold)."""
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        kind = rng.randrange(5)
        return [text(rng), rng.choice(NUMBERS), rng.random() < 0.5, None, rng.choice(ROLES)][kind]
    if roll < 0.37:
        return nested(rng, rng.randint(200, 1100))
    if roll < 0.65:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [rng.choice(KEYS if rng.random() < 0.85 else ODD_KEYS) for _ in range(rng.randint(0, 5))]
    return {k: value(rng, depth + 1) for k in keys}


def valid_example(rng: random.Random) -> dict[str, Any]:
    kind = rng.randrange(4)
    user, assistant = {"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}
    if kind == 0:
        return {"messages": [{"role": "system", "content": "Be brief."}, user, assistant]}
    if kind == 1:
        return {"prompt": "Q: hi ->", "completion": " hello\n"}
    if kind == 2:
        return {"input": {"messages": [user]}, "preferred_output": [assistant], "non_preferred_output": [assistant]}
    return {"messages": [user], "answer": "x"}


def mutate(rng: random.Random, node: Any, depth: int = 0) -> Any:
    """``node`` with one random part replaced (or a key added, or one removed)."""
    if depth > 5 or rng.random() < 0.25 or not isinstance(node, (dict, list)) or not node:
        return value(rng)
    if isinstance(node, list):
        i = rng.randrange(len(node))
        return [*node[:i], mutate(rng, node[i], depth + 1), *node[i + 1 :]]
    key = rng.choice(list(node))
    out = dict(node)
    roll = rng.random()
    if roll < 0.1:
        del out[key]
    elif roll < 0.2:
        out[rng.choice(KEYS + ODD_KEYS)] = value(rng)
    else:
        out[key] = mutate(rng, node[key], depth + 1)
    return out


def example(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.15:
        return valid_example(rng)
    if roll < 0.85:
        return mutate(rng, valid_example(rng))
    return value(rng)


def to_json(item: Any, *, ensure_ascii: bool = True) -> str:
    """JSON text of ``item``, however deep (json.dumps recurses; prep's canonical writer does not)."""
    try:
        return json.dumps(item, ensure_ascii=ensure_ascii)
    except (RecursionError, ValueError):
        return canonical_json(item, sort_keys=False).decode("ascii")


def dumps(rng: random.Random, item: Any) -> bytes:
    """One JSON line, as some writer might have written it (or slightly broken)."""
    raw = to_json(item, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.05 and raw:
        i = rng.randrange(len(raw))
        raw = raw[:i] + bytes([rng.randrange(256)]) + raw[i + 1 :]
    elif roll < 0.08:
        raw = raw[: rng.randrange(len(raw) + 1)]
    elif roll < 0.1:
        raw = rng.choice([b"", b"   ", b"\xef\xbb\xbf" + raw, raw + b"\r", b"NaN", b'{"a": NaN}', b"[1]"])
    return raw


@dataclass
class Case:
    """One call of `prep.check`: ``source`` and how many examples it holds."""

    seed: int
    kind: str
    inputs: int
    source: Any = None
    files: list[Path] = field(default_factory=list)


def jsonl_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    path = folder / rng.choice(["a.jsonl", "b\nname.jsonl", "c\x1b[31m.jsonl", "d.ndjson"])
    lines = [dumps(rng, example(rng)) for _ in range(n)]
    path.write_bytes(b"\n".join(lines) + rng.choice([b"\n", b"", b"\r\n"]))
    return path, n


def json_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    items = [example(rng) for _ in range(n)]
    data: Any = items if rng.random() < 0.7 else {rng.choice(["data", "rows", "\n"]): items, "other": [1]}
    path = folder / "a.json"
    path.write_bytes(to_json(data, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass"))
    return path, n


def cell(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return text(rng).replace("\x00", "")
    if roll < 0.8:
        return to_json(example(rng))
    return rng.choice(['"', '""', "=1+1", "a,b", "a\tb", "\n", "\r", "-", "NaN", "nan"])


def delimited_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    import csv

    tsv = rng.random() < 0.3
    path = folder / ("a.tsv" if tsv else "a.csv")
    header = rng.sample(COLUMNS, rng.randint(1, 4))
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as fp:
        writer = csv.writer(fp, delimiter="\t" if tsv else ",")
        writer.writerow(header)
        for _ in range(n):
            writer.writerow([cell(rng) for _ in range(rng.randint(0, len(header) + 1))])
    return path, n


def xlsx_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    header = rng.sample(COLUMNS, rng.randint(1, 4))
    sheet.append(header)
    for _ in range(n):
        cells: list[Any] = []
        for _ in range(len(header)):
            c = rng.choice([cell(rng), rng.choice(NUMBERS[:8]), None, True, "=1+1"])
            cells.append(c if not isinstance(c, str) else "".join(ch for ch in c if ch.isprintable() or ch == "\n"))
        sheet.append([c if not (isinstance(c, float) and math.isinf(c)) else 1 for c in cells])
    path = folder / "a.xlsx"
    book.save(path)
    return path, n


def records_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    return [example(rng) for _ in range(n)], n


def odd_cell(rng: random.Random) -> Any:
    return rng.choice(
        [
            decimal.Decimal("1.10"),
            decimal.Decimal("NaN"),
            b"bytes \xff",
            {"a", "b"},
            frozenset({1}),
            float("nan"),
            None,
            {"role": "user"},
            [1, 2],
            complex(1, 2),
            time.gmtime(0),
            text(rng),
            object(),
        ]
    )


def dataframe_case(rng: random.Random, folder: Path, n: int) -> tuple[Any, int]:
    import pandas

    columns = rng.sample(["user", "assistant", "system", "messages"], rng.randint(1, 3))
    rows = [{c: odd_cell(rng) if rng.random() < 0.5 else text(rng) for c in columns} for _ in range(n)]
    return pandas.DataFrame(rows, columns=columns, dtype=object), n  # object cells: any Python value


MAKERS: dict[str, Callable[[random.Random, Path, int], tuple[Any, int]]] = {
    "jsonl": jsonl_case,
    "json": json_case,
    "delimited": delimited_case,
    "records": records_case,
    "dataframe": dataframe_case,
    "xlsx": xlsx_case,
}
WEIGHTS = {"jsonl": 50, "json": 10, "delimited": 12, "records": 15, "dataframe": 10, "xlsx": 3}


def make_case(seed: int, folder: Path, per_case: int = 12, kind: str | None = None) -> Case:
    rng = random.Random(seed)
    drawn = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    kind = kind or drawn
    source, inputs = MAKERS[kind](rng, folder, rng.randint(1, per_case))
    return Case(seed, kind, inputs, source)


REPORTERS = ("text", "json", "github", "sarif", "markdown")
#: Inputs between two progress lines of a long run.
PROGRESS = 50_000


def run_case(case: Case) -> None:
    """Check the case and format its report every way; raise what is not a report or a `PrepError`."""
    import prep
    from prep.reports.reporters import REPORTERS as FORMATS

    try:
        report = prep.check(case.source, model="gpt-4o-mini-2024-07-18", secrets=True)
    except prep.PrepError as exc:
        if "\n" in str(exc):
            raise AssertionError(f"a PrepError of more than one line: {exc!r}") from exc
        return
    for name in REPORTERS:
        out = io.StringIO()
        FORMATS[name](report, out)
        out.getvalue().encode("utf-8")  # what is printed can be printed


def cases(seed: int, count: int) -> Iterator[tuple[int, Path]]:
    for i in range(count):
        with tempfile.TemporaryDirectory(prefix="prep-fuzz-") as folder:
            yield seed * 10_000_000 + i, Path(folder)


@dataclass
class Tally:
    cases: int = 0
    inputs: int = 0
    failures: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)


def fuzz(seed: int, count: int, *, stop_at_inputs: int | None = None, per_case: int = 12) -> Tally:
    """Run ``count`` cases (or until ``stop_at_inputs`` inputs); failures are collected, not raised."""
    tally = Tally()
    for case_seed, folder in cases(seed, count):
        case = make_case(case_seed, folder, per_case)
        try:
            run_case(case)
        except BaseException as exc:  # a tokenizer panic is a BaseException: it is a failure too
            if isinstance(exc, KeyboardInterrupt):
                raise
            tally.failures.append(f"case {case_seed} ({case.kind}): {''.join(traceback.format_exception(exc))}")
            print(f"failure in case {case_seed} ({case.kind}): {exc!r:.200}", file=sys.stderr, flush=True)
        tally.cases += 1
        before, tally.inputs = tally.inputs, tally.inputs + case.inputs
        tally.by_kind[case.kind] = tally.by_kind.get(case.kind, 0) + case.inputs
        if tally.inputs // PROGRESS > before // PROGRESS:  # a line now and then, for long runs
            print(
                f"seed {seed}: {tally.inputs:,} inputs, {len(tally.failures)} failure(s)", file=sys.stderr, flush=True
            )
        if stop_at_inputs is not None and tally.inputs >= stop_at_inputs:
            break
    return tally


def _worker(args: tuple[int, int, int]) -> Tally:
    seed, inputs, per_case = args
    return fuzz(seed, 10**12, stop_at_inputs=inputs, per_case=per_case)


def _signature(failure: str) -> tuple[str, str]:
    """(the last frame in prep, the exception line) of a failure's traceback."""
    lines = failure.rstrip().splitlines()
    frames = [line.strip() for line in lines if line.strip().startswith('File "') and "/prep/" in line]
    return (frames[-1] if frames else "?"), lines[-1][:100]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100_000, help="examples to generate in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--per-case", type=int, default=12, help="most examples in one call (1 to N)")
    parser.add_argument("--case", type=int, help="replay one case by its seed, with its traceback")
    args = parser.parse_args(argv)
    if args.case is not None:
        with tempfile.TemporaryDirectory() as folder:
            run_case(make_case(args.case, Path(folder), args.per_case))
        print("no failure")
        return 0
    start = time.perf_counter()
    shares = [(args.seed * 1000 + j, args.inputs // args.jobs, args.per_case) for j in range(args.jobs)]
    with multiprocessing.Pool(args.jobs) as pool:
        tallies = pool.map(_worker, shares)
    total = Tally()
    for t in tallies:
        total.cases += t.cases
        total.inputs += t.inputs
        total.failures += t.failures
        for k, v in t.by_kind.items():
            total.by_kind[k] = total.by_kind.get(k, 0) + v
    elapsed = time.perf_counter() - start
    print(f"{total.inputs:,} inputs in {total.cases:,} calls of prep.check, {elapsed:,.0f} s, seed {args.seed}")
    print("inputs by kind: " + ", ".join(f"{k} {v:,}" for k, v in sorted(total.by_kind.items())))
    print(f"failures: {len(total.failures)}")
    for (where, what), n in collections.Counter(_signature(f) for f in total.failures).most_common():
        print(f"{n:6} {where}: {what}", file=sys.stderr)
    for failure in total.failures[:3]:
        print(failure, file=sys.stderr)
    return 1 if total.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
