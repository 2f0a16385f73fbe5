"""The fast clean-example test never passes what the detailed checks would flag."""

from __future__ import annotations

import copy
import json
import random

import pytest

from prep.targets.loader import load_target
from prep.targets.profile import DataFormat
from prep.validation.rules import CHECKS, CheckContext
from prep.validation.rules.fastpath import is_clean
from tests.helpers import REPO, generated
from tests.unit import test_checks

TARGET = load_target("openai")


def detailed(example, fmt, target=TARGET):
    ctx = CheckContext(target, fmt)
    return [p for check in CHECKS[fmt] for p in check(example, ctx)]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    out = generated(tmp_path_factory.mktemp("gen") / "gen.jsonl", "1MB", 4)
    chats = [json.loads(line) for line in out.read_text().splitlines()]
    chats += [json.loads(line) for line in (REPO / "sample_data" / "chat_good.jsonl").read_text().splitlines()]
    chats += [ex for _, ex in test_checks.VALID] + [ex for _, ex, _ in test_checks.CASES]
    rfts = [
        json.loads(line)
        for line in (REPO / "sample_data" / "reinforcement_good.jsonl").read_text("utf-8-sig").splitlines()
    ]
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
    [],
    [1],
    {},
    {"a": 1},
    {"type": "text", "text": "hi"},
]


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
    key, action = path[-1], rng.randrange(4)
    if action == 0 and isinstance(parent, dict):
        del parent[key]
    elif action == 1 and isinstance(parent, dict):
        parent[
            rng.choice(["weight", "name", "extra", "tool_call_id", "content", "role", "refusal", "reasoning_content"])
        ] = rng.choice(VALUES)
    elif action == 2 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[rng.randrange(len(parent))]))
    else:
        parent[key] = rng.choice(VALUES)
    return ex


def test_fast_path_is_taken_for_clean_examples(seeds):
    clean = [(ex, fmt) for ex, fmt in seeds if not detailed(ex, fmt)]
    fast = sum(is_clean(ex, CheckContext(TARGET, fmt)) for ex, fmt in clean)
    assert fast / len(clean) > 0.9


def test_fast_path_never_passes_a_flagged_example(seeds):
    rng = random.Random(11)
    tried = flagged = 0
    for _ in range(40):
        for ex, fmt in seeds:
            for candidate in (ex, mutate(ex, rng)):
                tried += 1
                problems = detailed(candidate, fmt)
                flagged += bool(problems)
                if is_clean(candidate, CheckContext(TARGET, fmt)):
                    assert not problems, (candidate, problems)
    assert tried > 10_000 and flagged > tried // 4


@pytest.mark.parametrize("name", ["together", "fireworks", "azure"])
def test_fast_path_never_passes_what_another_target_flags(seeds, name):
    """Alternation, system position, weights on any role, sample weights, reasoning keys: the fast
    path reads the same profile facts as the detailed rules."""
    target, rng = load_target(name), random.Random(13)
    usable = [(ex, fmt) for ex, fmt in seeds if fmt in target.formats]
    tried = 0
    for _ in range(8):
        for ex, fmt in usable:
            for candidate in (ex, mutate(ex, rng)):
                tried += 1
                if is_clean(candidate, CheckContext(target, fmt)):
                    assert not detailed(candidate, fmt, target), candidate
    assert tried > 2_000


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
