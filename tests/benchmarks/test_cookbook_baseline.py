from __future__ import annotations

import json
import subprocess
import sys

import cookbook_baseline as cb
import pytest

from tests.benchmarks.conftest import BENCHMARKS
from tests.helpers import COOKBOOK_TOY

TOY = COOKBOOK_TOY

# Rulebook §3.6: the notebook's recorded output (cl100k_base, 4096 cap as in S1b).
ORACLE_4096 = """\
Num examples: 5
First example:
{'role': 'system', 'content': 'You are a happy assistant that puts a positive spin on everything.'}
{'role': 'user', 'content': 'I fell off my bike today.'}
{'role': 'assistant', 'content': "It's great that you're getting exercise outdoors!"}
No errors found
Num examples missing system message: 1
Num examples missing user message: 1

#### Distribution of num_messages_per_example:
min / max: 2, 9
mean / median: 3.8, 3.0
p5 / p95: 2.0, 6.6000000000000005

#### Distribution of num_total_tokens_per_example:
min / max: 26, 8032
mean / median: 1648.4, 45.0
p5 / p95: 26.8, 4863.6

#### Distribution of num_assistant_tokens_per_example:
min / max: 4, 8000
mean / median: 1610.2, 10.0
p5 / p95: 6.0, 4811.200000000001

1 examples may be over the 4096 token limit, they will be truncated during fine-tuning
Dataset has ~4306 tokens that will be charged for during training
By default, you'll train for 20 epochs on this dataset
By default, you'll be charged for ~86120 tokens"""


def test_toy_oracle_text_with_4096_cap():
    assert cb.format_report(cb.run(str(TOY), max_tokens=4096)) == ORACLE_4096


def test_toy_oracle_numbers_cl100k():
    result = cb.run(str(TOY))
    assert result["convo_lens"] == [45, 111, 26, 28, 8032]
    assert result["assistant_message_lens"] == [10, 28, 9, 4, 8000]
    assert (result["n_billing_tokens"], result["n_epochs"], result["n_charged_tokens"]) == (8242, 20, 164840)
    assert result["n_too_long"] == 0
    assert result["format_errors"] == {}


def test_toy_16385_cap_wording():
    text = cb.format_report(cb.run(str(TOY)))
    assert "\n0 examples may be over the 16,385 token limit, they will be truncated during fine-tuning\n" in text
    assert "Dataset has ~8242 tokens that will be charged for during training" in text


def test_toy_oracle_numbers_o200k():
    result = cb.run(str(TOY), encoding_name="o200k_base")
    assert result["convo_lens"] == [43, 106, 26, 27, 8031]
    assert result["assistant_message_lens"] == [8, 25, 9, 3, 8000]
    assert result["n_billing_tokens"] == 8233


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (1, 25),
        (4, 25),
        (5, 20),
        (10, 10),
        (12, 8),
        (26, 3),
        (8333, 3),
        (8334, 2),
        (10_000, 2),
        (12_500, 2),
        (12_501, 1),
    ],
)
def test_default_epochs(n, epochs):
    assert cb.default_epochs(n) == epochs


def test_format_error_keys_in_first_seen_order():
    dataset = [
        ["not", "a", "dict"],
        {"messages": []},
        {"messages": [{"role": "user", "content": "hi"}]},
        {
            "messages": [
                {"role": "tool", "tool_call_id": "c1", "content": "x"},
                {"role": "assistant", "tool_calls": [], "weight": 0},
            ]
        },
    ]
    assert list(cb.format_errors(dataset).items()) == [
        ("data_type", 1),
        ("missing_messages_list", 1),
        ("example_missing_assistant_message", 1),
        ("message_unrecognized_key", 2),
        ("unrecognized_role", 1),
        ("message_missing_key", 1),
        ("missing_content", 1),
    ]


def test_non_string_values_are_skipped_not_fatal(tmp_path):
    calls = [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    line = {
        "messages": [
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": None, "tool_calls": calls, "weight": 0},
            {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
            {"role": "assistant", "content": "Done", "weight": 1},
        ]
    }
    path = tmp_path / "tools.jsonl"
    path.write_text(json.dumps(line) + "\n")
    result = cb.run(str(path))
    encoding = cb.get_encoding("cl100k_base")
    strings = ["user", "Hello", "assistant", "tool", "call_1", "ok", "assistant", "Done"]
    assert result["convo_lens"] == [4 * 3 + 3 + sum(len(encoding.encode(s)) for s in strings)]
    assert result["assistant_message_lens"] == [len(encoding.encode("Done"))]


def test_cli_prints_notebook_text():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "cookbook_baseline.py"), str(TOY), "--max-tokens", "4096"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == ORACLE_4096 + "\n"


def test_cli_help():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "cookbook_baseline.py"), "--help"], capture_output=True, text=True, check=True
    )
    assert "--max-tokens" in done.stdout
