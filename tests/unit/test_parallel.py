"""The report is the same whatever the number of jobs, and ranges cover every line once."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import prep
import prep.validation.parallel
from prep.validation.encoders import _bindings_path
from prep.validation.parallel import line_ranges
from tests.helpers import chat, generated


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    flags = ("--long-fraction", "0.03", "--corrupt-fraction", "0.1")
    out = generated(tmp_path_factory.mktemp("gen") / "gen.jsonl", "3MB", 21, *flags)
    with out.open("ab") as fp:  # duplicates across ranges, and a last line without a newline
        fp.write(out.read_bytes().splitlines()[5] + b"\n" + out.read_bytes().splitlines()[7])
    return out


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 64])
def test_ranges_cover_every_byte_and_start_on_lines(data, parts):
    ranges = line_ranges(data, parts)
    content = data.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(content)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert all(content[start - 1 : start] == b"\n" for start, _ in ranges[1:])


@pytest.mark.parametrize("options", [{}, {"stats": False}, {"model": "gpt-3.5-turbo-0613"}, {"tokens": False}])
def test_every_number_of_jobs_gives_the_same_report(data, options, monkeypatch):
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    one = prep.check(data, jobs=1, **options)
    for jobs in (2, 3):
        many = prep.check(data, jobs=jobs, **options)
        assert many == one
    assert any(i.code == "P403" for i in one.issues) and one.count(prep.Severity.ERROR) > 10


@pytest.mark.skipif(_bindings_path() is None, reason="bpe-openai has no wheel for this platform")
def test_each_parallel_check_counts_with_the_encoder_it_asks_for(tmp_path, monkeypatch):
    """The encoder loaded before the workers fork is the one asked for, every time: tiktoken counts a text over a
    million characters in pieces (P305), bpe-openai whole, and the process keeps no counter between checks."""
    monkeypatch.setattr(prep.validation.parallel, "MIN_PARALLEL_BYTES", 0)
    long = {"messages": [{"role": "user", "content": "word " * 220_000}, {"role": "assistant", "content": "ok"}]}
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join(json.dumps(long if i == 5 else chat(f"q{i}")) for i in range(40)) + "\n")
    pieces = []
    for backend in ("bpe", "tiktoken", "bpe"):
        monkeypatch.setenv("PREP_TOKENIZER", backend)
        report = prep.check(path, jobs=2, isolated=True)
        assert "P301" in report.files[0].codes, backend
        pieces.append("P305" in report.files[0].codes)
    assert pieces == [False, True, False]


def test_no_tokenizer_in_parallel_reports_structure_and_the_error(data, tmp_path):
    import os

    code = (
        "import sys, pathlib, prep.validation.parallel, prep.validation.encoders, prep.cli; "
        "prep.validation.parallel.MIN_PARALLEL_BYTES = 0; "
        "prep.validation.encoders.PACKAGED = pathlib.Path(sys.argv[2]); "  # an installation without its rank files
        "sys.exit(prep.cli.main(['check', '--jobs', '2', '--isolated', sys.argv[1]]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PREP_TIKTOKEN_DIR", "TIKTOKEN_CACHE_DIR")}
    env["TIKTOKEN_CACHE_DIR"] = str(tmp_path)  # empty: no rank files, and downloads go to a closed port
    env["PREP_TOKENIZER"] = "tiktoken"  # bpe-openai needs no rank file
    result = subprocess.run(
        [sys.executable, "-c", code, str(data), str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert ": P106 Invalid JSON" in result.stdout  # the structural checks ran in the workers
    assert result.stderr.count("Cannot load the o200k_base tokenizer") == 1


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_workers_end_when_the_check_is_killed_without_shutting_them_down(data):
    # While the parent waits for ranges, it is killed with SIGTERM: no handler runs, the pool is not shut down.
    code = (
        "import sys, time, prep.validation.parallel as p, prep.validation.group as g; p.MIN_PARALLEL_BYTES = 0; "
        "g.ScanGroup.merge = lambda *a, **k: time.sleep(3600); "
        "from prep.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, "check", "--jobs", "2", str(data)], stdout=subprocess.PIPE)
    try:
        workers: set[int] = set()
        for _ in range(600):  # until both workers have started (at most a minute)
            workers = _children(parent.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert len(workers) >= 2, "the check started no workers"
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=60)
        for _ in range(600):  # each worker looks for its parent every second
            if not any(_alive(w) for w in workers):
                break
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers)
    finally:
        parent.kill()
        for w in filter(_alive, workers):
            os.kill(w, signal.SIGKILL)
