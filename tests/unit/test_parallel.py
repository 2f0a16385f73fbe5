"""The report is the same whatever the number of jobs, and ranges cover every line once."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

import prep
import prep.validation.parallel
from prep.validation.parallel import line_ranges
from tests.helpers import generated


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
