from __future__ import annotations

import subprocess
import sys
import textwrap

import harness
from tiktoken_offline import get_encoding

from tests.benchmarks.conftest import BENCHMARKS
from tests.benchmarks.test_cookbook_baseline import TOY

ALLOCATE = "import time; block = bytearray(150 * 2**20); block[::4096] = bytes(len(block[::4096])); time.sleep(0.3)"
WORKER_SCRIPT = textwrap.dedent(f"""
    import subprocess, sys
    subprocess.run([sys.executable, "-c", {ALLOCATE!r}], check=True)
    print("done")
    sys.exit(3)
""")


def test_measure_reports_worker_peak_rss_and_exit_code():
    result = harness.measure([sys.executable, "-c", WORKER_SCRIPT])
    assert result.returncode == 3
    assert result.stdout == "done\n"
    assert result.max_rss > 150 * 2**20
    assert result.tree_rss > 150 * 2**20
    assert len(result.peaks) >= 2


def test_message_texts_cover_strings_parts_and_tool_calls():
    example = {
        "messages": [
            {"role": "user", "name": "ann", "content": [{"type": "text", "text": "look"}, {"type": "image_url"}]},
            {
                "role": "assistant",
                "content": None,
                "weight": 0,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        ],
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    assert list(harness.iter_message_texts(example)) == [
        "user",
        "ann",
        "look",
        "assistant",
        "f",
        "{}",
        "tool",
        "c1",
        "ok",
    ]
    assert list(harness.iter_message_texts(["not", "an", "example"])) == []


def test_measure_tiktoken_counts_every_string():
    encoding = get_encoding("o200k_base")
    strings = [s for batch in harness.iter_batches(TOY) for s in batch]
    result = harness.measure_tiktoken(TOY, "o200k_base")
    assert result.strings == len(strings)
    assert result.tokens == sum(len(encoding.encode_ordinary(s)) for s in strings)
    assert result.text_bytes == sum(len(s.encode()) for s in strings)
    assert result.file_bytes == TOY.stat().st_size
    distinct = harness.measure_tiktoken(TOY, "o200k_base", distinct=True)
    assert distinct.strings == len(set(strings)) < result.strings


def test_format_table():
    table = harness.format_table([{"a": 1.234, "b": "x|y\nz"}, {"a": 2}])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1.23 | x\\|y z |", "| 2 |  |"]


def test_cli_help():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "harness.py"), "--help"], capture_output=True, text=True, check=True
    )
    assert "tiktoken" in done.stdout
