"""The OpenAI Cookbook chat-data checker, re-implemented as the benchmark baseline.

Follows "Data preparation and analysis for chat model fine-tuning"
(openai/openai-cookbook examples/Chat_finetuning_data_prep.ipynb; rulebook §3):
the whole file is loaded with one `json.loads` per line into a list (memory
grows with the file), then the 7 format-error keys, the warnings and numpy
distributions, the token counts and the epoch/billing heuristic.

One deliberate change: the notebook's `num_tokens_from_messages` calls
`encoding.encode(value)` on every message value and crashes on the first
non-string (`weight` ints, `tool_calls` lists, `content: null`; cookbook issue
#1270). Here non-string values are skipped so it runs on real data. Other
notebook crashes are kept: invalid JSON or a blank line stops the load, and
special-token text raises ValueError, so run it on clean files.

    python benchmarks/cookbook_baseline.py data.jsonl [--encoding o200k_base] [--max-tokens 16385]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np
from tiktoken_offline import get_encoding

KNOWN_KEYS = ("role", "content", "name", "function_call", "weight")
KNOWN_ROLES = ("system", "user", "assistant", "function")
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def load_dataset(path: str) -> list:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def format_errors(dataset: list) -> dict[str, int]:
    """The notebook's format checks, counted in first-seen order."""
    errors: defaultdict[str, int] = defaultdict(int)
    for ex in dataset:
        if not isinstance(ex, dict):
            errors["data_type"] += 1
            continue
        messages = ex.get("messages", None)
        if not messages:
            errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                errors["message_missing_key"] += 1
            if any(k not in KNOWN_KEYS for k in message):
                errors["message_unrecognized_key"] += 1
            if message.get("role", None) not in KNOWN_ROLES:
                errors["unrecognized_role"] += 1
            content = message.get("content", None)
            function_call = message.get("function_call", None)
            if (not content and not function_call) or not isinstance(content, str):
                errors["missing_content"] += 1
        if not any(message.get("role", None) == "assistant" for message in messages):
            errors["example_missing_assistant_message"] += 1
    return dict(errors)


def num_tokens_from_messages(encoding, messages: list, tokens_per_message: int = 3, tokens_per_name: int = 1) -> int:
    num_tokens = 0
    for message in messages:
        num_tokens += tokens_per_message
        for key, value in message.items():
            if isinstance(value, str):  # the notebook crashes here on non-strings (issue #1270)
                num_tokens += len(encoding.encode(value))
            if key == "name":
                num_tokens += tokens_per_name
    num_tokens += 3
    return num_tokens


def num_assistant_tokens_from_messages(encoding, messages: list) -> int:
    num_tokens = 0
    for message in messages:
        if message["role"] == "assistant" and isinstance(message.get("content"), str):  # was: crash on None
            num_tokens += len(encoding.encode(message["content"]))
    return num_tokens


def distribution(values: list) -> dict:
    """min, max, mean, median and the 10th/90th percentiles (printed as "p5 / p95")."""
    return {
        "min": min(values),
        "max": max(values),
        "mean": np.mean(values),
        "median": np.median(values),
        "p10": np.quantile(values, 0.1),
        "p90": np.quantile(values, 0.9),
    }


def default_epochs(n_train_examples: int) -> int:
    n_epochs = TARGET_EPOCHS
    if n_train_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        n_epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_train_examples)
    elif n_train_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        n_epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_train_examples)
    return n_epochs


def token_stats(dataset: list, encoding) -> dict:
    """The notebook's warnings loop: missing system/user counts and per-example lengths."""
    stats: dict = {
        "n_missing_system": 0,
        "n_missing_user": 0,
        "n_messages": [],
        "convo_lens": [],
        "assistant_message_lens": [],
    }
    for ex in dataset:
        messages = ex["messages"]
        if not any(message["role"] == "system" for message in messages):
            stats["n_missing_system"] += 1
        if not any(message["role"] == "user" for message in messages):
            stats["n_missing_user"] += 1
        stats["n_messages"].append(len(messages))
        stats["convo_lens"].append(num_tokens_from_messages(encoding, messages))
        stats["assistant_message_lens"].append(num_assistant_tokens_from_messages(encoding, messages))
    return stats


def run(path: str, encoding_name: str = "cl100k_base", max_tokens: int = 16385) -> dict:
    """Everything the notebook computes on `path`, as a dict (see `format_report`)."""
    dataset = load_dataset(path)
    result = {
        "num_examples": len(dataset),
        "first_example": dataset[0]["messages"],
        "format_errors": format_errors(dataset),
        "max_tokens": max_tokens,
    }
    result.update(token_stats(dataset, get_encoding(encoding_name)))
    convo_lens = result["convo_lens"]
    result["n_too_long"] = sum(length > max_tokens for length in convo_lens)
    result["n_epochs"] = default_epochs(len(dataset))
    result["n_billing_tokens"] = sum(min(max_tokens, length) for length in convo_lens)
    result["n_charged_tokens"] = result["n_epochs"] * result["n_billing_tokens"]
    return result


def _distribution_lines(values: list, name: str) -> list[str]:
    d = distribution(values)
    return [
        f"\n#### Distribution of {name}:",
        f"min / max: {d['min']}, {d['max']}",
        f"mean / median: {d['mean']}, {d['median']}",
        f"p5 / p95: {d['p10']}, {d['p90']}",
    ]


def format_report(result: dict) -> str:
    """The text the notebook prints, cell by cell."""
    lines = [f"Num examples: {result['num_examples']}", "First example:"]
    lines += [str(message) for message in result["first_example"]]
    errors = result["format_errors"]
    lines += ["Found errors:", *(f"{k}: {v}" for k, v in errors.items())] if errors else ["No errors found"]
    lines += [
        f"Num examples missing system message: {result['n_missing_system']}",
        f"Num examples missing user message: {result['n_missing_user']}",
    ]
    lines += _distribution_lines(result["n_messages"], "num_messages_per_example")
    lines += _distribution_lines(result["convo_lens"], "num_total_tokens_per_example")
    lines += _distribution_lines(result["assistant_message_lens"], "num_assistant_tokens_per_example")
    limit = "16,385" if result["max_tokens"] == 16385 else str(result["max_tokens"])  # S1 vs S1b wording
    lines.append(
        f"\n{result['n_too_long']} examples may be over the {limit} token limit, "
        "they will be truncated during fine-tuning"
    )
    lines += [
        f"Dataset has ~{result['n_billing_tokens']} tokens that will be charged for during training",
        f"By default, you'll train for {result['n_epochs']} epochs on this dataset",
        f"By default, you'll be charged for ~{result['n_charged_tokens']} tokens",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="chat-format JSONL file")
    parser.add_argument(
        "--encoding", default="cl100k_base", help="tiktoken encoding (the notebook hard-codes cl100k_base)"
    )
    parser.add_argument(
        "--max-tokens", type=int, default=16385, help="per-example cap: 16385 (current notebook) or 4096 (older)"
    )
    args = parser.parse_args(argv)
    print(format_report(run(args.path, args.encoding, args.max_tokens)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
