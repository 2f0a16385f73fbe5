"""Verdicts that hold on real data (issue 11): each class of wrong verdict found on public files, on a minimal file.

Each test states its rule and the source that decides it: the rulebook
(shared/docs/openai-format-rules.md) and the OpenAPI spec it cites
(openai/openai-openapi ``openapi.yaml``; S6 is commit f7f4b05, S6c commit f85dbe2).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import prep
from prep.publishing.types import CheckFailedError
from prep.reports.reporters import REPORTERS, budget_line
from prep.targets.loader import available_targets, load_target
from prep.targets.profile import DataFormat
from prep.validation.options import CheckOptions
from tests.helpers import chat


def line_codes(report):
    """(line, code, pointer) of every issue on a line."""
    return {(i.line, i.code, i.pointer) for f in report.files for i in f.issues if i.line is not None}


def ten(example):
    """A file of nine clean examples and ``example`` on line 10 (ten: the service's minimum)."""
    return [chat(f"Question {i}?", f"Answer {i}.") for i in range(9)] + [example]


def reply(**assistant):
    return {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", **assistant}]}


# 1. One rule, one verdict


def test_tool_calls_null_is_an_error_on_a_clean_line_too(write_jsonl):
    """``tool_calls`` is ``ChatCompletionMessageToolCalls``, a plain array: unlike content, refusal, audio and
    function_call the spec (S6, S6c ChatCompletionRequestAssistantMessage) does not make it nullable. The verdict
    is the same whether or not something else on the line is wrong (the fast path used to pass a clean one)."""
    clean = reply(content="Sunny.", tool_calls=None)
    also_bad = {**reply(content="Sunny.", tool_calls=None), "weight": 1}
    report = prep.check(write_jsonl([*ten(clean), also_bad]))
    found = line_codes(report)
    assert (10, "P112", "/messages/1/tool_calls") in found
    assert (11, "P112", "/messages/1/tool_calls") in found
    message = next(i.message for i in report.issues if i.code == "P112")
    assert "leave the key out" in message and "exclude_none=True" in message


def test_a_weight_past_64_bits_is_reported_not_a_crash():
    """Found by feeding the mutation fuzzer to both paths (tests/unit/test_fastpath.py): an example weight
    (Together's loss multiplier, a non-negative number) holding a Python integer past 64 bits (records or a
    DataFrame hold them; a JSONL line reads one as a float) made the detailed check raise. It is P237."""
    example = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    report = prep.check([{**example, "weight": {"a": 10**30}}], target="together")
    (issue,) = [i for i in report.issues if i.code == "P237"]
    assert (issue.line, issue.pointer) == (1, "/weight") and "1000000000000000000000000000000" in issue.message


# 2. Nullable fields


def test_nulls_the_sdk_writes_for_nullable_fields_are_no_fields(write_jsonl):
    """The spec's ``nullable: true`` (S6 and S6c, ChatCompletionRequestAssistantMessage): refusal, audio and the
    deprecated function_call may be null, which is what ``model_dump()`` of the openai SDK writes for a reply
    without them. A null function_call is no function call: no deprecation warning (P216), no P212; a null
    ``strict`` in a tool definition is the spec's default (FunctionObject.strict is nullable)."""
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {}, "strict": None}}]
    example = {**reply(content="Sunny.", refusal=None, audio=None, function_call=None), "tools": tools}
    report = prep.check(write_jsonl(ten(example)))
    assert line_codes(report) == set()


def test_null_is_accepted_exactly_where_the_sdk_types_allow_it():
    """The oracle is the openai SDK's request type, generated from the OpenAPI spec: each optional key of
    ``ChatCompletionAssistantMessageParam`` whose type admits None (``nullable: true`` in the spec) may be null,
    and null is P112 on every other key. Both paths give the same verdict (item 1)."""
    import typing

    from openai.types.chat import ChatCompletionAssistantMessageParam as Assistant

    from prep.validation.rules import CheckContext, check_example

    hints = typing.get_type_hints(Assistant)
    nullable = {k for k, t in hints.items() if type(None) in typing.get_args(t) or t is type(None)}
    assert nullable == {"audio", "content", "function_call", "refusal"}  # what the SDK at hand says
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    ctx = CheckContext(load_target("openai"), DataFormat.CHAT)
    for key in sorted(Assistant.__optional_keys__ - {"role"}):
        assistant = {"role": "assistant", "content": None, "tool_calls": [call], key: None}
        example = {**reply(**assistant), "tools": tools}
        fast, slow = check_example(example, ctx), check_example(example, ctx, fast=False)
        assert fast == slow, key
        flagged = ("P112", f"/messages/1/{key}") in {(p.code, p.pointer) for p in slow}
        assert flagged is (key not in nullable), (key, slow)


def test_what_model_dump_writes_beyond_the_nullable_fields_is_still_reported(write_jsonl):
    """``ChatCompletionMessage.model_dump()`` (the openai SDK) also writes ``annotations`` (no key of a request
    message) and ``tool_calls`` (not nullable) as null: those stay errors, and say how to leave them out."""
    from openai.types.chat import ChatCompletionMessage

    dumped = ChatCompletionMessage(role="assistant", content="Sunny.").model_dump()
    assert {k for k, v in dumped.items() if v is None} >= {"refusal", "audio", "function_call"}
    report = prep.check(write_jsonl(ten({"messages": [{"role": "user", "content": "Weather?"}, dumped]})))
    assert {code for _, code, _ in line_codes(report)} == {"P110", "P112"}
    assert {p for _, _, p in line_codes(report)} == {"/messages/1/annotations", "/messages/1/tool_calls"}
    assert all("exclude_none=True" in i.message for i in report.issues if i.line)


def test_a_nullable_field_that_is_not_null_still_has_its_type(write_jsonl):
    """refusal is a string, audio an object ``{"id": ...}`` (S6: ``required: [id]``)."""
    report = prep.check(write_jsonl(ten(reply(content="Sunny.", refusal=1, audio={"format": "mp3"}))))
    assert {(c, p) for _, c, p in line_codes(report)} == {
        ("P112", "/messages/1/refusal"),
        ("P112", "/messages/1/audio"),
    }


# 3. Double-encoded tool arguments


def test_arguments_encoded_twice_get_a_warning_that_says_so(write_jsonl):
    """``arguments`` is "a JSON-encoded string" (rulebook §1.1; S6 FunctionObject / ChatCompletionMessageToolCall).
    ``json.dumps(json.dumps(args))`` is valid JSON too, but its value is a string holding JSON again: the model would
    learn to write a quoted string. OpenAI's own cookbook training data holds such lines. Once is clean; a JSON
    string that is not JSON inside (``"\\"Paris\\""``) is a plain string argument, not double encoding."""
    args = {"city": "Paris"}
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]

    def calling(arguments):
        call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
        return {**reply(tool_calls=[call]), "tools": tools}

    twice, once = json.dumps(json.dumps(args)), json.dumps(args)
    report = prep.check(write_jsonl([*ten(calling(twice)), calling(once), calling('"Paris"')]))
    assert line_codes(report) == {(10, "P240", "/messages/1/tool_calls/0/function/arguments")}
    (issue,) = [i for i in report.issues if i.code == "P240"]
    assert issue.severity is prep.Severity.WARNING
    assert "encoded twice" in issue.message and "json.dumps(args)" in issue.message


# 4. Model and data


def test_reinforcement_data_is_measured_against_the_models_that_take_it(tmp_path, write_jsonl):
    """Without --model the limit follows the data (targets issue; rulebook §2.2): reinforcement data is measured
    against the reinforcement models' limit, never a chat model's. With no current OpenAI model for it (o4-mini shut
    down on 2026-10-23, rulebook §2.7), the limit is o4-mini's, and the report says so instead of "safe for ..."
    (a profile whose default is a 16,385 chat limit shows the difference)."""
    profile = tmp_path / "chatty.toml"
    profile.write_text('extends = "openai"\nname = "chatty"\ndefault_token_limit = 16385\n', "utf-8")
    rft = {"messages": [{"role": "developer", "content": "Answer."}, {"role": "user", "content": "2+2?"}]}
    path = write_jsonl([{**rft, "reference_answer": str(i)} for i in range(12)])
    report = prep.check(path, target=str(profile), today=dt.date(2026, 12, 1))
    (budget,) = [f.budget for f in report.files]
    assert (budget.token_limit, budget.covers, budget.former) == (65536, (), ("o4-mini-2025-04-16",))
    text = render(report)
    assert "against 65,536 tokens, the limit of o4-mini-2025-04-16 (no current OpenAI model takes reinforcement" in text
    assert "safe for" not in text


@pytest.mark.parametrize("name", available_targets())
def test_the_safe_for_line_is_true_of_the_data_it_describes(name, write_jsonl):
    """ "safe for the N current <provider> models that take <format> data": each model it counts is current on the
    day, takes the file's format, counts with the tokenizer used, and has a limit no smaller than the one applied;
    with data of no known format the line says that, and claims nothing."""
    target, today = load_target(name), dt.date(2026, 12, 1)
    for fmt, examples in SAMPLES.items():
        if fmt not in target.formats:
            continue
        (f,) = prep.check(write_jsonl(examples), target=name, data_format=fmt.value, today=today).files
        models = [target.models[m] for m in f.budget.covers]
        assert all(m.takes_jobs(today) and fmt in m.formats for m in models)
        assert all(m.encoding == f.budget.encoding and m.token_limit >= f.budget.token_limit for m in models)
        line = budget_line(f.budget, f.format)
        if models:
            n = len(models)
            assert f"safe for the {n} current {target.provider} model{'s' if n > 1 else ''} that take" in line
            assert f"{fmt} data" in line
    if len(target.formats) > 1:  # a target of one format checks every file as that format
        (f,) = prep.check(write_jsonl([{"question": "Hi?", "answer": "Hello."}] * 3), target=name, today=today).files
        assert f.format is None and "the data's format was not recognised" in budget_line(f.budget, f.format)
        assert f.budget.covers == ()


SAMPLES = {
    DataFormat.CHAT: [chat(f"Q{i}?", f"A{i}.") for i in range(3)],
    DataFormat.PREFERENCE: [
        {
            "input": {"messages": [{"role": "user", "content": f"Q{i}?"}]},
            "preferred_output": [{"role": "assistant", "content": "Yes."}],
            "non_preferred_output": [{"role": "assistant", "content": "No."}],
        }
        for i in range(3)
    ],
    DataFormat.REINFORCEMENT: [
        {"messages": [{"role": "user", "content": f"Q{i}?"}], "reference_answer": "4"} for i in range(3)
    ],
    DataFormat.COMPLETION: [{"prompt": f"Q{i} ->", "completion": " A\n"} for i in range(3)],
}


# 5. Hints that point to the fix


def test_data_of_another_method_gets_one_sentence_naming_it(write_jsonl):
    """Which file shape goes with which method is the server's rule (rulebook §1; §5 #10 is the job error), and a
    job is supervised unless told. Preference data (S6 FineTunePreferenceRequestInput) and reinforcement data
    (FineTuneReinforcementRequestInput: the conversation ends on a user turn, grader data beside it) checked
    without --method get one P121 naming the method, not one P109/P204 per line. With --method, no note."""
    user = {"role": "user", "content": "2+2?"}
    preference = {"input": {"messages": [user]}, "preferred_output": [{"role": "assistant", "content": "4"}],
                  "non_preferred_output": [{"role": "assistant", "content": "5"}]}  # fmt: skip
    for examples, method in (
        ([preference] * 12, "dpo"),
        ([{"messages": [user], "reference_answer": "4"}] * 12, "reinforcement"),
    ):
        path = write_jsonl(examples)
        report = prep.check(path, today=dt.date(2026, 6, 1))
        (note,) = [i for i in report.issues if i.code == "P121"]
        assert note.line is None and f"trains with --method {method};" in note.message
        assert not {"P109", "P204"} & set(report.files[0].codes)
        assert not [i for i in prep.check(path, method=method, today=dt.date(2026, 6, 1)).issues if i.code == "P121"]


def test_a_file_of_prompts_without_replies_is_one_error_naming_reinforcement(write_jsonl):
    """Conversations with no assistant message that end on a user turn, and no grader data: as chat data each is
    P204 (rulebook §1.1, "at least one assistant message"), but a file of nothing else is what reinforcement data
    holds (§1.5): one P204 for the file says so and names --method reinforcement, not one per line. With --method
    reinforcement they are checked as such; with --method supervised each line keeps its P204."""
    path = write_jsonl([{"messages": [{"role": "user", "content": f"{i}+2?"}]} for i in range(12)])
    report = prep.check(path, today=dt.date(2026, 6, 1))
    (issue,) = [i for i in report.issues if i.code == "P204"]
    assert issue.line is None and report.files[0].codes["P204"] == 1 and issue.is_error
    assert issue.message.startswith("No example has an assistant message, and each ends on a user turn: this looks")
    assert "trains with --method reinforcement" in issue.message
    assert "P204" not in prep.check(path, method="reinforcement", today=dt.date(2026, 6, 1)).files[0].codes
    assert prep.check(path, method="supervised").files[0].codes["P204"] == 12


def test_chat_data_gets_no_method_note(write_jsonl):
    """Chat data is supervised, the default: no note; one line without a reply in a chat file stays P204 there."""
    report = prep.check(write_jsonl([*ten(chat("Hi?", "Hello.")), {"messages": [{"role": "user", "content": "Hi?"}]}]))
    assert "P121" not in report.files[0].codes
    assert [(i.line, i.code) for i in report.issues if i.code == "P204"] == [(11, "P204")]


def test_publish_checks_every_item_field_the_grader_reads(write_jsonl, tmp_path):
    """Rulebook §1.5, spec FineTuneReinforcementRequestInput (S6): keys beside messages and tools are "available to
    reference during grading under the {{ item.XXX }} template variable". Every field a grader names, in any nested
    grader or message template, must be in every example of both files: P249 on each one that lacks it, and nothing
    is uploaded (a dry run, no client: nothing is sent anyway)."""
    from prep.publishing.grader import item_fields

    grader = {
        "type": "multi",
        "graders": {
            "exact": {"type": "string_check", "input": "{{ sample.output_text }}", "reference": "{{item.answer}}"},
            "judge": {"type": "score_model", "input": [{"role": "user", "content": "Topic: {{ item.meta.topic }}"}]},
        },
    }
    assert item_fields(grader) == ["answer", "meta.topic"]
    rft = {"messages": [{"role": "developer", "content": "Answer."}, {"role": "user", "content": "2+2?"}]}
    good = {**rft, "answer": "4", "meta": {"topic": "sums"}}
    train = write_jsonl([good] * 3 + [{**rft, "answer": "4"}] + [good] * 8, name="train.jsonl")
    valid = write_jsonl([good, {**rft, "meta": {"topic": "sums"}}], name="valid.jsonl")
    job = prep.JobSpec(model="o4-mini", method="reinforcement", grader=grader)
    with pytest.raises(CheckFailedError) as info:
        prep.publish(train, valid=valid, job=job, dry_run=True, ledger_path=tmp_path / "ledger.json")
    found = {(Path(i.path).name, i.line, i.pointer) for i in info.value.report.issues if i.code == "P249"}
    assert found == {("train.jsonl", 4, "/meta/topic"), ("valid.jsonl", 2, "/answer")}
    message = next(i.message for i in info.value.report.issues if i.code == "P249" and i.line == 2)
    assert "The grader reads {{ item.answer }}, which this example does not hold" in message
    for options, severities in (
        (CheckOptions(severity={"P249": "warning"}), {"warning"}),
        (CheckOptions(ignore="P249"), set()),
    ):
        with pytest.raises(CheckFailedError) as info:  # o4-mini takes no new jobs (rulebook §2.7): P302 still fails it
            prep.publish(
                train, valid=valid, job=job, dry_run=True, ledger_path=tmp_path / "l.json", check_options=options
            )
        assert {i.severity.value for i in info.value.report.issues if i.code == "P249"} == severities


LEGACY = {"P350", *(f"P45{n}" for n in range(10))}


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_check_gives_the_recommendations_convert_gives(tmp_path, suffix):
    """prepare_data's recommendations for prompt/completion data (rulebook §4.3; `prep.conversion.legacy`) come from
    one function for both commands: `prep check` reports the same (line, code, message) as `prep convert` without
    --apply, for JSONL and for a table; before, only convert gave them."""
    rows = [{"prompt": f"Classify this review: Review {i}", "completion": "POSITIVE" if i % 3 else "NEGATIVE"}
            for i in range(30)]  # fmt: skip
    rows[4] = {"prompt": "Classify this review: " + "long " * 2100, "completion": "NEGATIVE"}
    path = tmp_path / f"legacy.{suffix}"
    if suffix == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    else:
        path.write_text("prompt,completion\n" + "".join(f'"{r["prompt"]}",{r["completion"]}\n' for r in rows))
    day = dt.date(2026, 12, 1)
    checked = {(i.line, i.code, i.message) for i in prep.check(path, today=day).issues if i.code in LEGACY}
    converted = prep.convert(path, today=day).report.issues
    assert checked == {(i.line, i.code, i.message) for i in converted if i.code in LEGACY}
    assert {code for _, code, _ in checked} == {"P350", "P450", "P452", "P456", "P458", "P459"}
    assert (5 if suffix == "jsonl" else 6, "P350") in {
        (line, code) for line, code, _ in checked
    }  # the CSV header is line 1


@pytest.mark.parametrize(
    ("rows", "columns"),
    [
        ([{"question": f"Q{i}?", "answer": f"A{i}."} for i in range(12)], "question → user, answer → assistant"),
        (
            [{"instruction": f"Q{i}?", "input": "", "output": f"A{i}."} for i in range(12)],  # alpaca
            "instruction → user, input → input, output → assistant",
        ),
    ],
)
def test_lines_of_a_tables_columns_point_to_prep_convert(write_jsonl, tmp_path, rows, columns):
    """{question, answer} objects are no fine-tuning format (rulebook §1: chat, prompt/completion, preference,
    reinforcement; §5 #11 "Unexpected file format"), but they are the columns `prep convert` maps to chat records
    by their common names (README "Converting"). One P108 for the file says so and names the command, not one per
    line; alpaca's string ``input`` is no preference ``input`` (FineTunePreferenceRequestInput.input is an object,
    S6); and what the command writes passes."""
    path = write_jsonl(rows, name="faq.jsonl")
    report = prep.check(path)
    (issue,) = [i for i in report.issues if i.code == "P108"]
    assert issue.line is None and report.files[0].codes["P108"] == 1
    assert issue.message.startswith(f"All 12 lines hold the columns of a table ({columns}), not examples;")
    assert f"prep convert {path} -o OUT.jsonl" in issue.message
    out = tmp_path / "out.jsonl"
    prep.convert(path, out)
    assert prep.check(out).ok


def test_one_line_of_columns_in_a_chat_file_is_reported_on_its_line(write_jsonl):
    """In a file of another format, such a line is P108 on its own line, with the same pointer to prep convert."""
    report = prep.check(write_jsonl([*ten(chat("Hi?", "Hello.")), {"Question": "Q?", "Answer": "A."}]))
    (issue,) = [i for i in report.issues if i.code == "P108"]
    assert (
        issue.line == 11 and "(Question → user, Answer → assistant): prep convert makes a chat record" in issue.message
    )


# 6. Stale advice


def test_a_limit_the_user_set_is_called_theirs_never_a_default(write_jsonl):
    """--token-limit replaces the limit; the report and P301 say it is the user's (with --model too: it is not the
    model's limit), and the JSON's default_limit is false."""
    path = write_jsonl([chat(f"Question {i}?", "A long answer " * 20) for i in range(10)])
    for extra in ({}, {"model": "gpt-4.1-mini"}):
        report = prep.check(path, token_limit=40, **extra)
        text = render(report)
        assert "the 40-token limit you set" in text and "default" not in text
        assert all("you set" in i.message for i in report.issues if i.code == "P301")
        assert report.files[0].stats_summary()["default_limit"] is False


def test_a_shut_down_model_is_never_recommended_and_its_successors_come_from_the_dates(write_jsonl):
    """P302 names the models to use instead, read from the profile's dates (`Target.current_models`): on 2026-12-01
    gpt-3.5-turbo-0125 is shut down (rulebook §2.7) and the gpt-4o/4.1 family is current; on 2027-01-20 those are shut
    down too (targets §1) and OpenAI takes no jobs at all."""
    path = write_jsonl([chat(f"Question {i}?", f"Answer {i}.") for i in range(10)])
    report = prep.check(path, model="gpt-3.5-turbo-0125", today=dt.date(2026, 12, 1))
    (message,) = [i.message for i in report.issues if i.code == "P302"]
    current = {m.name for m in load_target("openai").current_models(DataFormat.CHAT, dt.date(2026, 12, 1))}
    assert current and all(name in message for name in current)
    assert "gpt-4.1-nano" not in message  # shut down on 2026-10-23
    azure = prep.check(path, target="azure", model="gpt-4o", today=dt.date(2027, 5, 1))
    (message,) = [i.message for i in azure.issues if i.code == "P302"]
    assert "the current Azure OpenAI model" in message or "no current Azure OpenAI model" in message


def test_legacy_classification_advice_names_no_shut_down_model(tmp_path):
    """prepare_data told classification data to "try ada/babbage first" (rulebook §4); both are shut down (babbage-002
    took its last job in 2024, rulebook §1.2). The advice now says which of the target's models take prompt/completion
    data today, and for OpenAI, where none does, how to make chat data of it."""
    rows = ["prompt,completion"] + [f"Review {i} ->, {'POSITIVE' if i % 2 else 'NEGATIVE'}" for i in range(12)]
    source = tmp_path / "labels.csv"
    source.write_text("\n".join(rows) + "\n", "utf-8")
    for target, expected in (("openai", "no current OpenAI model takes completion data: prep convert --to chat"),
                             ("together", "the current Together models for completion data are")):  # fmt: skip
        result = prep.convert(source, target=target, tokens=False, today=dt.date(2026, 12, 1))
        (message,) = [i.message for i in result.report.issues if i.code == "P459"]
        assert expected in message and "babbage" not in message and "davinci" not in message
        for name in load_target(target).models:
            if name in message:
                assert load_target(target).models[name].takes_jobs(dt.date(2026, 12, 1)), name


def render(report):
    out = io.StringIO()
    REPORTERS["text"](report, out)
    return out.getvalue()
