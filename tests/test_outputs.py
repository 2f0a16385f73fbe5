"""Outputs: the temporary files of an interrupted convert or split are cleaned up by the next run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prep.io import atomic_write_text, clean_stale
from tests.helpers import chat

KILL_BEFORE_RENAME = textwrap.dedent(
    """
    import os, signal, sys

    def fsync_then_die(fd):  # the output is written, not yet renamed into place
        os.kill(os.getpid(), signal.SIGKILL)

    os.fsync = fsync_then_die
    from prep.cli.main import main
    sys.exit(main(sys.argv[1:]))
    """
)


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_temporary_file_of_a_dead_process_is_removed_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    stale = tmp_path / f".out.jsonl.prep-{dead_pid()}-abc123.tmp"
    live = tmp_path / f".out.jsonl.prep-{os.getpid()}-def456.tmp"
    other = tmp_path / f".other.jsonl.prep-{dead_pid()}-x.tmp"
    for path in (stale, live, other):
        path.write_text("partial")

    atomic_write_text(target, "done\n")

    assert target.read_text() == "done\n"
    assert temporaries(tmp_path) == sorted([live.name, other.name])  # only this output's, only the dead process's
    assert clean_stale(tmp_path / "other.jsonl") == [other]


def test_an_interrupted_convert_is_cleaned_up_by_the_next_one(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(chat(f"q{i}", "a")) + "\n" for i in range(12)))
    args = ["convert", str(source), "-o", str(tmp_path / "b.jsonl"), "--no-tokens"]

    killed = subprocess.run([sys.executable, "-c", KILL_BEFORE_RENAME, *args], capture_output=True, timeout=120)
    assert killed.returncode == -9
    [left] = temporaries(tmp_path)
    assert left.startswith(".b.jsonl.prep-") and not (tmp_path / "b.jsonl").exists()

    done = subprocess.run([sys.executable, "-m", "prep", *args], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert temporaries(tmp_path) == [] and (tmp_path / "b.jsonl").exists()


def test_an_interrupted_split_is_cleaned_up_by_the_next_one(tmp_path: Path) -> None:
    source = tmp_path / "all.jsonl"
    source.write_text("".join(json.dumps(chat(f"q{i}", "a")) + "\n" for i in range(40)))
    args = ["split", str(source), "--valid-count", "5"]

    killed = subprocess.run([sys.executable, "-c", KILL_BEFORE_RENAME, *args], capture_output=True, timeout=120)
    assert killed.returncode == -9 and temporaries(tmp_path)

    done = subprocess.run([sys.executable, "-m", "prep", *args], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert temporaries(tmp_path) == []
