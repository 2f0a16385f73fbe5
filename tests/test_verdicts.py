"""Verdicts that hold on real data (issue 11): each class of wrong verdict found on public files, on a minimal file.

Each test states its rule and the source that decides it: the rulebook
(shared/docs/openai-format-rules.md) and the OpenAPI spec it cites
(openai/openai-openapi ``openapi.yaml``; S6 is commit f7f4b05, S6c commit f85dbe2).
"""

from __future__ import annotations

import json

import prep
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
