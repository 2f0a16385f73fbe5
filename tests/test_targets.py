"""Target profiles: one file, a verdict per target, each rule kind as data (targets-2026.md; rulebook).

Each test names the fact it holds a profile to, and where the fact comes from.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import pytest

import prep
from prep.errors import ConfigError, UsageError
from prep.targets.loader import available_targets, load_target
from tests.helpers import chat

EVERY = ("openai", "azure", "together", "fireworks")
PNG = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")).decode()
WEBP = base64.b64encode(b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20)).decode()


def verdicts(path, targets=EVERY, **options):
    report = prep.check(path, target=",".join(targets), **options)
    return {v.name: v.ok for v in report.verdicts}, report


def errors_of(report, target):
    (verdict,) = [v for v in report.verdicts if v.name == target]
    return {i.code for f in verdict.files for i in f.issues if i.is_error}


def rows(n, make=lambda i: chat(f"Question {i}?", f"Answer {i}.")):
    return [make(i) for i in range(n)]


def with_line(n, line, at=3):
    out = rows(n)
    out[at] = line
    return out


def msgs(*pairs, **extra):
    return {"messages": [{"role": r, "content": c} for r, c in pairs], **extra}


def image(url):
    return {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]},
        {"role": "assistant", "content": "A cat."},
    ]}  # fmt: skip


# The verdicts the targets issue promises, one file each.


def test_a_bom_file_passes_azure_and_fails_openai(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(r).encode() + b"\n" for r in rows(12)))
    ok, report = verdicts(path, ("openai", "azure"))
    assert ok == {"openai": False, "azure": True}  # rulebook 3.1 vs Azure's "must ... include a BOM"
    assert errors_of(report, "openai") == {"P102"}


def test_a_missing_bom_is_a_warning_for_azure_that_says_how_to_add_one(write_jsonl):
    ok, report = verdicts(write_jsonl(rows(12)), ("azure",))
    assert ok == {"azure": True}
    (p118,) = [i for i in report.issues if i.code == "P118"]
    assert not p118.is_error and "prep convert FILE -o OUT.jsonl --bom" in p118.message


def test_user_user_fails_together_only(write_jsonl):
    path = write_jsonl(with_line(12, msgs(("user", "Hi"), ("user", "Anyone?"), ("assistant", "Yes."))))
    ok, report = verdicts(path)
    assert ok == {"openai": True, "azure": True, "together": False, "fireworks": True}
    assert errors_of(report, "together") == {"P235"}  # "alternate user and assistant afterwards"
    assert {i.code for i in report.issues if i.line == 4} == {"P225", "P235"}  # advice for the others


def test_a_mid_conversation_system_message_fails_fireworks_and_together(write_jsonl):
    line = msgs(("user", "Hi"), ("assistant", "Hello."), ("system", "Be brief."), ("user", "2+2?"), ("assistant", "4"))
    ok, report = verdicts(write_jsonl(with_line(12, line)))
    assert ok == {"openai": True, "azure": True, "together": False, "fireworks": False}
    assert errors_of(report, "fireworks") == errors_of(report, "together") == {"P236"}
    (fw,) = [i for i in report.issues if i.code == "P236" and "Fireworks" in i.message]
    assert fw.targets == ("fireworks",) and fw.pointer == "/messages/2"


def test_a_url_image_fails_together_and_fireworks(write_jsonl):
    ok, report = verdicts(write_jsonl(with_line(12, image("https://example.com/cat.png"))))
    assert ok == {"openai": True, "azure": True, "together": False, "fireworks": False}
    (together,) = [i for i in report.issues if i.code == "P239" and "Together" in i.message]
    assert "base64 data URLs" in together.message and together.pointer == "/messages/0/content/1/image_url/url"


def test_two_examples_pass_together_and_fail_fireworks_and_openai(write_jsonl):
    ok, report = verdicts(write_jsonl(rows(2)))
    assert ok == {"openai": False, "azure": False, "together": True, "fireworks": False}
    assert {i.message for i in report.issues if i.code == "P401"} == {
        "File has 2 example(s), but OpenAI needs at least 10.",
        "File has 2 example(s), but Azure OpenAI needs at least 10.",
        "File has 2 example(s), but Fireworks needs at least 3.",
    }


def test_the_file_is_read_once_and_the_exit_code_needs_every_target(write_jsonl, run_prep):
    path = write_jsonl(with_line(12, msgs(("user", "Hi"), ("user", "Anyone?"), ("assistant", "Yes."))))
    code, out, _ = run_prep("check", path, "--target", "openai,azure", "--no-stats")
    assert code == 0 and re.search(r"^openai +passes", out, re.M) and re.search(r"^azure +passes", out, re.M)
    code, out, _ = run_prep("check", path, "--target", "openai,together", "--no-stats")
    assert code == 1 and re.search(r"^together +fails +1 +0 +P235 ×1$", out, re.M)
    assert "(/messages/1) [together]" in out  # an issue of some targets says which


def test_json_carries_one_verdict_per_target(write_jsonl, run_prep):
    code, out, _ = run_prep("check", write_jsonl(rows(2)), "--target", "all", "--format", "json", "--no-stats")
    report = json.loads(out)
    names = [v["name"] for v in report["targets"]]
    assert names == available_targets() and code == 1
    together = report["targets"][names.index("together")]
    assert together["ok"] and together["errors"] == 0
    p401 = [i for i in report["files"][0]["issues"] if i["code"] == "P401"]
    assert {t for i in p401 for t in i["targets"]} == {"openai", "azure", "fireworks", "bedrock"}


# Each rule kind, as profile data: a good and a bad line per profile.


@pytest.mark.parametrize(
    ("target", "roles", "ok"),
    [
        ("together", ["user", "assistant", "user", "assistant"], True),
        ("together", ["system", "user", "assistant"], True),
        ("together", ["user", "assistant", "tool", "assistant"], True),  # a tool round trip is one turn
        ("together", ["assistant", "user", "assistant"], False),  # must start with user
        ("together", ["user", "assistant", "assistant"], False),
        ("openai", ["user", "assistant", "assistant"], True),  # advice only (P225)
    ],
)
def test_alternation_policy(target, roles, ok):
    messages = []
    for role in roles:
        msg = {"role": role, "content": "x"}
        if role == "tool":
            messages[-1] = {"role": "assistant", "tool_calls": [_call()]}
            msg["tool_call_id"] = "c1"
        messages.append(msg)
    example = {"messages": messages, "tools": [_tool()]}
    assert _codes(target, example, error=True).isdisjoint({"P235"}) is ok


@pytest.mark.parametrize(
    ("target", "weights", "bad"),
    [
        ("openai", {"assistant": 0}, set()),
        ("openai", {"user": 0}, {"P210"}),  # rulebook 1.1: assistant messages only
        ("together", {"user": 0, "system": 1}, set()),  # "weight 0/1 appears on user messages too"
        ("openai", {"assistant": 1.0}, {"P209"}),  # an integer
        ("fireworks", {"assistant": 1.0}, set()),  # the renderer takes int or float
        ("fireworks", {"assistant": True}, {"P209"}),  # never a boolean
    ],
)
def test_weights_by_role_and_type(target, weights, bad):
    example = msgs(("system", "S"), ("user", "U"), ("assistant", "A"))
    for msg in example["messages"]:
        if msg["role"] in weights:
            msg["weight"] = weights[msg["role"]]
    assert _codes(target, example, error=True) == bad


@pytest.mark.parametrize(
    ("target", "weight", "bad"),
    [("together", 0.5, set()), ("together", -1, {"P237"}), ("together", "1", {"P237"}), ("openai", 0.5, {"P110"})],
)
def test_a_sample_weight(target, weight, bad):
    assert _codes(target, chat(weight=weight), error=True) == bad  # targets §3: "a non-negative float"


@pytest.mark.parametrize(
    ("target", "value", "bad"),
    [
        ("together", "Thinking...", set()),
        ("together", 7, {"P112"}),
        ("fireworks", "x", set()),
        ("openai", "x", {"P110"}),
    ],
)
def test_reasoning_keys(target, value, bad):
    example = chat()
    example["messages"][1]["reasoning_content"] = value
    assert _codes(target, example, error=True) == bad


@pytest.mark.parametrize(
    ("target", "url", "bad"),
    [
        ("openai", f"data:image/webp;base64,{WEBP}", set()),
        ("fireworks", f"data:image/webp;base64,{WEBP}", {"P220"}),  # "PNG, JPG, JPEG"
        ("fireworks", f"data:image/png;base64,{PNG}", set()),
        ("together", f"data:image/png;base64,{PNG}", set()),
    ],
)
def test_image_formats_and_sources(target, url, bad):
    assert _codes(target, image(url), error=True) == bad


def test_images_per_example_follow_the_profile():
    parts = [{"type": "image_url", "image_url": {"url": "https://example.com/x.png"}}] * 11
    example = {"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "ok"}]}
    assert "P218" in _codes("openai", example, error=True)  # 10 an example
    assert "P218" not in _codes("azure", example, error=True)  # 64 an example


def test_preference_outputs_follow_the_profile():
    two = [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]
    example = {"input": {"messages": [{"role": "user", "content": "q"}]}, "preferred_output": two,
               "non_preferred_output": [{"role": "assistant", "content": "c"}]}  # fmt: skip
    assert _codes("openai", example, "preference", error=True) == {"P227"}  # exactly one
    assert _codes("azure", example, "preference", error=True) == set()  # "at least one assistant message"


def test_completion_prompts_may_be_parts_for_together():
    example = {"prompt": [{"type": "text", "text": "Describe:"}], "completion": "A tent."}
    assert _codes("together", example, "completion", error=True) == set()
    assert _codes("openai", example, "completion", error=True) == {"P112"}


def test_special_tokens_are_a_target_fact():
    example = chat("Say <|endoftext|> please")
    assert _codes("openai", example, error=True) == {"P221"}
    assert _codes("together", example, error=True) == set()


def test_bedrock_takes_reinforcement_with_a_reference_answer(write_jsonl):
    good = msgs(("system", "Answer with a number."), ("user", "2+2?"), reference_answer="4")
    ok, report = verdicts(write_jsonl([good] * 100), ("bedrock", "openai"))
    assert ok == {"bedrock": True, "openai": False}  # targets §7: system allowed; OpenAI has no RFT model left
    assert errors_of(report, "openai") == {"P203", "P304"}
    ok, report = verdicts(write_jsonl([msgs(("user", "2+2?"))] * 99), ("bedrock",))
    assert errors_of(report, "bedrock") == {"P111", "P401"}  # reference_answer; 100 to 20,000 examples


def test_a_target_without_the_format_says_so_once(write_jsonl):
    path = write_jsonl([{"prompt": f"q{i}", "completion": " a"} for i in range(12)])
    ok, report = verdicts(path, ("fireworks", "together"))
    assert ok == {"fireworks": False, "together": True}
    fw = [i for i in report.issues if "fireworks" in i.targets]
    assert [(i.code, i.line) for i in fw] == [("P304", None)]
    assert fw[0].message == "Fireworks takes no completion data (it takes: chat, preference, reinforcement)."


def test_file_size_and_bom_policies_are_data(tmp_path):
    custom = tmp_path / "tiny.toml"
    custom.write_text('extends = "openai"\nname = "tiny"\nmax_file_bytes = 100\nbom = "allow"\n')
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(r).encode() + b"\n" for r in rows(12)))
    (f,) = prep.check(path, target=str(custom), tokens=False).files
    assert {i.code for i in f.issues} == {"P402", "P407", "P303"}  # no P102: the BOM is allowed


# Models, methods and dates.


def test_prompt_completion_with_gpt_4o_mini_is_an_error_and_publish_refuses_it(write_jsonl, run_prep):
    path = write_jsonl([{"prompt": f"q{i}", "completion": " a"} for i in range(12)])
    code, out, _ = run_prep("check", path, "--model", "gpt-4o-mini-2024-07-18", "--no-stats")
    assert code == 1 and "P304 gpt-4o-mini-2024-07-18 cannot train on completion data (it takes: chat)." in out
    code, out, err = run_prep("publish", path, "--model", "gpt-4o-mini-2024-07-18", "--dry-run", "--no-wandb")
    assert code == 1 and "P304" in out and "Nothing was uploaded" in err


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        ("gpt-4o-mini", "preference", "gpt-4o-mini-2024-07-18 cannot train on preference data (it takes: chat)."),
        ("gpt-4.1", "reinforcement", "gpt-4.1-2025-04-14 cannot train on reinforcement data"),
        ("o4-mini", "reinforcement", "o4-mini-2025-04-16 was shut down on 2026-10-23"),
    ],
)
def test_data_a_model_cannot_train_on(model, data, message, write_jsonl):
    example = {
        "preference": {"input": {"messages": [{"role": "user", "content": "q"}]},
                       "preferred_output": [{"role": "assistant", "content": "a"}],
                       "non_preferred_output": [{"role": "assistant", "content": "b"}]},
        "reinforcement": msgs(("developer", "Answer."), ("user", "2+2?"), reference_answer="4"),
    }[data]  # fmt: skip
    report = prep.check(write_jsonl([example] * 12), model=model, stats=False)
    assert any(i.is_error and i.message.startswith(message) for i in report.issues), [i.message for i in report.issues]


def test_the_calendar_is_data_and_today_moves(write_jsonl):
    path = write_jsonl(rows(12))
    report = prep.check(path, model="gpt-4o-mini", stats=False)
    assert report.ok and report.verdicts[0].notice == (
        "OpenAI takes new fine-tuning jobs until 2027-01-06; "
        "gpt-4o-mini-2024-07-18 and its fine-tunes shut down on 2027-01-14."
    )
    later = prep.check(path, target="openai,azure", stats=False, today=dt.date(2027, 2, 1))
    assert {v.name: v.ok for v in later.verdicts} == {"openai": False, "azure": True}
    assert "OpenAI takes no new fine-tuning jobs after 2027-01-06." in {i.message for i in later.issues}


def test_without_a_model_the_limit_follows_the_data(write_jsonl):
    rft = msgs(("developer", "Answer."), ("user", "2+2?"), reference_answer="4")
    (f,) = prep.check(write_jsonl([rft] * 12), target="azure").files
    assert f.budget.token_limit == 65536 and f.budget.covers == ("gpt-5-2025-08-07", "o4-mini-2025-04-16")
    (f,) = prep.check(write_jsonl(rows(12)), target="azure").files
    assert f.budget.token_limit == 8192 and "Qwen-32B" in f.budget.covers  # Azure's smallest chat limit
    (f,) = prep.check(write_jsonl([rft] * 12)).files  # no current OpenAI model takes RFT data
    assert f.budget.covers == () and f.budget.token_limit == 65536
    assert [i.message for i in f.issues if i.code == "P304"] == [
        "No OpenAI model takes reinforcement data for new jobs any more (o4-mini-2025-04-16 until 2026-10-23)."
    ]


def test_a_model_one_target_does_not_tune_is_that_targets_problem(write_jsonl):
    report = prep.check(write_jsonl(rows(12)), target="openai,together", model="gpt-4.1-mini", stats=False)
    assert {v.name: v.ok for v in report.verdicts} == {"openai": True, "together": False}
    assert "Together does not fine-tune gpt-4.1-mini." in {i.message for i in report.issues}
    with pytest.raises(prep.UnknownModelError):  # one target: an unusable invocation, as before
        prep.check(write_jsonl(rows(12)), target="together", model="gpt-4.1-mini")


# Profiles: loading, and the commands that show them.


def test_every_builtin_profile_loads_and_names_its_provider():
    for name in available_targets():
        target = load_target(name)
        assert target.name == name and target.provider and target.formats


def test_a_profile_extends_another_and_removes_with_false(tmp_path):
    custom = tmp_path / "mine.toml"
    custom.write_text(
        'extends = "openai"\nname = "mine"\n[roles]\nfunction = false\n[formats.chat]\nroles = ["user", "assistant"]\n'
    )
    target = load_target(str(custom))
    assert (
        "function" not in target.roles and target.min_examples == 10 and target.models == load_target("openai").models
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'extends = "openai"\nname = "x"\n[conversation]\nalternate = "after_system"\n',
            "unknown key(s) ['alternate']",
        ),
        ('extends = "openai"\nname = "x"\nbom = "maybe"\n', "bom must be one of"),
        ('extends = "x"\n', "extends itself"),
    ],
)
def test_a_bad_profile_is_one_sentence(tmp_path, text, message):
    path = tmp_path / "x.toml"
    path.write_text(text.replace('"x"', f'"{path}"') if "extends itself" in message else text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_target(str(path))


def test_an_unknown_target_names_the_builtin_ones():
    with pytest.raises(
        UsageError, match="built-in targets: azure, bedrock, fireworks, nova, openai, together, trl, vertex"
    ):
        prep.check([chat()], target="mistral")


def test_prep_targets_lists_and_describes(run_prep):
    code, out, _ = run_prep("targets")
    names = available_targets()
    assert code == 0 and [line.split()[0] for line in out.splitlines()[: len(names)]] == names
    assert "openai     winding down" in out and "until 2027-01-06" in out
    code, out, _ = run_prep("targets", "together")
    assert code == 0
    assert "after the system message, user and assistant turns alternate, starting with user" in out
    assert "JPEG, PNG, WEBP as base64 data URLs, in user messages" in out


def test_prep_targets_says_how_prep_publishes_from_the_profile(run_prep):
    """The [publish] table in words: where, which key variable, which methods; a target without one says so."""
    _, out, _ = run_prep("targets", "fireworks")
    publishing = out.split("Publishing (prep publish --target):\n")[1].splitlines()
    assert publishing[0] == (
        "  the fireworks-ai SDK at https://api.fireworks.ai (or FIREWORKS_BASE_URL); key from FIREWORKS_API_KEY, "
        "account FIREWORKS_ACCOUNT_ID (keys come from the environment only)"
    )
    assert publishing[1] == "  methods: supervised, dpo; job options: --learning-rate, --n-epochs, --suffix"
    _, out, _ = run_prep("targets", "bedrock")
    assert "the openai SDK at the endpoint given with --base-url; key from AWS_BEARER_TOKEN_BEDROCK" in out
    assert "  methods: reinforcement; " in out
    _, out, _ = run_prep("targets", "vertex")
    assert out.endswith("Publishing (prep publish --target):\n  not by prep: convert the data (prep convert --to), "
                        "then upload it with the provider's own tools\n")  # fmt: skip


def _call():
    return {"id": "c1", "type": "function", "function": {"name": "look", "arguments": "{}"}}


def _tool():
    return {"type": "function", "function": {"name": "look"}}


def _codes(target, example, fmt="chat", *, error=False):
    from prep.targets.profile import DataFormat
    from prep.validation.rules import CheckContext, check_example

    t = load_target(target)
    return {
        p.code
        for p in check_example(example, CheckContext(t, DataFormat(fmt)))
        if not error or t.severity(p.code).value == "error"
    }
