"""Each rule of the rulebook (§1, §2.1) as a case: an example and exactly the problems it has."""

from __future__ import annotations

import base64
import json

import pytest

from prep.targets.loader import load_target
from prep.targets.profile import DataFormat
from prep.validation.rules import CheckContext, check_example

TARGET = load_target("openai")
CHAT, PREF, RFT, COMP = DataFormat.CHAT, DataFormat.PREFERENCE, DataFormat.REINFORCEMENT, DataFormat.COMPLETION


def problems(example, fmt=CHAT):
    return {(p.code, p.pointer) for p in check_example(example, CheckContext(TARGET, fmt))}


def U(content="Hi", **kw):
    return {"role": "user", "content": content, **kw}


def A(content="Hello!", **kw):
    return {"role": "assistant", "content": content, **kw}


def S(content="Be brief.", **kw):
    return {"role": "system", "content": content, **kw}


def msgs(*m, **kw):
    return {"messages": list(m), **kw}


def call(cid="call_1", name="get_weather", arguments='{"city": "Paris"}'):
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": arguments}}


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def data_url(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(payload).decode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2 + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 50


def image(url, **kw):
    return {"type": "image_url", "image_url": {"url": url, **kw}}


VALID = [
    ("minimal", msgs(U("Hi"), A("Hello!"))),
    ("weights and names", msgs(S(), U("2+2?", name="alice"), A("5", weight=0), U("Again?"), A("4", weight=1))),
    (
        "tool call, final answer",
        msgs(
            U("Weather in Paris?"),
            {"role": "assistant", "tool_calls": [call()]},
            {"role": "tool", "tool_call_id": "call_1", "content": "21C"},
            A("It is 21C."),
            tools=TOOLS,
            parallel_tool_calls=False,
        ),
    ),
    (
        "final assistant holds only tool_calls",
        msgs(U("Weather?"), {"role": "assistant", "tool_calls": [call()]}, tools=TOOLS),
    ),
    (
        "legacy functions",
        msgs(
            U("Weather?"),
            {"role": "assistant", "function_call": {"name": "get_weather", "arguments": "{}"}},
            {"role": "function", "name": "get_weather", "content": "21C"},
            A("21C."),
            functions=[{"name": "get_weather", "parameters": {"type": "object"}}],
        ),
    ),
    ("text parts", msgs(U([{"type": "text", "text": "Hi"}]), A([{"type": "text", "text": "Hello"}]))),
    (
        "image URL",
        msgs(
            U([{"type": "text", "text": "What cheese?"}, image("https://example.com/c.jpg", detail="low")]), A("Danbo")
        ),
    ),
    ("image data URL", msgs(U([image(data_url("image/png", PNG))]), A("A square."))),
]


@pytest.mark.parametrize(("name", "example"), VALID, ids=[v[0] for v in VALID])
def test_valid_chat_examples_have_no_errors(name, example):
    found = problems(example)
    # the legacy example is valid but deprecated (P216 is a warning)
    assert {c for c, _ in found} <= {"P216"}, found


CASES = [
    # keys
    ("extra top-level weight", msgs(U(), A(), weight=1), {("P110", "/weight")}),
    ("missing messages", {"tools": TOOLS}, {("P111", "/messages")}),
    ("null messages", {"messages": None}, {("P112", "/messages")}),
    ("messages empty", msgs(), {("P113", "/messages")}),
    ("message not an object", msgs("hi", A()), {("P112", "/messages/0")}),
    ("unknown message key", msgs(U(mood="happy"), A()), {("P110", "/messages/0/mood")}),
    ("pointer escaping", msgs(U(**{"a/b~c": 1}), A()), {("P110", "/messages/0/a~1b~0c")}),
    # roles
    ("no role", msgs({"content": "Hi"}, A()), {("P201", "/messages/0/role")}),
    ("unknown role", msgs({"role": "bot", "content": "Hi"}, A()), {("P202", "/messages/0/role")}),
    ("role case", msgs({"role": "Assistant", "content": "Hi"}, U(), A()), {("P202", "/messages/0/role")}),
    ("developer in chat", msgs({"role": "developer", "content": "x"}, U(), A()), {("P203", "/messages/0/role")}),
    ("no assistant", msgs(S(), U()), {("P204", "/messages")}),
    # content
    ("missing content", msgs({"role": "user"}, A()), {("P205", "/messages/0/content")}),
    ("null content", msgs(U(None), A()), {("P205", "/messages/0/content")}),
    ("empty content", msgs(U(""), A()), {("P206", "/messages/0/content")}),
    ("whitespace content", msgs(U(" \n"), A()), {("P206", "/messages/0/content")}),
    ("empty assistant content", msgs(U(), A("")), {("P206", "/messages/1/content")}),
    ("content a number", msgs(U(5), A()), {("P112", "/messages/0/content")}),
    ("empty parts", msgs(U([]), A()), {("P113", "/messages/0/content")}),
    ("empty text part", msgs(U([{"type": "text", "text": ""}]), A()), {("P206", "/messages/0/content/0/text")}),
    ("audio part", msgs(U([{"type": "input_audio", "input_audio": {}}]), A()), {("P207", "/messages/0/content/0")}),
    ("image in system", msgs(S([image("https://x/y.png")]), U(), A()), {("P207", "/messages/0/content/0")}),
    ("assistant without output", msgs(U(), {"role": "assistant"}), {("P222", "/messages/1/content")}),
    ("assistant null content", msgs(U(), A(None)), {("P222", "/messages/1/content")}),
    (
        "tool content array",
        msgs(
            U(),
            {"role": "assistant", "tool_calls": [call()]},
            {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "21C"}]},
            A(),
            tools=TOOLS,
        ),
        {("P208", "/messages/2/content")},
    ),
    (
        "tool without tool_call_id",
        msgs(U(), {"role": "tool", "content": "x"}, A()),
        {("P111", "/messages/1/tool_call_id")},
    ),
    ("function without name", msgs(U(), {"role": "function", "content": "x"}, A()), {("P111", "/messages/1/name")}),
    # weight
    ("weight 0.5", msgs(U(), A(weight=0.5)), {("P209", "/messages/1/weight")}),
    ("weight string", msgs(U(), A(weight="1")), {("P209", "/messages/1/weight")}),
    ("weight true", msgs(U(), A(weight=True)), {("P209", "/messages/1/weight")}),
    ("weight 2", msgs(U(), A(weight=2)), {("P209", "/messages/1/weight")}),
    ("weight on user", msgs(U(weight=1), A()), {("P210", "/messages/0/weight")}),
    # tools and calls
    (
        "unanswered tool_call_id",
        msgs(
            U(),
            {"role": "assistant", "tool_calls": [call()]},
            {"role": "tool", "tool_call_id": "call_2", "content": "21C"},
            A(),
            tools=TOOLS,
        ),
        {("P211", "/messages/2/tool_call_id")},
    ),
    (
        "tool answers a later call",
        msgs(
            U(),
            {"role": "tool", "tool_call_id": "call_1", "content": "21C"},
            {"role": "assistant", "tool_calls": [call()]},
            tools=TOOLS,
        ),
        {("P211", "/messages/1/tool_call_id")},
    ),
    (
        "arguments object",
        msgs(U(), {"role": "assistant", "tool_calls": [call(arguments={"city": "Paris"})]}, tools=TOOLS),
        {("P213", "/messages/1/tool_calls/0/function/arguments")},
    ),
    (
        "arguments not JSON",
        msgs(U(), {"role": "assistant", "tool_calls": [call(arguments="{city: Paris}")]}, tools=TOOLS),
        {("P214", "/messages/1/tool_calls/0/function/arguments")},
    ),
    (
        "call without id",
        msgs(
            U(),
            {
                "role": "assistant",
                "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
            },
            tools=TOOLS,
        ),
        {("P212", "/messages/1/tool_calls/0/id")},
    ),
    (
        "call wrong type",
        msgs(U(), {"role": "assistant", "tool_calls": [call() | {"type": "tool"}]}, tools=TOOLS),
        {("P212", "/messages/1/tool_calls/0/type")},
    ),
    (
        "empty tool_calls",
        msgs(U(), {"role": "assistant", "content": "x", "tool_calls": []}),
        {("P113", "/messages/1/tool_calls")},
    ),
    (
        "bad function name",
        msgs(
            U(),
            {"role": "assistant", "tool_calls": [call(name="get weather")]},
            tools=[{"type": "function", "function": {"name": "get weather"}}],
        ),
        {("P215", "/messages/1/tool_calls/0/function/name"), ("P215", "/tools/0/function/name")},
    ),
    ("name too long", msgs(U(name="x" * 65), A()), {("P215", "/messages/0/name")}),
    (
        "call to undefined tool",
        msgs(U(), {"role": "assistant", "tool_calls": [call(name="book_flight")]}, tools=TOOLS),
        {("P233", "/messages/1/tool_calls/0/function/name")},
    ),
    (
        "call with no tools at all",
        msgs(U(), {"role": "assistant", "tool_calls": [call()]}),
        {("P233", "/messages/1/tool_calls/0/function/name")},
    ),
    ("malformed tool", msgs(U(), A(), tools=[{"name": "get_weather"}]), {("P232", "/tools/0")}),
    ("tools not a list", msgs(U(), A(), tools={"type": "function"}), {("P112", "/tools")}),
    ("parallel_tool_calls not bool", msgs(U(), A(), parallel_tool_calls="no"), {("P112", "/parallel_tool_calls")}),
    (
        "function_call deprecated",
        msgs(U(), {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}}, functions=[{"name": "f"}]),
        {("P216", "/functions")},
    ),
    # images
    ("image in assistant", msgs(U(), A([image("https://x/y.png")])), {("P217", "/messages/1/content/0")}),
    ("eleven images", msgs(U([image("https://x/y.png")] * 11), A()), {("P218", "/messages")}),
    (
        "GIF data URL",
        msgs(U([image(data_url("image/gif", GIF))]), A()),
        {("P220", "/messages/0/content/0/image_url/url")},
    ),
    (
        "mislabelled data URL",
        msgs(U([image(data_url("image/jpeg", PNG))]), A()),
        {("P220", "/messages/0/content/0/image_url/url")},
    ),
    (
        "image over 10 MB",
        msgs(U([image(data_url("image/png", PNG + b"\x00" * (10 * 2**20)))]), A()),
        {("P219", "/messages/0/content/0/image_url/url")},
    ),
    (
        "bad detail",
        msgs(U([image("https://x/y.png", detail="max")]), A()),
        {("P207", "/messages/0/content/0/image_url/detail")},
    ),
    ("not a URL", msgs(U([image("ftp://x/y.png")]), A()), {("P207", "/messages/0/content/0/image_url/url")}),
    # special tokens
    ("special token", msgs(U("say <|endoftext|>"), A()), {("P221", "/messages/0/content")}),
    (
        "fim token in arguments",
        msgs(U(), {"role": "assistant", "tool_calls": [call(arguments='{"q": "<|fim_suffix|>"}')]}, tools=TOOLS),
        {("P221", "/messages/1/tool_calls/0/function/arguments")},
    ),
    (
        "im_start token",
        msgs(U([{"type": "text", "text": "<|im_start|>"}]), A()),
        {("P221", "/messages/0/content/0/text")},
    ),
    # advice (warnings)
    ("no user", msgs(S(), A()), {("P223", "/messages")}),
    ("system not first", msgs(U(), S(), A()), {("P224", "/messages/1")}),
    ("two user turns", msgs(U(), U("More"), A()), {("P225", "/messages/1")}),
    ("untrained tail", msgs(U(), A(), U("Thanks")), {("P226", "/messages/2")}),
]


@pytest.mark.parametrize(("name", "example", "expected"), CASES, ids=[c[0] for c in CASES])
def test_chat_cases(name, example, expected):
    assert problems(example) == expected


PREF_OK = {"input": {"messages": [U()]}, "preferred_output": [A("Hello!")], "non_preferred_output": [A("What.")]}
PREF_CASES = [
    ("valid", PREF_OK, set()),
    ("valid with tools", PREF_OK | {"input": {"messages": [U()], "tools": TOOLS, "parallel_tool_calls": True}}, set()),
    (
        "old key names",
        {"input": {"messages": [U()]}, "preferred_completion": [A()], "non_preferred_completion": [A("No")]},
        {("P228", "/preferred_completion"), ("P228", "/non_preferred_completion")},
    ),
    ("two preferred", PREF_OK | {"preferred_output": [A("a"), A("b")]}, {("P227", "/preferred_output")}),
    ("empty output", PREF_OK | {"non_preferred_output": []}, {("P227", "/non_preferred_output")}),
    ("output not a list", PREF_OK | {"preferred_output": "Hello"}, {("P227", "/preferred_output")}),
    ("user output", PREF_OK | {"preferred_output": [U("x")]}, {("P227", "/preferred_output/0/role")}),
    (
        "output without content",
        PREF_OK | {"preferred_output": [{"role": "assistant"}]},
        {("P222", "/preferred_output/0/content")},
    ),
    ("input ends on assistant", PREF_OK | {"input": {"messages": [U(), A()]}}, {("P229", "/input/messages/1")}),
    ("identical outputs", PREF_OK | {"non_preferred_output": [A("Hello!")]}, {("P230", "/non_preferred_output")}),
    ("input not an object", PREF_OK | {"input": "Hi"}, {("P112", "/input")}),
    ("input without messages", PREF_OK | {"input": {}}, {("P111", "/input/messages")}),
    ("extra input key", PREF_OK | {"input": {"messages": [U()], "functions": []}}, {("P110", "/input/functions")}),
    ("missing output", {"input": {"messages": [U()]}, "preferred_output": [A()]}, {("P111", "/non_preferred_output")}),
    ("extra key", PREF_OK | {"id": 3}, {("P110", "/id")}),
]


@pytest.mark.parametrize(("name", "example", "expected"), PREF_CASES, ids=[c[0] for c in PREF_CASES])
def test_preference_cases(name, example, expected):
    assert problems(example, PREF) == expected


D = {"role": "developer", "content": "Answer with a number."}
RFT_CASES = [
    ("valid with grader data", msgs(D, U("2+2?"), reference_answer="4", meta={"k": [1]}), set()),
    ("system not allowed", msgs(S(), U("2+2?")), {("P203", "/messages/0/role")}),
    ("must end on user", msgs(D, U(), A()), {("P231", "/messages/2")}),
    (
        "function role not allowed",
        msgs(D, {"role": "function", "name": "f", "content": "x"}, U()),
        {("P203", "/messages/1/role")},
    ),
    ("tools checked", msgs(D, U(), tools=[{"type": "function"}]), {("P232", "/tools/0")}),
]


@pytest.mark.parametrize(("name", "example", "expected"), RFT_CASES, ids=[c[0] for c in RFT_CASES])
def test_reinforcement_cases(name, example, expected):
    assert problems(example, RFT) == expected


COMP_CASES = [
    ("valid", {"prompt": "2+2 =\n\n###\n\n", "completion": " 4\n"}, set()),
    ("empty prompt is open-ended generation", {"prompt": "", "completion": " Once upon a time\n"}, set()),
    ("completion not a string", {"prompt": "x", "completion": 4}, {("P112", "/completion")}),
    ("empty completion", {"prompt": "x", "completion": " "}, {("P206", "/completion")}),
    ("extra key", {"prompt": "x", "completion": " y", "id": 1}, {("P110", "/id")}),
    ("missing completion", {"prompt": "x"}, {("P111", "/completion")}),
]


@pytest.mark.parametrize(("name", "example", "expected"), COMP_CASES, ids=[c[0] for c in COMP_CASES])
def test_completion_cases(name, example, expected):
    assert problems(example, COMP) == expected


def test_every_problem_in_an_example_is_reported():
    example = msgs({"role": "bot", "content": ""}, U(weight=1), A(weight=3), tools=[{}], extra=True)
    codes = sorted(c for c, _ in problems(example))
    assert codes == ["P110", "P202", "P209", "P210", "P232"]


def test_problems_have_messages_a_person_can_act_on():
    (p,) = check_example(msgs(U(), A(), weight=1), CheckContext(TARGET, CHAT))
    assert p.message == "Unknown key 'weight' in a chat example (weight belongs inside assistant messages)."
    assert json.dumps(p.pointer) == '"/weight"'
