"""prep's encoders, both backends (bpe-openai, tiktoken), count exactly what tiktoken counts, with no download.

The reference is tiktoken itself (`tiktoken.get_encoding`, loading the shipped rank files through its own
cache). Where tiktoken panics (a run of a million blanks), the reference is tiktoken's own Python-regex
fallback, ``Encoding._encode_only_native_bpe``, which splits with the `regex` module instead.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import unicodedata
from collections.abc import Iterator

import pytest

from prep.errors import TokenizerUnavailableError, UsageError
from prep.validation.encoders import (
    BLANKS,
    FINAL_RUN_IS_SAFE,
    BpeEncoder,
    TiktokenEncoder,
    _bindings_path,
    load_encoder,
)
from tests.helpers import COOKBOOK_TOY, DATA, REPO, tiktoken_reference

ENCODINGS = sorted(FINAL_RUN_IS_SAFE)
#: bpe-openai is in the test extra; on a platform it has no wheel for, its tests are skipped.
needs_bpe = pytest.mark.skipif(_bindings_path() is None, reason="bpe-openai has no wheel for this platform")
BACKENDS = [pytest.param("bpe", marks=needs_bpe), "tiktoken"]

# --- the adversarial set ------------------------------------------------------------------------------------------

#: Blank and blank-like characters: Unicode White_Space, CR/LF, and characters that only look blank.
WS = [" ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\xa0", "\u1680", "\u2000", "\u2007", "\u200a",
      "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\x1c", "\x1f", "\u180e", "\u200b", "\ufeff"]  # fmt: skip
NEIGHBOURS = ["", "a", "A", "é", "1", "12345", "!", ".", "/", "'", "'s", "中", "😀", "\u0301", "<|endoftext|>"]
FIXED = [
    "", " ", "a", "hello world", "Hello, World!", "HELLO WORLD", "don't", "DON'T", "it's", "we'll", "They'RE",
    "you've", "I'm", "he'd", "'s", "''s", "'S", "rock 'n' roll", "l'été", "it’s", "<|endoftext|>",
    "<|endofprompt|>", "<|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>", "<|im_start|>user\nhi<|im_end|>",
    "\x00" * 50, "a\x00b", "\x1b[31mred\x1b[0m", "\ufffd", "\ufffe\uffff", "\U0010ffff", "\U000e0001\U000e0041",
    "12345678901234567890", "3.14159", "1,000,000", "١٢٣٤٥", "一二三", "Ⅻ½²", "日本語のテキストです。",
    "한국어 텍스트", "ไทย ภาษา", "हिन्दी पाठ", "עברית", "العربية", "a\u202eevil\u202c", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷🇩🇪",
    "1️⃣", "e\u0301", "a" + "\u0300" * 40, "ﬁ ﬀ", "𝐀𝐁𝐂", "ｆｕｌｌｗｉｄｔｈ", "\u00ad", "a\u200db",
    "def f(x):\n    return x ** 2\n", "for (int i = 0; i < n; ++i) { a[i] = b[i]; }\r\n", '{"a": [1, {"b": null}]}',
    "https://example.com/path?q=1&x=%20y#frag", "C:\\Users\\x\\file.txt", "////////", "...", "!!!???", "«»„“”",
    "\r\n\r\n", " \n \n ", "\t\t\tx", "x\t\t\t", "   leading", "trailing   ", "mid   dle", "\u3000\u3000全角",
    "a\rb", "!\n\n\n", "!\r\n/\n", "x  \n  y", "  !!", "  1", "  a",
]  # fmt: skip


def ws_cases() -> Iterator[str]:
    """Runs of every blank-like character, alone and between neighbours."""
    for w in WS:
        for k in (1, 2, 3, 4, 17, 100):
            yield w * k
        for left in NEIGHBOURS[:9]:
            for right in NEIGHBOURS:
                yield left + w * 3 + right
    for a in WS[:8]:
        for b in WS[:8]:
            yield f"x{a}{b}{a}y"


def category_cases() -> Iterator[str]:
    """Characters of every Unicode general category, in groups."""
    by_category: dict[str, list[str]] = {}
    for cp in range(0, 0x110000, 7):
        by_category.setdefault(unicodedata.category(chr(cp)), []).append(chr(cp))
    rng = random.Random(1)
    for _, chars in sorted(by_category.items()):
        for _ in range(4):
            sample = rng.sample(chars, min(12, len(chars)))
            yield "".join(sample)
            yield "x" + " ".join(sample) + " 's"


def random_cases(seed: int = 0) -> Iterator[str]:
    """Random mixtures of the above with lone and paired surrogates; random code points; bytes read as prep reads them."""
    rng = random.Random(seed)
    atoms = [*FIXED[1:50], *WS, *NEIGHBOURS, " quick", "fox's", "'ll", "\ud800", "\udfff", "\ud83d", "\ud83d\ude00"]
    for _ in range(300):
        yield "".join(rng.choice(atoms) for _ in range(rng.randint(1, 40)))
    for _ in range(100):
        yield "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 30)))
    for _ in range(100):
        yield bytes(rng.randrange(256) for _ in range(rng.randint(1, 60))).decode("utf-8", "surrogateescape")


def long_cases() -> Iterator[str]:
    yield from ("a" * 5000, "supercalifragilistic" * 100, "中" * 3000, "1" * 1001, "😀" * 500, "ab" * 3000)
    yield from (" " * 5000 + "x", "\n" * 3000 + " " * 3000, "x" + "\u3000" * 4000 + "y", "word " * 2000)


ADVERSARIAL = list(dict.fromkeys([*FIXED, *ws_cases(), *category_cases(), *random_cases(), *long_cases()]))


def sample_strings() -> list[str]:
    """Every string (keys too) of the sample files and the test data; a line that is not JSON is one string."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in [*sorted((REPO / "sample_data").glob("*.jsonl")), COOKBOOK_TOY]:
        for raw in path.read_bytes().splitlines():
            line = raw.decode("utf-8", "surrogateescape")
            try:
                walk(json.loads(line))
            except ValueError:
                out.append(line)
    walk(json.loads((DATA / "together" / "together_check_battery.json").read_text()))
    return list(dict.fromkeys(out))


def blank_fuzz(seed: int = 2, n: int = 3000) -> Iterator[str]:
    """Short strings over an alphabet that reaches every branch of the blank-run split."""
    rng = random.Random(seed)
    alphabet = [" ", " ", " ", "\t", "\u3000", "\xa0", "\r", "\n", "\x0b", "a", "A", "1", "!", "/", "'", "s", "中"]
    for _ in range(n):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))


def mismatches(count, name: str, texts: list[str]) -> list[tuple[str, int, int]]:
    encode = tiktoken_reference(name).encode_ordinary
    return [(t[:60], got, want) for t in texts if (got := count(t)) != (want := len(encode(t)))]


# --- equality -----------------------------------------------------------------------------------------------------


def test_the_sets_are_big_and_hard_enough():
    assert len(ADVERSARIAL) > 1000 and len(sample_strings()) > 500
    assert any("\ud800" <= c <= "\udfff" for s in ADVERSARIAL for c in s)  # lone surrogates
    assert any(len(s) > 3000 for s in ADVERSARIAL)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ENCODINGS)
def test_adversarial_strings_count_as_tiktoken_counts(name, backend):
    assert mismatches(load_encoder(name, backend=backend).count, name, ADVERSARIAL) == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ENCODINGS)
def test_every_string_of_the_sample_data_counts_as_tiktoken_counts(name, backend):
    assert mismatches(load_encoder(name, backend=backend).count, name, sample_strings()) == []


@needs_bpe
@pytest.mark.parametrize("name", ENCODINGS)
def test_bpe_counts_the_blank_fuzz_and_the_generated_data_as_tiktoken_counts(name, tmp_path):
    from tests.helpers import generated

    texts = list(blank_fuzz())
    for raw in generated(tmp_path / "chat.jsonl", "1MB", 3).read_bytes().splitlines():
        texts.extend(m["content"] for m in json.loads(raw)["messages"] if isinstance(m.get("content"), str))
    assert len(texts) > 3600  # 3,000 fuzzed, the rest generated
    assert mismatches(load_encoder(name, backend="bpe").count, name, texts) == []


@pytest.mark.parametrize("name", ENCODINGS)
def test_blank_runs_counted_apart_count_as_tiktoken_counts(name):
    """Every run of 3 or more blanks is cut out (instead of runs of 65,536): the split is exact everywhere."""
    split_all = TiktokenEncoder(tiktoken_reference(name), long_blanks=3)
    texts = [*blank_fuzz(), *ADVERSARIAL]
    assert sum(1 for _ in split_all._long_runs(" ".join(texts))) > 100  # the split really happens
    assert mismatches(split_all.count, name, texts) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_texts_with_surrogates_count_as_short_ones_do(backend):
    encoder, filler = load_encoder("o200k_base", backend=backend), "word " * 20_000
    assert encoder.count(filler + "a\ud800b") == encoder.count(filler + "a\ufffdb")
    assert encoder.count(filler + "\ud83d\ude00") == encoder.count(filler + "😀")


# --- where tiktoken panics ----------------------------------------------------------------------------------------

MILLION_BLANKS = [
    ("o200k_base", " " * 1_000_000),
    ("cl100k_base", " " * 1_000_000),
    ("o200k_base", "Hi," + "\t" * 999_999 + "there\n"),
    ("cl100k_base", "x" + "\u3000" * 1_000_000 + "y"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "text"), MILLION_BLANKS, ids=[f"{n}-{t[:4]!r}x{len(t)}" for n, t in MILLION_BLANKS])
def test_a_million_blanks_are_counted(name, text, backend):
    want = len(tiktoken_reference(name)._encode_only_native_bpe(text))
    assert load_encoder(name, backend=backend).count(text) == want


@needs_bpe
@pytest.mark.parametrize("name", ENCODINGS)
def test_bpe_counts_a_long_run_of_one_letter_as_tiktoken_does(name):
    """The run on which tiktoken's time grows fastest (bpe is linear: a benchmark times 60 MB of it)."""
    text = "a" * 1_500_000
    assert load_encoder(name, backend="bpe").count(text) == len(tiktoken_reference(name).encode_ordinary(text))


# --- choosing the backend -----------------------------------------------------------------------------------------


@needs_bpe
def test_bpe_is_the_default_where_it_is_installed_and_knows_the_encoding(monkeypatch):
    monkeypatch.delenv("PREP_TOKENIZER", raising=False)
    assert isinstance(load_encoder("o200k_base"), BpeEncoder)
    assert isinstance(load_encoder("cl100k_base"), BpeEncoder)
    monkeypatch.setenv("PREP_TOKENIZER", "tiktoken")
    assert isinstance(load_encoder("o200k_base"), TiktokenEncoder)
    with pytest.raises(TokenizerUnavailableError, match="not r50k_base; use tiktoken"):
        load_encoder("r50k_base", backend="bpe")


def test_an_unknown_backend_is_one_sentence(monkeypatch):
    monkeypatch.setenv("PREP_TOKENIZER", "sentencepiece")
    with pytest.raises(UsageError, match=r"Unknown tokenizer backend 'sentencepiece' \(PREP_TOKENIZER\); choose bpe"):
        load_encoder("o200k_base")


@needs_bpe
def test_bpe_loads_its_compiled_module_only_and_warns_nothing():
    """The package __init__ re-reads rank files in Python (+0.5 s) and calls a deprecated importlib function."""
    code = (
        "import sys; from prep.validation.encoders import load_encoder; e = load_encoder('o200k_base'); "
        "print(type(e).__name__, e.count('Hello world'), 'bpe_openai' in sys.modules, 'tiktoken' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREP_TOKENIZER"}
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split() == ["BpeEncoder", "2", "False", "False"]


def test_tiktoken_itself_panics_on_a_million_blanks():
    """Why the split exists (a PyO3 PanicException derives from BaseException, not Exception)."""
    with pytest.raises(BaseException, match="StackOverflow") as raised:
        tiktoken_reference("o200k_base").encode_ordinary("x" + " " * 1_000_000 + "y")
    assert type(raised.value).__name__ == "PanicException"


# --- what the split relies on -------------------------------------------------------------------------------------

#: The pre-tokenizer patterns `TiktokenEncoder._long_runs` was proven for (tiktoken_ext.openai_public's).
PATTERNS = {
    "o200k_base": "|".join(
        [
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        ]
    ),
    "cl100k_base": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
}


@pytest.mark.parametrize("name", ENCODINGS)
def test_patterns_are_the_proven_ones(name):
    encoding = load_encoder(name, backend="tiktoken").encoding
    assert encoding._pat_str == PATTERNS[name]
    assert FINAL_RUN_IS_SAFE[name] == (r"\s++$" in encoding._pat_str)


def test_blanks_are_unicode_white_space_without_cr_lf():
    import regex  # tiktoken's own dependency, whose \s is Unicode White_Space like tiktoken's Rust regex

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    white = set(regex.findall(r"\s", every))
    assert set(BLANKS) == white - {"\r", "\n"}
