"""Counting with an open model's own tokenizer: prep's exact path next to transformers and to prep's tiktoken path.

    python benchmarks/exact_counts.py [--size 2MB] [--seed 3]

A real-size tokenizer is built from the o200k_base rank file shipped in prep (201k tokens, converted to a
`tokenizers` BPE by transformers' own converter, as the tests do) with Qwen2.5's chat template and ChatML
special tokens, in a temporary folder: nothing is downloaded. On the same generated chat file (tools, parallel
calls, long examples) it times, in one process each:

- ``prep.check(..., tokenizer=FOLDER, stats=True, jobs=1)``: rendering, tokenizing and the trained spans;
- transformers' ``AutoTokenizer`` and ``apply_chat_template(..., tokenize=True)`` on every example: the totals only;
- ``prep.check(..., jobs=1)``: the tiktoken path, unchanged by the exact path.

It also checks that prep's totals equal transformers' on every example. Figures are examples per second and
ratios; the machine's load moves both sides alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build_folder(root: Path) -> Path:
    """o200k_base as a `tokenizers` BPE with ChatML tokens and Qwen2.5's template, laid out as on the Hub."""
    from tiktoken_offline import get_encoding, o200k_as_tokenizers
    from tokenizers import AddedToken

    tok = o200k_as_tokenizers(get_encoding("o200k_base")._pat_str)
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in ("<|endoftext|>", "<|im_start|>", "<|im_end|>")]
    )
    tok.add_tokens(
        [
            AddedToken(t, special=False, normalized=False)
            for t in ("<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>")
        ]
    )
    tok.save(str(root / "tokenizer.json"))
    config = {"tokenizer_class": "TokenizersBackend", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
    (root / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    template = (REPO / "tests" / "data" / "chat_templates" / "qwen2_5.jinja").read_text(encoding="utf-8")
    (root / "chat_template.jinja").write_text(template, encoding="utf-8")
    return root


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="2MB")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    import prep
    from prep.validation.rendering.conversation import conversation
    from tests.helpers import generated

    with tempfile.TemporaryDirectory() as tmp:
        folder, load_s = timed(lambda: build_folder(Path(tmp)))
        data = generated(Path(tmp) / "chat.jsonl", args.size, args.seed)
        examples = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines()]
        n = len(examples)
        report, exact_s = timed(
            lambda: prep.check(data, tokenizer=str(folder), jobs=1, isolated=True, max_seq_length=10**9)
        )
        _, tiktoken_s = timed(lambda: prep.check(data, jobs=1, isolated=True))

        from transformers import AutoTokenizer

        convs = [conversation(e) for e in examples]

        def oracle() -> list[int]:
            hf = AutoTokenizer.from_pretrained(str(folder))  # timed, as prep's loading is
            return [
                len(hf.apply_chat_template(c.messages, tools=c.tools, tokenize=True, return_dict=False)) for c in convs
            ]

        totals, hf_s = timed(oracle)
    stats = report.files[0].stats_summary() or {}
    equal = stats.get("tokens", {}).get("total") == sum(totals)
    print(f"{n:,} examples ({args.size}); tokenizer folder built in {load_s:.1f} s")
    print("| run | s | examples/s |\n|---|---|---|")
    for name, seconds in [
        ("prep check --tokenizer FOLDER (jobs 1, stats, trained spans)", exact_s),
        ("transformers: AutoTokenizer, apply_chat_template(tokenize=True), totals only", hf_s),
        ("prep check, tiktoken (jobs 1, stats)", tiktoken_s),
    ]:
        print(f"| {name} | {seconds:.2f} | {n / seconds:,.0f} |")
    ratio = f"prep / transformers: {hf_s / exact_s:.2f} x"
    print(f"\n{ratio}; the exact path takes {exact_s / tiktoken_s:.1f} x the tiktoken path")
    print(f"totals equal to transformers' on every example: {equal}")
    return 0 if equal else 1


if __name__ == "__main__":
    raise SystemExit(main())
