from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import generate
import pytest
from conversations import Options
from cookbook_baseline import num_tokens_from_messages
from corrupt import KINDS, SPECIAL_TOKEN
from tiktoken_offline import get_encoding

from tests.benchmarks.conftest import BENCHMARKS

ROLES = {"system", "user", "assistant", "tool"}
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
MESSAGE_KEYS = {
    "system": {"role", "content", "name"},
    "user": {"role", "content", "name"},
    "assistant": {"role", "content", "name", "tool_calls", "weight"},
    "tool": {"role", "content", "tool_call_id"},
}


def chat_problems(ex: object) -> list[str]:
    """Structural faults of one parsed line against the chat format (rulebook §1.1); [] if valid."""
    if not isinstance(ex, dict) or not isinstance(ex.get("messages"), list) or not ex["messages"]:
        return ["not an object with a non-empty messages list"]
    if set(ex) - {"messages", "tools", "parallel_tool_calls"}:
        return ["extra top-level key"]
    problems: list[str] = []
    call_ids: set[str] = set()
    for m in ex["messages"]:
        problems += message_problems(m, call_ids)
    if not any(m.get("role") == "assistant" for m in ex["messages"]):
        problems.append("no assistant message")
    problems += tools_problems(ex)
    return problems


def message_problems(m: dict, call_ids: set[str]) -> list[str]:
    role = m.get("role")
    if role not in ROLES:
        return [f"role {role!r}"]
    problems = [f"key {k}" for k in set(m) - MESSAGE_KEYS[role]]
    content = m.get("content")
    if isinstance(content, str) and SPECIAL_TOKEN in content:
        problems.append("special token")
    if "name" in m and not NAME_RE.fullmatch(m["name"]):
        problems.append("bad name")
    if role == "assistant":
        problems += assistant_problems(m, call_ids)
    elif not isinstance(content, str) or not content:
        problems.append(f"{role} content")
    if role == "tool" and m.get("tool_call_id") not in call_ids:
        problems.append("tool_call_id without an earlier call")
    return problems


def assistant_problems(m: dict, call_ids: set[str]) -> list[str]:
    problems = []
    if "weight" in m and m["weight"] not in (0, 1):
        problems.append("weight")
    calls = m.get("tool_calls")
    if calls is None and not (isinstance(m.get("content"), str) and m["content"]):
        problems.append("assistant content")
    for call in calls or []:
        function = call["function"]
        if call["type"] != "function" or not NAME_RE.fullmatch(function["name"]):
            problems.append("tool call")
        if not isinstance(function["arguments"], str) or not isinstance(json.loads(function["arguments"]), dict):
            problems.append("arguments")
        call_ids.add(call["id"])
    return problems


def tools_problems(ex: dict) -> list[str]:
    names = {t["function"]["name"] for t in ex.get("tools", []) if t.get("type") == "function"}
    called = {c["function"]["name"] for m in ex["messages"] for c in m.get("tool_calls") or []}
    problems = ["call to an undefined tool"] if called - names else []
    if ex.get("parallel_tool_calls") is False and any(len(m.get("tool_calls") or []) > 1 for m in ex["messages"]):
        problems.append("parallel calls while parallel_tool_calls is false")
    return problems


def fault_seen(raw: bytes, kind: str) -> bool:
    """Whether `raw` (one line, no newline) shows the fault `kind`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return kind == "invalid_utf8"
    if not text.strip():
        return kind == "blank_line"
    try:
        ex = json.loads(text)
    except json.JSONDecodeError:
        return kind == "invalid_json"
    if not isinstance(ex, dict):
        return kind == "non_object"
    expected = {
        "wrong_role": "role ",
        "missing_content": "content",
        "bad_weight": "weight",
        "special_token": "special token",
        "orphan_tool_call_id": "tool_call_id without",
    }[kind]
    problems = chat_problems(ex)
    return len(problems) == 1 and expected in problems[0]


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "chat.jsonl"
    return generate.generate(path, size=3_000_000, seed=7)


def test_same_seed_same_bytes(tmp_path, clean_file):
    again = generate.generate(tmp_path / "again.jsonl", size=3_000_000, seed=7)
    assert again.path.read_bytes() == clean_file.path.read_bytes()


def test_other_seed_other_bytes(tmp_path, clean_file):
    other = generate.generate(tmp_path / "other.jsonl", size=3_000_000, seed=8)
    assert other.path.read_bytes() != clean_file.path.read_bytes()


def test_size_is_near_request(clean_file):
    assert 3_000_000 <= clean_file.path.stat().st_size == clean_file.bytes <= 3_030_000


def test_every_line_is_a_valid_chat_example(clean_file):
    lines = clean_file.path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    for number, line in enumerate(lines[:-1], 1):
        assert chat_problems(json.loads(line.decode("utf-8"))) == [], f"line {number}"
    assert len(lines) - 1 == clean_file.lines


def test_realism_features_are_present(clean_file):
    text = clean_file.path.read_text(encoding="utf-8")
    for script in ("[ぁ-ん]", "[가-힣]", "[а-я]", "[ä-ü]", "[的了]", "```python"):
        assert re.search(script, text), script
    examples = [json.loads(line) for line in text.splitlines()]
    messages = [m for ex in examples for m in ex["messages"]]
    assert Counter(m.get("weight") for m in messages).keys() >= {0, 1, None}
    assert sum("name" in m for m in messages) > 0
    assert sum("tools" in ex for ex in examples) > len(examples) / 10
    assert sum(m["role"] == "tool" for m in messages) > 0
    assert sum(sum(m["role"] == "user" for m in ex["messages"]) > 1 for ex in examples) > len(examples) / 5


def test_system_prompts_repeat_unless_unique(tmp_path, clean_file):
    def system_prompts(path):
        lines = path.read_text(encoding="utf-8").splitlines()
        return [m["content"] for line in lines for m in json.loads(line)["messages"] if m["role"] == "system"]

    shared = system_prompts(clean_file.path)
    assert len(set(shared)) <= Options().distinct_system_prompts < len(shared) / 10
    unique = generate.generate(
        tmp_path / "u.jsonl", size=1_000_000, seed=7, options=Options(unique_system_prompts=True)
    )
    prompts = system_prompts(unique.path)
    assert len(set(prompts)) == len(prompts) > 50


def test_long_examples_exceed_16385_tokens(tmp_path):
    encoding = get_encoding("o200k_base")
    made = generate.generate(tmp_path / "long.jsonl", size=2_000_000, seed=3, options=Options(long_fraction=0.05))
    lines = made.path.read_text(encoding="utf-8").splitlines()
    lengths = [num_tokens_from_messages(encoding, json.loads(line)["messages"]) for line in lines]
    long = [n for n in lengths if n > 16385]
    assert len(long) >= 3
    assert max(lengths) < 100_000
    assert sorted(lengths)[len(lengths) // 2] < 4000  # most stay short


def test_corrupted_lines_match_sidecar(tmp_path, clean_file):
    path = tmp_path / "bad.jsonl"
    made = generate.generate(path, size=3_000_000, seed=7, corrupt_fraction=0.1)
    sidecar = json.loads(generate.sidecar_path(path).read_text())
    listed = {c["line"]: c["kind"] for c in sidecar["corrupted"]}
    assert sidecar["lines"] == made.lines
    assert set(listed.values()) == set(KINDS)
    lines = path.read_bytes().split(b"\n")[:-1]
    assert len(lines) == made.lines
    for number, raw in enumerate(lines, 1):
        if number in listed:
            assert fault_seen(raw, listed[number]), f"line {number}: {listed[number]}"
        else:
            assert chat_problems(json.loads(raw)) == [], f"line {number}"
    clean = clean_file.path.read_bytes().split(b"\n")
    assert all(lines[i] == clean[i] for i in range(len(lines) - 20) if i + 1 not in listed)


@pytest.mark.parametrize(
    ("text", "size"), [("100MB", 100_000_000), ("1GB", 10**9), ("2KiB", 2048), ("1.5 MB", 1_500_000), ("512", 512)]
)
def test_parse_size(text, size):
    assert generate.parse_size(text) == size


def test_cli_writes_file_and_help(tmp_path):
    script = str(BENCHMARKS / "generate.py")
    assert (
        "--corrupt-fraction"
        in subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True, check=True).stdout
    )
    out = tmp_path / "cli.jsonl"
    subprocess.run(
        [sys.executable, script, "--size", "200KB", "--seed", "1", "-o", str(out), "--corrupt-fraction", "0.05"],
        check=True,
        capture_output=True,
    )
    assert out.stat().st_size >= 200_000
    assert generate.sidecar_path(out).exists()
