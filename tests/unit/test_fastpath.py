"""One rule, one verdict: the fast clean-example test and the detailed checks give the same problems.

`check_example` proves most examples clean with `is_clean` and runs the detailed
checks only when it cannot; `check_example(..., fast=False)` always runs them.
The property tests feed both every example of the test corpus (sample data,
every example of tests/data, the rule cases, generated chat data), mutations of
them, and the examples of the mutation fuzzer (`tests.support.fuzz`: its random
examples and its mutations of the corpus), for every built-in target profile, and
require the same list of problems (issue 11, "one rule, one verdict").
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from prep.targets.loader import available_targets, load_target
from prep.targets.profile import DataFormat
from prep.validation.rules import CHECKS, CheckContext, check_example
from prep.validation.rules.fastpath import is_clean
from tests.helpers import DATA, REPO, generated
from tests.support import fuzz
from tests.unit import test_checks

TARGET = load_target("openai")
CONVERSATIONS = (DataFormat.CHAT, DataFormat.REINFORCEMENT)


def detailed(example, fmt, target=TARGET):
    ctx = CheckContext(target, fmt)
    return [p for check in CHECKS[fmt] for p in check(example, ctx)]


def corpus_files():
    """Every JSONL file of the repository's sample and test data."""
    return sorted(REPO.glob("sample_data/*.jsonl")) + sorted(DATA.rglob("*.jsonl"))


def battery_examples():
    """The lines of every case of the JSON files of tests/data (Together's check_file battery)."""
    for path in sorted(DATA.rglob("*.json")):
        for case in json.loads(path.read_text("utf-8")).get("cases", []):
            yield from (line for line in case.get("lines", []) if isinstance(line, dict))


def objects(path):
    for line in path.read_text("utf-8-sig").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            yield value


U, A, S = test_checks.U, test_checks.A, test_checks.S
#: Clean shapes that only other targets take (Bedrock's reference answer, Together's reasoning and weights).
TARGET_SHAPES = [
    {"messages": [S(), U("2+2?")], "reference_answer": "4"},
    {
        "messages": [U("Weather?"), A("Sunny."), U("And tomorrow?")],
        "reference_answer": "Rain",
        "tools": test_checks.TOOLS,
    },
    {"messages": [S(weight=0), U("Hi", weight=0), A("Hello!", reasoning="Greet back.", weight=1)], "weight": 0.5},
    {"messages": [U("Hi"), A("Hello!", reasoning_content="Greet.")]},
]


def as_reinforcement(example):
    """A chat example that ends on an assistant's text as a reinforcement one: the reply becomes the reference."""
    messages = example.get("messages")
    if not (isinstance(messages, list) and len(messages) > 1 and messages[-1] == A(messages[-1].get("content"))):
        return None
    return {"messages": messages[:-1], "reference_answer": messages[-1]["content"]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every example of the test corpus, as it is (any format: each is fed as chat and as reinforcement)."""
    return build_corpus(tmp_path_factory)


def build_corpus(tmp_path_factory):
    out = generated(tmp_path_factory.mktemp("gen") / "gen.jsonl", "300KB", 4)
    examples = [ex for path in [*corpus_files(), out] for ex in objects(path)]
    examples += list(battery_examples())
    examples += [ex for _, ex in test_checks.VALID] + TARGET_SHAPES
    examples += [r for r in map(as_reinforcement, examples) if r is not None]
    for cases in (test_checks.CASES, test_checks.RFT_CASES, test_checks.PREF_CASES, test_checks.COMP_CASES):
        examples += [ex for _, ex, *_ in cases]
    return examples


@pytest.fixture(scope="module")
def seeds(corpus):
    """The conversation examples of the corpus, each with the format it is checked as."""
    chats = [ex for ex in corpus if "messages" in ex and not {"reference_answer", "category"} & ex.keys()]
    rfts = [ex for ex in corpus if "messages" in ex and ex not in chats]
    rfts += [ex for _, ex, _ in test_checks.RFT_CASES]
    return [(ex, DataFormat.CHAT) for ex in chats] + [(ex, DataFormat.REINFORCEMENT) for ex in rfts]


VALUES = [
    None,
    True,
    False,
    0,
    1,
    2,
    0.5,
    -1,
    "",
    " ",
    "x",
    "user",
    "assistant",
    "system",
    "tool",
    "developer",
    "function",
    "call_1",
    "get weather",
    "{",
    "{}",
    '"{}"',
    '"x"',
    [],
    [1],
    {},
    {"a": 1},
    {"type": "text", "text": "hi"},
]


#: Keys a mutation adds: every key a message, call or example may hold, and one none may.
KEYS = [
    "weight", "name", "extra", "tool_call_id", "content", "role", "refusal", "audio", "tool_calls",
    "function_call", "reasoning", "reasoning_content", "arguments", "id", "type", "function", "tools",
]  # fmt: skip


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


def mutate(example, rng):
    ex = copy.deepcopy(example)
    candidates = list(paths(ex))[1:]
    if not candidates:
        return ex
    path = rng.choice(candidates)
    parent = ex
    for key in path[:-1]:
        parent = parent[key]
    key, action = path[-1], rng.randrange(5)
    if action == 0 and isinstance(parent, dict):
        del parent[key]
    elif action == 1 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = rng.choice(VALUES)
    elif action == 4 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = None  # what the SDK's model_dump() writes for a field it does not have
    elif action == 2 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[rng.randrange(len(parent))]))
    else:
        parent[key] = rng.choice(VALUES)
    return ex


def test_fast_path_is_taken_for_clean_examples(seeds):
    clean = [(ex, fmt) for ex, fmt in seeds if not detailed(ex, fmt)]
    fast = sum(is_clean(ex, CheckContext(TARGET, fmt)) for ex, fmt in clean)
    assert fast / len(clean) > 0.9


def same_problems(example, ctx):
    """The problems with the fast path, and the detailed checks' own (the fast path skipped)."""
    return check_example(example, ctx), check_example(example, ctx, fast=False)


#: The targets whose data may be conversations (the formats the fast path proves clean).
CONVERSATION_TARGETS = [n for n in available_targets() if any(f in load_target(n).formats for f in CONVERSATIONS)]


def compare_paths(target, candidates):
    """Feed ``candidates()`` (called once per format) to both paths, as chat and as reinforcement data, requiring the
    same problems; return how many were tried, flagged by the detailed checks, and proven clean by the fast path."""
    tried = flagged = proven = 0
    for fmt in (f for f in CONVERSATIONS if f in target.formats):
        ctx = CheckContext(target, fmt)
        for candidate in candidates():
            fast, slow = same_problems(candidate, ctx)
            assert fast == slow, (fmt, candidate)
            tried += 1
            flagged += bool(slow)
            proven += is_clean(candidate, ctx)
    return tried, flagged, proven


@pytest.mark.parametrize("name", CONVERSATION_TARGETS)
def test_fast_and_detailed_paths_give_the_same_problems(corpus, name):
    """For every target profile: each corpus example, and 8 seeded mutations of each, checked as
    chat and as reinforcement data, gets the same problems from both paths."""
    target, rng = load_target(name), random.Random(f"same-verdict {name}")

    def mutated():
        return (c for ex in corpus for c in (ex, *(mutate(ex, rng) for _ in range(8))))

    tried, flagged, proven = compare_paths(target, mutated)
    assert tried > 3_000 and flagged > tried // 5 and proven > 100, (tried, flagged, proven)


def test_the_corpus_holds_every_example_of_tests_data(corpus):
    """The property tests are fed all of tests/data: each JSONL line that is a JSON object, and each line of
    the JSON case files."""
    for path in sorted(DATA.rglob("*.jsonl")):
        assert all(ex in corpus for ex in objects(path)), path
    assert all(ex in corpus for ex in battery_examples())


#: Most nesting of a fuzzer example fed to the checks directly: deeper values never reach them (a line nests at most
#: about 1,000 levels: P120), and the checks' own recursion is the scan's business, not the two paths'.
FUZZ_DEPTH = 150


def depth(value, limit=FUZZ_DEPTH):
    """How deep ``value`` nests, counted up to ``limit`` + 1."""
    level, frontier = 0, [value]
    while frontier and level <= limit:
        children = [c for item in frontier for c in (item.values() if isinstance(item, dict) else item)]
        frontier = [c for c in children if isinstance(c, (dict, list))]
        level += 1
    return level


@pytest.mark.parametrize("name", CONVERSATION_TARGETS)
def test_the_fuzzers_examples_get_the_same_problems_from_both_paths(corpus, name):
    """For every target profile: the mutation fuzzer's random examples (`fuzz.example`) and its mutations of each
    corpus example (`fuzz.mutate`), checked as chat and as reinforcement data, get the same problems from both
    paths. The fuzzer's strings (special tokens, lone surrogates, secrets, ANSI escapes) and values (integers past
    64 bits, odd keys, wrong types anywhere) reach every rule."""
    target, rng = load_target(name), random.Random(f"fuzz same-verdict {name}")
    candidates = [fuzz.example(rng) for _ in range(1500)]
    candidates += [fuzz.mutate(rng, ex) for ex in corpus for _ in range(2)]
    candidates = [c for c in candidates if isinstance(c, dict) and depth(c) <= FUZZ_DEPTH]
    tried, flagged, proven = compare_paths(target, lambda: candidates)
    assert tried > 2_000 and flagged > tried // 2 and proven > 50, (tried, flagged, proven)


def test_tool_calls_null_is_one_verdict():
    """The OpenAPI spec (openai-openapi openapi.yaml, ChatCompletionRequestAssistantMessage, at f7f4b05 and
    f85dbe2) makes content, refusal, audio and function_call nullable, not tool_calls
    (ChatCompletionMessageToolCalls is a plain array): null is an error, on a clean line as on a bad one."""
    ctx = CheckContext(TARGET, DataFormat.CHAT)
    clean = test_checks.msgs(test_checks.U(), test_checks.A("Hello!", tool_calls=None))
    also_bad = test_checks.msgs(test_checks.U(), test_checks.A("Hello!", tool_calls=None), weight=1)
    for example in (clean, also_bad):
        fast, slow = same_problems(example, ctx)
        assert fast == slow
        assert ("P112", "/messages/1/tool_calls") in {(p.code, p.pointer) for p in fast}
    assert not is_clean(clean, ctx)


def test_no_mutation_crashes_the_whole_check(seeds):
    """Detection, checks, counting and statistics take any JSON value without raising."""
    import prep

    rng = random.Random(12)
    batch = [mutate(mutate(ex, rng), rng) for _ in range(5) for ex, _ in seeds]
    for kind in ("chat", "reinforcement", "preference", "completion"):
        report = prep.check(batch, data_format=kind)
        assert report.files[0].examples == len(batch)
    wrapped = [
        {
            "input": {"messages": ex.get("messages")},
            "preferred_output": ex.get("messages"),
            "non_preferred_output": [rng.choice(VALUES)],
        }
        for ex in batch
    ]
    assert prep.check(wrapped).files[0].examples == len(batch)


def test_blank_is_what_strip_says_on_every_code_point():
    """The fast path's blank test (no copy of the text) agrees with ``not text.strip()``, the detailed checks' test."""
    from prep.validation.rules.fastpath import _blank

    for text in (chr(c) for c in range(0x110000)):
        for candidate in (text, text * 3, " " + text, text + "x", "\n" + text + "\n"):
            assert _blank(candidate) == (not candidate.strip()), repr(candidate)
    assert _blank("") and _blank(" \n\u3000") and not _blank(" x ")
