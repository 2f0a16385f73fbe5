"""prep convert --to vertex|nova|trl: OpenAI records into another target's data, every loss on its line.

The round trips end in the target's own check: what prep writes for a target passes `prep check --target` of
that target. Each kind of loss has a test that it is reported, on its line, with its input pointer.
"""

from __future__ import annotations

import base64
import json

import pytest

import prep
from prep.errors import InputError, UsageError

PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
)
PNG = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def weather(i):
    """A conversation with a system message, a tool call and its result."""
    return {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": f"What is the weather in city {i}?"},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": f"call_{i}",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": json.dumps({"city": f"city {i}"})},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": f"call_{i}", "content": json.dumps({"temp_c": 20 + i})},
            {"role": "assistant", "content": f"It is {20 + i} degrees."},
        ],
        "tools": TOOLS,
    }


def picture():
    """A weight-0 turn and an image (a data URL)."""
    return {
        "messages": [
            {"role": "system", "content": "You describe images."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": PNG}},
                ],
            },
            {"role": "assistant", "content": "A pixel.", "weight": 0},
            {"role": "user", "content": "Be more precise."},
            {"role": "assistant", "content": "One transparent pixel."},
        ]
    }


@pytest.fixture
def openai_file(write_jsonl):
    rows = [weather(i) for i in range(12)]
    rows[3] = picture()
    return write_jsonl(rows, "openai.jsonl")


def losses(result):
    return [(i.line, i.code, i.pointer) for i in result.report.issues if i.code.startswith("P16")]


@pytest.mark.parametrize(
    ("target", "prefix"), [("vertex", "gs://tuning-data/images/"), ("nova", "s3://tuning-data/images/")]
)
def test_an_openai_file_converts_and_passes_the_targets_own_check(openai_file, tmp_path, run_prep, target, prefix):
    """Must show: system message, tool calls and results, weight 0 turns and an image; each loss on its line."""
    out, media = tmp_path / f"{target}.jsonl", tmp_path / "media"
    code, report, err = run_prep(
        "convert", openai_file, "-o", out, "--to", target, "--media-dir", media, "--media-prefix", prefix, "--isolated"
    )
    assert code == 0, report + err
    assert f"wrote 12 record(s) to {out}" in err
    name = f"{hashlib_name(PNG_BYTES)}.png"
    assert (media / name).read_bytes() == PNG_BYTES
    assert "openai.jsonl:4: P162 " in report and "(/messages/2/weight)" in report
    assert (
        f"openai.jsonl:4: P167 The image was written to {media / name} and is referred to as {prefix}{name}." in report
    )
    code, checked, _ = run_prep("check", out, "--target", target, "--isolated")
    assert code == 0, checked
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert prefix + name in json.dumps(lines[3])
    assert len(lines) == 12


def hashlib_name(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()[:16]


def test_vertex_output_holds_calls_results_and_the_system_instruction(openai_file, tmp_path):
    result = prep.convert(
        openai_file, tmp_path / "v.jsonl", to="vertex", media_dir=tmp_path / "m", media_prefix="gs://b/p/"
    )
    first = json.loads((tmp_path / "v.jsonl").read_text().splitlines()[0])
    assert first == {
        "systemInstruction": {"parts": [{"text": "You are a helpful assistant."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "What is the weather in city 0?"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "city 0"}}}]},
            {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp_c": 20}}}]},
            {"role": "model", "parts": [{"text": "It is 20 degrees."}]},
        ],
        "tools": [{"functionDeclarations": [TOOLS[0]["function"]]}],
    }
    assert result.records == [] and result.written == 12  # streamed to the file, not kept


def test_nova_output_holds_tool_use_and_its_result(openai_file, tmp_path):
    prep.convert(openai_file, tmp_path / "n.jsonl", to="nova", media_dir=tmp_path / "m", media_prefix="s3://b/p/")
    first = json.loads((tmp_path / "n.jsonl").read_text().splitlines()[0])
    assert first["schemaVersion"] == "bedrock-conversation-2024"
    assert first["system"] == [{"text": "You are a helpful assistant."}]
    assert first["messages"][1:3] == [
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "call_0", "name": "get_weather", "input": {"city": "city 0"}}}],
        },
        {"role": "user", "content": [{"toolResult": {"toolUseId": "call_0", "content": [{"json": {"temp_c": 20}}]}}]},
    ]
    spec = first["toolConfig"]["tools"][0]["toolSpec"]
    assert spec["name"] == "get_weather" and spec["inputSchema"]["json"]["required"] == ["city"]


def test_tool_use_is_an_error_for_nova_2_lite(openai_file, tmp_path):
    """Nova 2 SFT: "tool usage ... is not currently supported"; the check of the output says so on each line."""
    result = prep.convert(
        openai_file,
        tmp_path / "n.jsonl",
        to="nova",
        model="nova-2-lite",
        media_dir=tmp_path / "m",
        media_prefix="s3://b/",
    )
    assert not result.ok and not (tmp_path / "n.jsonl").exists() and not (tmp_path / "m").exists()
    assert sorted({i.line for i in result.report.issues if i.code == "P246" and i.is_error}) == [1, 2, 3, *range(5, 13)]


def convert(rows, to, **options):
    """Convert a few rows: the example counts (P401, P402) are beside the point here."""
    return prep.convert(rows, to=to, tokens=False, ignore={"P401", "P402"}, **options)


def chat(*messages, **extra):
    return {"messages": list(messages), **extra}


def m(role, content, **extra):
    return {"role": role, "content": content, **extra}


QA = (m("user", "Hi"), m("assistant", "Hello."))


@pytest.mark.parametrize("to", ["vertex", "nova", "trl"])
def test_a_weight_0_turn_is_trained_or_left_out_as_asked(to):
    rows = [chat(m("user", "Hi"), m("assistant", "Draft.", weight=0), m("user", "Again?"), m("assistant", "Final."))]
    kept = convert(rows, to)
    assert losses(kept) == [(1, "P162", "/messages/1/weight")]
    assert "is now trained on (--zero-weight drop leaves it out)" in next(
        i.message for i in kept.report.issues if i.code == "P162"
    )
    assert "Draft." in json.dumps(kept.records)
    dropped = convert(rows, to, zero_weight="drop")
    assert (1, "P162", "/messages/1/weight") in losses(dropped)
    assert "Draft." not in json.dumps(dropped.records)


def test_dropping_a_turn_for_nova_merges_the_user_turns_around_it():
    rows = [chat(m("user", "Hi"), m("assistant", "Draft.", weight=0), m("user", "Again?"), m("assistant", "Final."))]
    result = convert(rows, "nova", zero_weight="drop")
    assert losses(result) == [(1, "P162", "/messages/1/weight"), (1, "P165", "/messages/2")]
    assert result.records[0]["messages"][0] == {"role": "user", "content": [{"text": "Hi"}, {"text": "Again?"}]}
    assert result.ok


@pytest.mark.parametrize(("to", "kept"), [("vertex", False), ("nova", False), ("trl", True)])
def test_a_name_is_reported_where_the_target_has_none(to, kept):
    result = convert([chat(m("user", "Hi", name="alice"), m("assistant", "Hello."))], to)
    assert losses(result) == ([] if kept else [(1, "P163", "/messages/0/name")])
    assert ("alice" in json.dumps(result.records)) is kept


@pytest.mark.parametrize("to", ["vertex", "nova"])
def test_a_system_message_after_the_start_moves_into_the_system_prompt(to):
    rows = [
        chat(
            m("system", "Be brief."), *QA, m("system", "Now in French."), m("user", "Merci"), m("assistant", "De rien.")
        )
    ]
    result = convert(rows, to)
    assert losses(result) == [(1, "P164", "/messages/3")]
    assert "Now in French." in json.dumps(result.records[0].get("systemInstruction", result.records[0].get("system")))


def test_trl_keeps_a_system_message_where_it_is():
    rows = [chat(*QA, m("system", "Now in French."), m("user", "Merci"), m("assistant", "De rien."))]
    result = convert(rows, "trl")
    assert losses(result) == [] and result.records[0]["messages"][2]["role"] == "system"


def test_consecutive_user_turns_are_merged_for_nova_only():
    rows = [chat(m("user", "Hi"), m("user", "Anyone?"), m("assistant", "Yes."))]
    assert losses(convert(rows, "nova")) == [(1, "P165", "/messages/1")]
    assert losses(convert(rows, "vertex")) == []  # Vertex documents no alternation rule
    assert len(convert(rows, "vertex").records[0]["contents"]) == 3


@pytest.mark.parametrize(
    ("row", "pointer"),
    [
        (
            chat(
                m(
                    "user",
                    [{"type": "text", "text": "Hi"}, {"type": "image_url", "image_url": {"url": PNG, "detail": "low"}}],
                ),
                QA[1],
            ),
            "/messages/0/content/1/image_url/detail",
        ),
        (chat(*QA, tools=TOOLS, parallel_tool_calls=False), "/parallel_tool_calls"),
        (
            chat(*QA, tools=[{"type": "function", "function": {**TOOLS[0]["function"], "strict": True}}]),
            "/tools/0/function/strict",
        ),
        (chat(QA[0], m("assistant", "I cannot.", refusal="policy")), "/messages/1/refusal"),
    ],
)
def test_other_fields_the_target_cannot_hold_are_reported(tmp_path, row, pointer):
    for to in ("vertex", "nova"):
        result = convert([row], to, media_dir=tmp_path / to, media_prefix=f"{'gs' if to == 'vertex' else 's3'}://b/")
        assert (1, "P166", pointer) in losses(result), to
        assert result.ok, list(result.report.issues)


DEEP = "[" * 100_000 + "]" * 100_000  # nested past any recursion limit (mypy, run in-process, raises it)


@pytest.mark.parametrize(
    ("to", "row", "pointer", "words"),
    [
        (
            "vertex",
            chat(m("user", [{"type": "image_url", "image_url": {"url": PNG}}]), QA[1]),
            "/messages/0/content/0/image_url/url",
            "give --media-dir and --media-prefix",
        ),
        (
            "nova",
            chat(m("user", [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]), QA[1]),
            "/messages/0/content/0/image_url/url",
            "takes s3:// URIs",
        ),
        (
            "vertex",
            chat(m("user", [{"type": "image_url", "image_url": {"url": "https://example.com/cat"}}]), QA[1]),
            "/messages/0/content/0/image_url/url",
            "its type cannot be told",
        ),
        (
            "trl",
            chat(
                QA[0],
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "[1]"}}],
                },
            ),
            "/messages/1/tool_calls/0/function/arguments",
            "JSON object",
        ),
        (
            "nova",
            chat(
                QA[0],
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}}],
                },
            ),
            "/messages/1/tool_calls/0/function/arguments",
            "JSON object",
        ),
        (
            "nova",
            chat(
                QA[0],
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": DEEP}}],
                },
            ),
            "/messages/1/tool_calls/0/function/arguments",
            "JSON object",
        ),
        (
            "vertex",
            chat(*QA, m("tool", "42", tool_call_id="nope")),
            "/messages/2/tool_call_id",
            "answers no earlier tool call",
        ),
        ("vertex", chat(*QA, functions=[{"name": "f"}]), "/functions", "Legacy functions"),
        (
            "trl",
            chat(QA[0], {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}}),
            "/messages/1/function_call",
            "Legacy function_call",
        ),
        ("nova", {"prompt": "2+2=", "completion": "4"}, "", "converted to chat first"),
        ("nova", {"messages": [m("user", "2+2?")], "reference_answer": "4"}, "", "has no reinforcement training"),
    ],
)
def test_what_cannot_be_converted_is_an_error_on_its_line_and_is_not_written(tmp_path, to, row, pointer, words):
    result = prep.convert([chat(*QA), row], tmp_path / "out.jsonl", to=to, tokens=False, ignore={"P401", "P402"})
    (failure,) = [i for i in result.report.issues if i.code == "P168"]
    assert (failure.line, failure.pointer) == (2, pointer) and words in failure.message
    assert not (tmp_path / "out.jsonl").exists()
    forced = prep.convert([chat(*QA), row], tmp_path / "out.jsonl", to=to, tokens=False, force=True, ignore={"P401"})
    assert forced.skipped == [2] and len((tmp_path / "out.jsonl").read_text().splitlines()) == 1


def test_media_files_are_named_by_content_written_once_and_never_overwritten(tmp_path):
    rows = [
        chat(
            m("user", [{"type": "text", "text": f"Look {i}"}, {"type": "image_url", "image_url": {"url": PNG}}]), QA[1]
        )
        for i in range(3)
    ]
    media = tmp_path / "media"
    first = prep.convert(
        rows, tmp_path / "a.jsonl", to="vertex", media_dir=media, media_prefix="gs://b/x", tokens=False
    )
    assert first.ok and [p.name for p in media.iterdir()] == [f"{hashlib_name(PNG_BYTES)}.png"]
    again = prep.convert(
        rows, tmp_path / "b.jsonl", to="vertex", media_dir=media, media_prefix="gs://b/x", tokens=False
    )
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()  # deterministic
    assert again.ok and '"fileUri":"gs://b/x/' in (tmp_path / "b.jsonl").read_text()
    (media / f"{hashlib_name(PNG_BYTES)}.png").write_bytes(b"something else")
    with pytest.raises(InputError, match="exists with other content"):
        prep.convert(rows, tmp_path / "c.jsonl", to="vertex", media_dir=media, media_prefix="gs://b/x", tokens=False)
    assert not (tmp_path / "c.jsonl").exists()


def test_nothing_is_written_when_the_output_has_errors(tmp_path):
    rows = [
        chat(
            m("user", [{"type": "text", "text": "Look"}, {"type": "image_url", "image_url": {"url": PNG}}]),
            m("assistant", "Bot: a pixel."),
        )
    ]
    media = tmp_path / "media"
    result = prep.convert(
        rows, tmp_path / "n.jsonl", to="nova", media_dir=media, media_prefix="s3://b/", tokens=False, ignore={"P401"}
    )
    assert [(i.line, i.code) for i in result.report.issues if i.is_error] == [(1, "P248")]  # checked as Nova data
    assert not (tmp_path / "n.jsonl").exists() and not media.exists()
    assert "did not write" in result.summary(tmp_path / "n.jsonl")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"to": "vertex", "media_dir": "m"}, "go together"),
        (
            {"to": "nova", "media_dir": "m", "media_prefix": "gs://b/"},
            "is not a location Bedrock Nova reads media from",
        ),
        ({"to": "nova", "media_dir": "m", "media_prefix": "s3://b/my folder/"}, "holds characters"),
        ({"to": "vertex", "media_dir": "m", "media_prefix": "gs:///"}, "names no bucket"),
        ({"to": "chat", "zero_weight": "drop"}, "go with --to vertex, nova or trl"),
        ({"to": "mistral"}, "prep converts to: chat, vertex, nova, trl"),
    ],
)
def test_unusable_options_stop_with_one_sentence(options, words):
    with pytest.raises(UsageError, match=words):
        convert([chat(*QA)], **options) if "to" not in options else prep.convert([chat(*QA)], tokens=False, **options)


def test_trl_decodes_arguments_and_names_tool_results(openai_file, tmp_path, run_prep):
    out = tmp_path / "trl.jsonl"
    code, report, err = run_prep("convert", openai_file, "-o", out, "--to", "trl", "--isolated", "--no-tokens")
    assert code == 0, report + err
    first = json.loads(out.read_text().splitlines()[0])
    assert first["messages"][2]["tool_calls"][0]["function"]["arguments"] == {"city": "city 0"}
    assert first["messages"][3] == {
        "role": "tool",
        "tool_call_id": "call_0",
        "content": '{"temp_c": 20}',
        "name": "get_weather",
    }
    assert run_prep("check", out, "--target", "trl", "--isolated")[0] == 0


def test_preference_and_reinforcement_data_take_each_targets_shape():
    pair = {
        "input": {"messages": [m("system", "Be brief."), m("user", "Capital of France?")]},
        "preferred_output": [m("assistant", "Paris.")],
        "non_preferred_output": [m("assistant", "Lyon.")],
    }
    vertex = convert([pair], "vertex").records[0]
    assert vertex["completions"] == [
        {"score": 1, "completion": {"role": "model", "parts": [{"text": "Paris."}]}},
        {"score": 0, "completion": {"role": "model", "parts": [{"text": "Lyon."}]}},
    ]
    nova = convert([pair], "nova").records[0]
    assert nova["messages"][-1]["candidates"][1] == {"content": [{"text": "Lyon."}], "preferenceLabel": "non-preferred"}
    trl = convert([pair], "trl").records[0]
    assert trl == {
        "prompt": pair["input"]["messages"],
        "chosen": pair["preferred_output"],
        "rejected": pair["non_preferred_output"],
    }
    task = {
        "messages": [m("developer", "Answer with a number."), m("user", "2+2?")],
        "reference_answer": 4,
        "tag": "sum",
    }
    result = convert([task], "vertex")
    assert result.records[0]["references"] == {"reference_answer": "4", "tag": "sum"}
    assert losses(result) == [(1, "P166", "/reference_answer")]  # written as JSON text


def test_spreadsheets_convert_through_the_column_mapping(tmp_path, run_prep):
    from tests.helpers import REPO

    out = tmp_path / "faq.jsonl"
    code, report, err = run_prep("convert", REPO / "sample_data" / "faq.csv", "-o", out, "--to", "vertex", "--isolated")
    assert code == 0, report + err
    assert json.loads(out.read_text().splitlines()[0])["contents"][0] == {
        "role": "user",
        "parts": [{"text": "How do I reset my password?"}],
    }
    assert run_prep("check", out, "--target", "vertex", "--isolated")[0] == 0


def test_the_projects_model_does_not_leak_into_another_targets_check(tmp_path, write_jsonl):
    (tmp_path / "prep.toml").write_text('model = "gpt-4o-mini"\n')
    path = write_jsonl([chat(*QA)], "a.jsonl")
    result = prep.convert(path, to="vertex", tokens=True)
    assert result.records and result.report.files[0].budget.model is None


def test_a_failed_conversion_removes_the_images_it_wrote(tmp_path):
    other = PNG_BYTES + b"\x00"  # another PNG file: another name
    url = "data:image/png;base64," + base64.b64encode(other).decode()
    rows = [
        chat(m("user", [{"type": "text", "text": "One"}, {"type": "image_url", "image_url": {"url": PNG}}]), QA[1]),
        chat(m("user", [{"type": "text", "text": "Two"}, {"type": "image_url", "image_url": {"url": url}}]), QA[1]),
    ]
    media = tmp_path / "media"
    media.mkdir()
    (media / f"{hashlib_name(other)}.png").write_bytes(b"not this image")
    with pytest.raises(InputError, match="exists with other content"):
        prep.convert(rows, tmp_path / "out.jsonl", to="vertex", media_dir=media, media_prefix="gs://b/", tokens=False)
    assert sorted(p.name for p in media.iterdir()) == [f"{hashlib_name(other)}.png"]  # the first image is gone
    assert not (tmp_path / "out.jsonl").exists()


def test_records_on_standard_output_still_get_their_images(tmp_path, write_jsonl, run_prep):
    path = write_jsonl([picture()], "one.jsonl")
    media = tmp_path / "media"
    code, out, err = run_prep(
        "convert", path, "-o", "-", "--to", "vertex", "--media-dir", media, "--media-prefix", "gs://b/p/",
        "--isolated", "--no-tokens",
    )  # fmt: skip
    assert code == 0, err
    record = json.loads(out)
    name = f"{hashlib_name(PNG_BYTES)}.png"
    assert record["contents"][0]["parts"][1] == {"fileData": {"mimeType": "image/png", "fileUri": f"gs://b/p/{name}"}}
    assert (media / name).read_bytes() == PNG_BYTES
    assert "prep: wrote 1 record(s) to standard output." in err
