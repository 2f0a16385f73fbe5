"""Token accounting: the Cookbook oracle, per-model limits, model resolution, air-gapped tokenizers."""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest
import tiktoken

import prep
from prep.errors import TokenizerUnavailableError, UnknownModelError
from prep.targets.budget import resolve_budget
from prep.targets.loader import load_target
from prep.validation.encoders import load_encoder
from prep.validation.images import image_tokens
from prep.validation.tokens import TokenCounter
from tests.helpers import COOKBOOK_TOY, TIKTOKEN_DIR, chat, tiktoken_reference

TOY = COOKBOOK_TOY
TARGET = load_target("openai")


def stats(model=None, **kw):
    (f,) = prep.check(TOY, model=model, **kw).files
    return f.stats_summary()


@pytest.mark.parametrize(
    ("model", "limit", "billed", "over"),
    [("gpt-3.5-turbo-0613", 4096, 4306, 1), ("gpt-3.5-turbo-0125", 16385, 8242, 0)],
)
def test_cookbook_oracle(model, limit, billed, over):
    """rulebook §3.6: every number the notebook recorded for the toy file, with cl100k_base."""
    s = stats(model)
    assert (s["encoding"], s["token_limit"]) == ("cl100k_base", limit)
    t, a, m = s["tokens"], s["assistant_tokens"], s["messages"]
    assert (t["min"], t["max"], t["mean"], t["median"], t["p10"], t["p90"]) == (26, 8032, 1648.4, 45.0, 26.8, 4863.6)
    assert (a["min"], a["max"], a["mean"], a["median"], a["p10"], a["p90"]) == (
        4,
        8000,
        1610.2,
        10.0,
        6.0,
        4811.200000000001,
    )
    assert (m["min"], m["max"], m["mean"], m["median"], m["p10"], m["p90"]) == (2, 9, 3.8, 3.0, 2.0, 6.6000000000000005)
    assert (s["without_system"], s["without_user"], s["over_limit"]) == (1, 1, over)
    assert s["estimate"] | {"prices": []} == {
        "epochs": 20,
        "billed_tokens": billed,
        "trained_tokens": 20 * billed,
        "prices": [],
    }


def test_o200k_oracle_is_the_default():
    s = stats()
    assert (s["model"], s["encoding"], s["token_limit"], s["default_limit"]) == (None, "o200k_base", 65536, True)
    t, a = s["tokens"], s["assistant_tokens"]
    assert (t["mean"], t["median"], t["p10"], t["p90"]) == (1646.6, 43.0, 26.4, 4861.000000000001)
    assert (a["mean"], a["median"], a["p10"], a["p90"]) == (1609.0, 9.0, 5.0, 4810.000000000001)
    assert s["estimate"] | {"prices": []} == {
        "epochs": 20,
        "billed_tokens": 8233,
        "trained_tokens": 164660,
        "prices": [],
    }
    records = [json.loads(line) for line in TOY.read_text().splitlines()]
    assert [t.total for t in prep.count_tokens(records)] == [43, 106, 26, 27, 8031]
    assert [t.trained for t in prep.count_tokens(records)] == [8, 25, 9, 3, 8000]


def test_same_example_over_the_limit_for_gpt35_not_for_gpt4o_mini(tmp_path):
    long_answer = "Hiking boots need to be broken in slowly. " * 2500  # ~22k tokens
    rows = [chat(f"Question {i}?", long_answer if i == 3 else f"Answer {i}.") for i in range(12)]
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for model, over in [("gpt-3.5-turbo-0125", True), ("gpt-4o-mini-2024-07-18", False)]:
        (f,) = prep.check(path, model=model).files
        p301 = [i for i in f.issues if i.code == "P301"]
        assert bool(p301) is over
        if over:
            assert p301[0].line == 4
            assert "over the 16,385-token limit of gpt-3.5-turbo-0125" in p301[0].message


@pytest.mark.parametrize(
    ("model", "encoding", "limit"),
    [
        ("gpt-4o-mini-2024-07-18", "o200k_base", 65536),
        ("gpt-4o", "o200k_base", 65536),
        ("gpt-4.1-nano-2025-04-14", "o200k_base", 65536),
        ("gpt-3.5-turbo", "cl100k_base", 16385),
        ("gpt-3.5-turbo-0613", "cl100k_base", 4096),
        ("ft:gpt-4.1-mini-2025-04-14:acme::BbT3Zq1x", "o200k_base", 65536),
        ("ft:o4-mini-2025-04-16:acme:grader:C7xYz", "o200k_base", 65536),
        ("ft:gpt-3.5-turbo-0125:acme::9abc", "cl100k_base", 16385),
        ("davinci-002", "cl100k_base", 16384),
    ],
)
def test_model_resolution(model, encoding, limit):
    budget = resolve_budget(TARGET, model=model)
    assert (budget.encoding, budget.token_limit) == (encoding, limit)


def test_tiktoken_gets_ft_gpt41_wrong_and_we_do_not():
    assert tiktoken.encoding_name_for_model("ft:gpt-4.1-mini-2025-04-14:acme::x") == "cl100k_base"
    assert resolve_budget(TARGET, model="ft:gpt-4.1-mini-2025-04-14:acme::x").encoding == "o200k_base"


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(UnknownModelError, match=r"Unknown model 'gpt-9'.*gpt-4o-mini-2024-07-18"):
        resolve_budget(TARGET, model="gpt-9")


def test_encoding_and_limit_can_be_forced():
    budget = resolve_budget(TARGET, encoding="cl100k_base", token_limit=1000)
    assert (budget.encoding, budget.token_limit, budget.is_default) == ("cl100k_base", 1000, False)


def _cookbook_tools_tokens(functions, messages, enc, func_init):
    """The Cookbook's num_tokens_for_tools (S11), transcribed as the oracle."""
    prop_init, prop_key, enum_init, enum_item, func_end = 3, 3, -3, 3, 12
    n = 0
    for f in functions:
        n += func_init
        fn = f["function"]
        desc = fn["description"].removesuffix(".")
        n += len(enc.encode(fn["name"] + ":" + desc))
        if len(fn["parameters"]["properties"]) > 0:
            n += prop_init
            for key, prop in fn["parameters"]["properties"].items():
                n += prop_key
                if "enum" in prop:
                    n += enum_init
                    for item in prop["enum"]:
                        n += enum_item + len(enc.encode(item))
                n += len(enc.encode(f"{key}:{prop['type']}:{prop['description'].removesuffix('.')}"))
    n += func_end
    m = sum(3 + sum(len(enc.encode(v)) for v in msg.values()) for msg in messages) + 3
    return n + m


@pytest.mark.parametrize(("encoding", "func_init"), [("o200k_base", 7), ("cl100k_base", 10)])
def test_tool_definitions_counted_like_the_cookbook(encoding, func_init):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                        "unit": {
                            "type": "string",
                            "description": "The unit of temperature to return",
                            "enum": ["celsius", "fahrenheit"],
                        },
                    },
                    "required": ["location"],
                },
            },
        }
    ]
    messages = [
        {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
        {"role": "user", "content": "What's the weather like in San Francisco?"},
    ]
    counter = TokenCounter(load_encoder(encoding))
    ours = counter.exact(counter.conversation({"messages": messages, "tools": tools}))
    assert ours == _cookbook_tools_tokens(tools, messages, tiktoken_reference(encoding), func_init)


def test_weight_zero_is_not_trained():
    counter = TokenCounter(load_encoder("o200k_base"))
    ex = {
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello there", "weight": 0},
            {"role": "user", "content": "Again"},
            {"role": "assistant", "content": "Hello"},
        ]
    }
    tokens = counter.example(ex, prep.DataFormat.CHAT)
    assert tokens.trained == counter.text("Hello")
    assert tokens.total == 3 + 4 * 3 + sum(
        counter.text(s) for s in ["user", "Hi", "assistant", "Hello there", "user", "Again", "assistant", "Hello"]
    )


def test_non_string_values_do_not_crash_counting():
    """Cookbook issue #1270: weight ints, dicts and None crash the notebook."""
    counter = TokenCounter(load_encoder("o200k_base"))
    ex = {
        "messages": [
            {"role": "user", "content": None, "name": 5},
            {"role": "assistant", "content": {"x": 1}, "weight": 1},
        ]
    }
    assert counter.example(ex, prep.DataFormat.CHAT).total > 0


def test_count_tokens_takes_pydantic_records_and_iterables():
    from prep.records.models import ChatRecord

    rec = ChatRecord.model_validate(chat())
    one = prep.count_tokens(rec, model="gpt-4o-mini")
    assert one == prep.count_tokens(chat(), model="gpt-4o-mini")
    assert prep.count_tokens([rec, chat()], model="gpt-4o-mini") == [one, one]


def _png(w, h):
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", w, h) + b"\x08\x02\x00\x00\x00"


def _jpeg(w, h):
    exif = b"\xff\xe1" + struct.pack(">H", 18) + b"Exif\x00\x00" + b"\x00" * 10
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x00" * 9
    return b"\xff\xd8" + exif + sof


@pytest.mark.parametrize(
    ("payload", "detail", "tokens"),
    [
        (_png(1024, 1024), "high", 765),
        (_png(2048, 4096), None, 1105),
        (_jpeg(2048, 4096), "auto", 1105),
        (_png(4000, 3000), "low", 85),
        (_png(512, 512), "high", 255),
    ],
)
def test_image_tokens_follow_the_tile_rule(payload, detail, tokens):
    url = "data:image/png;base64," + base64.b64encode(payload).decode()
    assert image_tokens(url, detail) == tokens


def test_image_at_a_url_counts_its_minimum():
    assert image_tokens("https://example.com/a.png", "high") == 85


# --- air-gapped tokenizers -------------------------------------------------------------


def test_local_dir_is_verified_by_sha256(tmp_path):
    bad = tmp_path / "cl100k_base.tiktoken"
    data = bytearray((TIKTOKEN_DIR / "cl100k_base.tiktoken").read_bytes())
    data[100] ^= 1
    bad.write_bytes(bytes(data))
    with pytest.raises(TokenizerUnavailableError, match=r"SHA-256 .* but tiktoken expects 223921b76ee99bde"):
        load_encoder("cl100k_base", tmp_path, backend="tiktoken")


def test_a_local_dir_without_the_file_falls_back_to_the_shipped_one(tmp_path):
    assert load_encoder("o200k_base", tmp_path, backend="tiktoken").count("Hello world") == 2


def test_tiktoken_dir_and_its_variable_come_first(tmp_path):
    """A folder given by --tiktoken-dir or PREP_TIKTOKEN_DIR is read before prep's own files (here: a bad copy)."""
    data = bytearray((TIKTOKEN_DIR / "o200k_base.tiktoken").read_bytes())
    data[10] ^= 1
    (tmp_path / "o200k_base.tiktoken").write_bytes(bytes(data))
    for args, env in ((["--tiktoken-dir", str(tmp_path)], {}), ([], {"PREP_TIKTOKEN_DIR": str(tmp_path)})):
        result = _run(["check", *args, str(TOY)], env, tmp_path)
        assert result.returncode == 2, result.stderr
        assert "o200k_base.tiktoken has SHA-256" in result.stderr and "but tiktoken expects 446a9538" in result.stderr


#: Run the CLI with the rank files shipped in prep hidden, as in an installation that lost them.
STRIPPED = (
    "import sys, pathlib, prep.validation.encoders as e; e.PACKAGED = pathlib.Path(sys.argv[1]); "
    "import prep.cli; sys.exit(prep.cli.main(sys.argv[2:]))"
)


def _run(args, env_updates, cwd, *, stripped=False):
    """The CLI counting with tiktoken (the backend that reads rank files), the network closed."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREP_TIKTOKEN_DIR", "TIKTOKEN_CACHE_DIR")}
    env.update({"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "PREP_TOKENIZER": "tiktoken"})
    env.update(env_updates)
    command = ["-c", STRIPPED, str(cwd / "no-rank-files")] if stripped else ["-m", "prep"]
    return subprocess.run([sys.executable, *command, *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_counts_with_no_download_and_no_rank_files_outside_prep(tmp_path):
    """No PREP_TIKTOKEN_DIR, an empty tiktoken cache, the network closed: the shipped rank files count."""
    empty = tmp_path / "empty"
    empty.mkdir()
    for encoding, billed in (("o200k_base", "8,233"), ("cl100k_base", "8,242")):
        result = _run(["check", "--encoding", encoding, str(TOY)], {"TIKTOKEN_CACHE_DIR": str(empty)}, tmp_path)
        assert result.returncode == 1, result.stderr
        assert f"{billed} billed tokens" in result.stdout
    assert list(empty.iterdir()) == []


def test_without_shipped_rank_files_tiktoken_cache_dir_is_used(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(TIKTOKEN_DIR / "o200k_base.tiktoken", cache / "fb374d419588a4632f3f557e76b4b70aebbca790")
    result = _run(["check", str(TOY)], {"TIKTOKEN_CACHE_DIR": str(cache)}, tmp_path, stripped=True)
    assert result.returncode == 1, result.stderr
    assert "8,233 billed tokens" in result.stdout


def test_no_rank_files_reports_structure_then_one_sentence_and_exits_2(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run(["check", str(TOY)], {"TIKTOKEN_CACHE_DIR": str(empty)}, tmp_path, stripped=True)
    assert result.returncode == 2
    assert "P401 File has 5 example(s)" in result.stdout  # structural checks still reported
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--tiktoken-dir" in line and "PREP_TIKTOKEN_DIR" in line and "TIKTOKEN_CACHE_DIR" in line


def test_no_tokens_says_limits_were_not_checked_and_never_imports_tiktoken(tmp_path):
    code = (
        "import sys, prep.cli; rc = prep.cli.main(['check', '--no-tokens', sys.argv[1]]); "
        "print('TIKTOKEN', 'tiktoken' in sys.modules); sys.exit(rc)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREP_TIKTOKEN_DIR"}
    result = subprocess.run([sys.executable, "-c", code, str(TOY)], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "Token limits were not checked (--no-tokens)." in result.stdout
    assert "TIKTOKEN False" in result.stdout
