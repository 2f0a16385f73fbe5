"""A second, independent data shape: many short chat examples with little repeated text.

    python benchmarks/shortchat.py --size 100MB --seed 0 -o benchmarks/data/short-100MB.jsonl

`generate.py` draws from fixed word pools, repeats 8 system prompts and 4 tool sets through the file and
averages about 9.6 KB per example. This generator shares none of its code or pools, and makes the shape of
issue 15's held-out file: about 2.3 KB per example (100 MB is about 44,000 examples), a long tail of lengths
(a few examples far over 16k tokens), English-like, Japanese, Korean and Chinese text, code, some tool calls,
and almost no string that repeats (no shared system prompt; every sentence is drawn afresh from a large
vocabulary of made-up words, so counting each distinct string once saves next to nothing).
The same --seed and --size give byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generate import parse_size

from prep.validation.encoders import load_encoder

CONSONANTS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "ch",
    "cl",
    "dr",
    "fl",
    "gr",
    "kr",
    "pl",
    "pr",
    "sh",
    "st",
    "th",
    "tr",
]
VOWELS = ["a", "e", "i", "o", "u", "y", "ai", "au", "ea", "ee", "ie", "io", "oo", "ou"]
HIRAGANA = [chr(c) for c in range(0x3041, 0x3097)]
KATAKANA = [chr(c) for c in range(0x30A1, 0x30FB)]
HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
CJK_FIRST, CJK_LAST = 0x4E00, 0x9FFF
KEYWORDS = [
    "def",
    "return",
    "if",
    "else",
    "for",
    "while",
    "in",
    "import",
    "from",
    "class",
    "with",
    "as",
    "try",
    "except",
    "yield",
    "lambda",
    "not",
    "and",
    "or",
]
ROLES_OF_TOOLS = ("lookup", "create", "update", "cancel", "list", "get", "send", "compute")
#: language: its share of the texts (weight)
LANGUAGES = {"en": 50, "ja": 18, "ko": 14, "zh": 10, "code": 8}


class Vocabulary:
    """Made-up words for each language, built once from the seed.

    Made-up words and random characters would tokenize far worse than text does (a rare CJK character is
    two or three tokens), so the vocabulary keeps words of at most two o200k_base tokens and the CJK and
    Hangul characters that are one token each (the common ones): about as many tokens per byte as text.
    """

    def __init__(self, rng: random.Random, size: int = 30_000) -> None:
        count = load_encoder("o200k_base").count
        self.en = self._latin(rng, size, count)
        cjk = [c for c in map(chr, range(CJK_FIRST, CJK_LAST + 1)) if count(c) == 1]
        hangul = [c for c in map(chr, range(HANGUL_FIRST, HANGUL_LAST + 1)) if count(c) == 1]
        kana = [*HIRAGANA, *KATAKANA]
        self.ja = ["".join(rng.choices(rng.choice((kana, cjk)), k=rng.randint(1, 4))) for _ in range(size)]
        self.ko = ["".join(rng.choices(hangul, k=rng.randint(1, 4))) for _ in range(size)]
        self.zh = ["".join(rng.choices(cjk, k=rng.randint(1, 3))) for _ in range(size)]
        self.idents = ["_".join(rng.sample(self.en, rng.randint(1, 3))).lower() for _ in range(size // 4)]

    @staticmethod
    def _latin(rng: random.Random, size: int, count: Callable[[str], int]) -> list[str]:
        words: list[str] = []
        while len(words) < size:
            word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(1, 3)))
            if count(" " + word) <= 2:
                words.append(word.capitalize() if rng.random() < 0.1 else word)
        return words


class ShortChat:
    """`make(rng)` returns one chat example of the short, little-repeated shape."""

    def __init__(self, seed: int) -> None:
        self.words = Vocabulary(random.Random(seed ^ 0x5151))

    def text(self, rng: random.Random, chars: int) -> str:
        """About ``chars`` characters of one language (or code)."""
        lang = rng.choices(list(LANGUAGES), weights=list(LANGUAGES.values()))[0]
        if lang == "code":
            return self.code(rng, chars)
        pool = getattr(self.words, lang)
        per_word = {"en": 7, "ja": 3, "ko": 3, "zh": 2}[lang]
        sep, stop = (" ", ". ") if lang == "en" else ("", "。" if lang != "ko" else ". ")
        sentences, size = [], 0
        while size < chars:
            n = rng.randint(4, 18)
            sentence = sep.join(rng.choices(pool, k=n)) + stop
            sentences.append(sentence)
            size += n * per_word
        return "".join(sentences).strip()

    def code(self, rng: random.Random, chars: int) -> str:
        lines, size = ["```python"], 0
        while size < chars:
            indent = "    " * rng.randint(0, 3)
            a, b = rng.choice(self.words.idents), rng.choice(self.words.idents)
            line = f"{indent}{rng.choice(KEYWORDS)} {a}({b}, {rng.randint(0, 9999)}): {rng.choice(self.words.idents)}"
            lines.append(line)
            size += len(line)
        return "\n".join([*lines, "```"])

    def tool(self, rng: random.Random) -> dict:
        name = f"{rng.choice(ROLES_OF_TOOLS)}_{rng.choice(self.words.idents)}"
        props = {
            rng.choice(self.words.idents): {
                "type": rng.choice(("string", "integer")),
                "description": self.text(rng, 30),
            }
            for _ in range(rng.randint(1, 4))
        }
        parameters = {"type": "object", "properties": props, "required": list(props)[:1]}
        return {
            "type": "function",
            "function": {"name": name, "description": self.text(rng, 60), "parameters": parameters},
        }

    def make(self, rng: random.Random) -> dict:
        """One example: lengths log-normal around 2 KB, 1 in 2,000 far over the 16k-token limit."""
        chars = 90_000 if rng.random() < 0.0005 else min(int(rng.lognormvariate(math.log(800), 0.9)), 40_000)
        turns = rng.choices((1, 2, 3, 4), weights=(55, 25, 12, 8))[0]
        messages = [{"role": "system", "content": self.text(rng, rng.randint(40, 300))}] if rng.random() < 0.6 else []
        example: dict = {"messages": messages}
        tools = [self.tool(rng) for _ in range(rng.randint(1, 3))] if rng.random() < 0.12 else []
        for turn in range(turns):
            share = max(20, chars // (2 * turns))
            messages.append({"role": "user", "content": self.text(rng, share // 3)})
            if tools and turn == 0:
                self._call(rng, messages, tools)
            messages.append({"role": "assistant", "content": self.text(rng, share)})
        if tools:
            example["tools"] = tools
        return example

    def _call(self, rng: random.Random, messages: list[dict], tools: list[dict]) -> None:
        function = rng.choice(tools)["function"]
        arguments = {key: self.text(rng, 15) for key in function["parameters"]["properties"]}
        call_id = f"call_{rng.getrandbits(64):016x}"
        call = {
            "id": call_id,
            "type": "function",
            "function": {"name": function["name"], "arguments": json.dumps(arguments)},
        }
        messages.append({"role": "assistant", "tool_calls": [call]})
        messages.append(
            {"role": "tool", "tool_call_id": call_id, "content": json.dumps({"result": self.text(rng, 80)})}
        )


def generate(output: Path, *, size: int, seed: int = 0) -> tuple[int, int]:
    """Write about ``size`` bytes of JSONL to ``output``; returns (lines, bytes)."""
    factory, rng = ShortChat(seed), random.Random(seed)
    lines = written = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb", buffering=1 << 20) as out:
        while written < size:
            line = json.dumps(factory.make(rng), ensure_ascii=False).encode() + b"\n"
            out.write(line)
            written += len(line)
            lines += 1
    return lines, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", type=Path, required=True, help="JSONL file to write")
    parser.add_argument("--size", type=parse_size, default=parse_size("100MB"), help="target size (default 100MB)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    lines, written = generate(args.output, size=args.size, seed=args.seed)
    print(f"{args.output}: {lines} lines, {written} bytes in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
