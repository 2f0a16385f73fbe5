"""Hostile files: build them, run prep on each, and report time and peak memory.

    python benchmarks/hostile.py [--dir /tmp/prep-hostile] [--only NAME ...] [--keep]

Each probe is one whole `prep` process (`harness.measure`: wall time and the peak RSS of
the largest process), on a file built here: workbooks with one far cell and a zip bomb,
a JSONL file with a 1 GB line, a 60 MB line of one repeated character, a 300 MB JSON
array, a 158 MB CSV. The big files are written to ``--dir`` (default: a folder in /tmp)
and deleted afterwards unless ``--keep``. Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness import measure

PREP = [sys.executable, "-m", "prep"]
MB = 1 << 20


def chat_line(i: int, size: int = 200) -> str:
    text = f"question {i} " + "lorem ipsum " * (size // 12)
    messages = [{"role": "user", "content": text}, {"role": "assistant", "content": f"answer {i}"}]
    return json.dumps({"messages": messages})


def one_cell_workbook(coordinate: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        import openpyxl

        book = openpyxl.Workbook()
        book.active[coordinate] = "x"
        path = folder / f"cell-{coordinate}.xlsx"
        book.save(path)
        return path

    return build


def zip_bomb(folder: Path, gib: float = 4.0) -> Path:
    """A valid workbook whose one sheet inflates to ``gib`` GiB of rows (a few MB compressed)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "user"
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(buf)
    path = folder / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>' + b"a" * 4000 + b"</t></is></c></row>"
    chunk = row * 256
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, source.read(info.filename))
                continue
            sheet = zipfile.ZipInfo(info.filename)
            sheet.compress_type = zipfile.ZIP_DEFLATED
            with out.open(sheet, "w", force_zip64=True) as w:
                w.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(int(gib * (1 << 30)) // len(chunk)):
                    w.write(chunk)
                w.write(b"</sheetData></worksheet>")
    return path


def big_line(folder: Path, size: int = 1 << 30) -> Path:
    """A JSONL file: 20 ordinary lines, one line of ``size`` bytes, 20 more."""
    path = folder / "big-line.jsonl"
    with path.open("w") as fp:
        for i in range(20):
            fp.write(chat_line(i) + "\n")
        fp.write('{"messages": [{"role": "user", "content": "')
        block = "lorem ipsum " * (MB // 12)
        for _ in range(size // len(block)):
            fp.write(block)
        fp.write('"}, {"role": "assistant", "content": "ok"}]}\n')
        for i in range(20, 40):
            fp.write(chat_line(i) + "\n")
    return path


def repeated_char_line(folder: Path, size: int = 60 * MB) -> Path:
    path = folder / "repeated.jsonl"
    with path.open("w") as fp:
        for i in range(20):
            fp.write(chat_line(i) + "\n")
        fp.write('{"messages": [{"role": "user", "content": "' + "a" * size)
        fp.write('"}, {"role": "assistant", "content": "ok"}]}\n')
    return path


def json_array(folder: Path, size: int = 300 * MB) -> Path:
    path = folder / "array.json"
    with path.open("w") as fp:
        fp.write("[\n")
        written, i = 0, 0
        while written < size:
            line = chat_line(i, 2000) + ",\n"
            fp.write(line)
            written, i = written + len(line), i + 1
        fp.write(chat_line(i) + "\n]\n")
    return path


def csv_file(folder: Path, size: int = 158 * MB) -> Path:
    import csv

    path = folder / "table.csv"
    with path.open("w", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["question", "answer"])
        written, i = 0, 0
        while written < size:
            row = [f"question {i} " + "lorem ipsum " * 80, f"answer {i} " + "dolor sit " * 60]
            writer.writerow(row)
            written, i = written + len(row[0]) + len(row[1]) + 4, i + 1
    return path


@dataclass
class Probe:
    name: str
    build: Callable[[Path], Path]
    command: Callable[[Path, Path], list[str]]
    before: str  # the figure issue 14 recorded for the same probe before this work


def check(path: Path, folder: Path) -> list[str]:
    return [*PREP, "check", str(path), "--isolated", "--no-tokens", "--format", "json"]


def check_tokens(path: Path, folder: Path) -> list[str]:
    return [*PREP, "check", str(path), "--isolated", "--no-stats", "--format", "json"]


def split(path: Path, folder: Path) -> list[str]:
    return [*PREP, "split", str(path), "-o", str(folder / "split"), "--valid-count", "5"]


def convert(path: Path, folder: Path) -> list[str]:
    return [*PREP, "convert", str(path), "-o", str(folder / "converted.jsonl"), "--no-tokens", "--force"]


PROBES = [
    Probe("xlsx-XFD1048576", one_cell_workbook("XFD1048576"), check, "all memory"),
    Probe("xlsx-B1048576", one_cell_workbook("B1048576"), check, "about 60 s, 1 GB"),
    Probe("xlsx-zip-bomb-4GiB", zip_bomb, check, "5.7 GB"),
    Probe("split-1GB-line", big_line, split, "3.2 GB"),
    Probe("check-1GB-line", big_line, check, "-"),
    Probe("check-60MB-repeated-char", repeated_char_line, check_tokens, "84 s, 3.2 GB"),
    Probe("check-300MB-json-array", json_array, check, "2.3 GB"),
    Probe("convert-158MB-csv", csv_file, convert, "1.9 GB"),
]


def _said(stdout: str, stderr: str) -> str:
    """The issue codes of a JSON report, else the last line on stderr."""
    try:
        report = json.loads(stdout)
        codes = sorted({i["code"] for f in report["files"] for i in f["issues"]})
        return "issues " + ", ".join(codes) if codes else "no issue"
    except ValueError:
        return (stderr.strip().splitlines() or [""])[-1][:120].replace("|", "/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, help="where to build the files (default: a new folder in /tmp)")
    parser.add_argument("--only", nargs="*", help="probe names to run")
    parser.add_argument("--keep", action="store_true", help="keep the files built")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="prep-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    built: dict[Callable[[Path], Path], Path] = {}
    print("| probe | file | wall s | peak RSS MiB | exit | before (issue 14) | what prep said |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    try:
        for probe in PROBES:
            if args.only and probe.name not in args.only:
                continue
            path = built.get(probe.build) or probe.build(folder)
            built[probe.build] = path
            m = measure(probe.command(path, folder))
            said = _said(m.stdout, m.stderr)
            bytes_ = path.stat().st_size
            size = f"{bytes_ / MB:,.1f} MB" if bytes_ >= MB else f"{bytes_ / 1024:,.1f} KB"
            print(
                f"| {probe.name} | {size} | {m.wall_s:.2f} | {m.max_rss / MB:,.0f} | {m.returncode} | "
                f"{probe.before} | {said} |",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
