"""Checking the other providers' own formats: Vertex AI (Gemini), Bedrock Nova, Hugging Face TRL.

Each test names the documented rule it holds prep to (targets-2026.md §6, §7, §8; the aws-samples Nova validator).
"""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

import prep
from prep import records
from prep.reading.detect import vote
from prep.targets.profile import DataFormat
from prep.validation.scan import FileScan
from tests.helpers import DATA

DOCS = DATA / "provider-docs"
#: Each documented example, the target it documents and the model that validates it.
DOCUMENTED = [
    ("vertex_sft.jsonl", "vertex", records.VertexRecord),
    ("vertex_preference.jsonl", "vertex", records.VertexPreferenceRecord),
    ("vertex_reinforcement.jsonl", "vertex", records.VertexReinforcementRecord),
    ("nova_sft.jsonl", "nova", records.NovaRecord),
    ("nova_preference.jsonl", "nova", records.NovaPreferenceRecord),
    ("trl_conversational.jsonl", "trl", records.TrlChatRecord),
    ("trl_preference.jsonl", "trl", records.TrlPreferenceRecord),
    ("trl_text.jsonl", "trl", records.TextRecord),
]


def lines(name):
    return [json.loads(line) for line in (DOCS / name).read_text("utf-8").splitlines()]


def line_issues(report):
    return [(i.line, i.code) for i in report.issues if i.line is not None]


@pytest.mark.parametrize(("name", "target", "model"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_the_providers_documented_examples_pass(name, target, model):
    report = prep.check(DOCS / name, target=target, isolated=True)
    errors = [(i.line, i.code, i.message) for i in report.issues if i.is_error and i.line is not None]
    assert errors == []
    assert [i.code for i in report.issues if i.line is not None] == (["P247"] if name == "nova_sft.jsonl" else [])
    for value in lines(name):
        model.model_validate(value)


def test_the_nova_example_reasons_which_only_nova_2_lite_trains_on():
    """The validator: "reasoning samples are only supported by Nova 2.0 Lite"."""
    path = DOCS / "nova_sft.jsonl"
    lite = prep.check(path, target="nova", model="nova-lite", isolated=True)
    assert [(i.line, i.code, i.is_error) for i in lite.issues if i.line] == [(1, "P247", True)]
    assert "amazon.nova-lite-v1:0:300k does not train on" in next(i.message for i in lite.issues if i.code == "P247")
    two = prep.check(path, target="nova", model="nova-2-lite", isolated=True)
    assert line_issues(two) == []
    assert {i.code for i in two.issues if i.line is None} == {"P401"}  # Nova 2 Lite SFT: at least 200 examples


def nova(*turns, **extra):
    return {
        "schemaVersion": "bedrock-conversation-2024",
        "messages": [{"role": r, "content": [{"text": t}]} for r, t in turns],
        **extra,
    }


def good_nova(i):
    return nova(("user", f"Question {i}?"), ("assistant", f"Answer {i}."))


def test_a_nova_file_gets_one_error_for_each_fault_on_its_line(write_jsonl, run_prep):
    """targets §7: reserved words fail the job; messages alternate user/assistant, starting with user."""
    rows = [good_nova(i) for i in range(10)]
    rows[2] = nova(("user", "User: what does this error mean?"), ("assistant", "It means the disk is full."))
    rows[5] = nova(("assistant", "Hello!"), ("user", "Hi."), ("assistant", "How can I help?"))
    rows[7] = nova(("user", "Hi."), ("user", "Anyone there?"), ("assistant", "Yes."))
    code, out, _ = run_prep("check", write_jsonl(rows), "--target", "nova", "--isolated", "--no-stats")
    report = prep.check(write_jsonl(rows), target="nova", isolated=True)
    assert [(i.line, i.code, i.pointer) for i in report.issues if i.is_error] == [
        (3, "P248", "/messages/0/content/0/text"),
        (6, "P235", "/messages/0"),
        (8, "P235", "/messages/1"),
    ]
    assert code == 1
    assert "data.jsonl:3: P248 Text holds 'User:'" in out
    assert "data.jsonl:6: P235 Bedrock Nova needs the conversation to start with a user turn; message 1 is" in out
    assert "data.jsonl:8: P235 Two user turns in a row (messages 1 and 2)" in out


@pytest.mark.parametrize(
    "word",
    ["User:", "bot:", "ASSISTANT:", "System:", "<image>", "<video>", "[EOS]", "Thought:", "<unk>"],
)
def test_every_reserved_word_is_found_in_any_case_in_any_text(word):
    """targets §7 and the validator's list; the validator lowers the case of both."""
    example = nova(("user", "Hi"), ("assistant", f"Sure. {word} then"), system=[{"text": "Be kind."}])
    codes = [(p.code, p.pointer) for p in _problems(example, "nova", DataFormat.NOVA)]
    assert codes == [("P248", "/messages/1/content/0/text")]
    system = nova(("user", "Hi"), ("assistant", "Hello"), system=[{"text": f"Never say {word.lower()}"}])
    assert [(p.code, p.pointer) for p in _problems(system, "nova", DataFormat.NOVA)] == [("P248", "/system/0/text")]


def _problems(example, target, fmt):
    from prep.validation.rules import CheckContext, check_example

    return check_example(example, CheckContext(prep.load_target(target), fmt))


def _image(uri, fmt="png"):
    return {"image": {"format": fmt, "source": {"s3Location": {"uri": uri}}}}


def test_nova_micro_takes_no_media_and_nova_2_lite_no_tool_use(write_jsonl):
    """The validator: Micro takes no image/video/document; nova-2-sft-data-prep: Nova 2 SFT takes no tools."""
    picture = good_nova(0)
    picture["messages"][0]["content"].append(_image("s3://bucket/data/cat.png"))
    tools = good_nova(1)
    tools["messages"][1]["content"] = [{"toolUse": {"toolUseId": "t1", "name": "look", "input": {}}}]
    tools["messages"].append(
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "ok"}]}}]}
    )
    tools["messages"].append({"role": "assistant", "content": [{"text": "Done."}]})
    path = write_jsonl([picture, tools, *(good_nova(i) for i in range(2, 9))])

    def errors(model):
        report = prep.check(path, target="nova", model=model, isolated=True)
        return [(i.line, i.code) for i in report.issues if i.is_error]

    assert errors("nova-micro") == [(1, "P218")]
    assert errors("nova-2-lite") == [(None, "P401"), (2, "P246")]  # 9 examples; Nova 2 Lite SFT needs 200
    assert errors("nova-lite") == []
    (warning,) = [i for i in prep.check(path, target="nova", isolated=True).issues if i.line == 2]
    assert warning.code == "P246" and not warning.is_error


def test_media_in_two_buckets_and_images_beside_videos_are_found_across_the_file(write_jsonl):
    """targets §7: S3 media in the dataset's bucket; a dataset is text+image or text+video."""
    rows = [good_nova(i) for i in range(8)]
    rows[1]["messages"][0]["content"].append(_image("s3://bucket-a/x.png"))
    rows[4]["messages"][0]["content"].append(_image("s3://bucket-b/y.png"))
    video = {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://bucket-a/v.mp4"}}}}
    rows[6]["messages"][0]["content"].append(video)
    issues = list(prep.check(write_jsonl(rows), target="nova", isolated=True).issues)
    assert [(i.line, i.code) for i in issues] == [(5, "P409"), (7, "P410")]
    assert "line 2 has media in 'bucket-a'" in issues[0].message


def test_media_firsts_merge_in_file_order(write_jsonl):
    """Large files are scanned in byte ranges: the first line of each bucket and kind survives the merge."""
    from prep.validation.checker import plan_file, prepare

    run = prepare(prep.CheckOptions(target="nova", tokens=False))
    (plan,) = plan_file("x", [good_nova(0)], run)
    first, second = FileScan(plan, run.tokenizers), FileScan(plan, run.tokenizers)
    first.buckets, first.media_lines = {"a": 3}, {"image": 3}
    second.buckets, second.media_lines = {"a": 1, "b": 2}, {"video": 1}
    first.merge(second, line_offset=10)
    assert first.buckets == {"a": 3, "b": 12} and first.media_lines == {"image": 3, "video": 11}


def vertex(*turns, **extra):
    return {"contents": [{"role": r, "parts": [{"text": t}]} for r, t in turns], **extra}


def test_formats_are_voted_by_their_keys():
    assert vote(vertex(("user", "Hi"), ("model", "Hello"))) is DataFormat.VERTEX
    assert vote({"contents": [], "completions": []}) is DataFormat.VERTEX_PREFERENCE
    assert vote({"contents": [], "references": {}}) is DataFormat.VERTEX_REINFORCEMENT
    assert vote({"systemInstruction": {}}) is DataFormat.VERTEX
    assert vote(good_nova(0)) is DataFormat.NOVA
    assert vote({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}) is DataFormat.NOVA  # Converse blocks
    assert vote({"system": [{"text": "x"}], "messages": []}) is DataFormat.NOVA
    assert vote(lines("nova_preference.jsonl")[0]) is DataFormat.NOVA_PREFERENCE
    assert vote({"prompt": "a", "chosen": "b", "rejected": "c"}) is DataFormat.TRL_PREFERENCE
    assert vote({"prompt": "a", "completion": "b"}) is DataFormat.COMPLETION
    assert vote(lines("trl_conversational.jsonl")[1]) is DataFormat.CHAT  # the target decides: TRL's rules or OpenAI's


def test_the_target_decides_whether_object_arguments_are_right(write_jsonl):
    """TRL: "Assistant tool_calls use arguments as a JSON object"; OpenAI: a JSON-encoded string."""
    path = write_jsonl(lines("trl_conversational.jsonl"))
    report = prep.check(path, target="openai,trl", isolated=True, tokens=False)
    by_target = {v.name: {(i.line, i.code) for f in v.files for i in f.issues if i.is_error} for v in report.verdicts}
    assert (2, "P213") in by_target["openai"] and (2, "P110") in by_target["openai"]  # string args; tool "name"
    assert by_target["trl"] == set()
    assert report.files[0].format is DataFormat.CHAT


def test_a_target_that_takes_no_such_data_says_so_once():
    report = prep.check([vertex(("user", "Hi"), ("model", "Hello"))], target="openai,nova", tokens=False)
    for verdict in report.verdicts:
        (issue,) = [i for f in verdict.files for i in f.issues if i.is_error]
        assert issue.code == "P304" and "takes no vertex data" in issue.message


def test_vertex_function_calls_name_declared_functions_and_responses_answer_calls():
    example = lines("vertex_sft.jsonl")[0]
    example["contents"][1]["parts"][0]["functionCall"]["name"] = "get_price"
    problems = [(p.code, p.pointer) for p in _problems(example, "vertex", DataFormat.VERTEX)]
    assert problems == [
        ("P233", "/contents/1/parts/0/functionCall/name"),
        ("P211", "/contents/2/parts/0/functionResponse/name"),
    ]


def test_vertex_counts_are_estimates_against_the_models_limit(write_jsonl):
    """targets §6: 131,072 tokens per example (2.5 family); Gemini counts with its own tokenizer."""
    long = vertex(("user", "word " * 140_000), ("model", "Yes."))
    report = prep.check(write_jsonl([long]), target="vertex", isolated=True)
    (issue,) = [i for i in report.issues if i.code == "P301"]
    assert "(an estimate)" in issue.message and "131,072-token limit" in issue.message
    budget = report.files[0].budget
    assert budget.exact is False and budget.encoding == "o200k_base"


def test_trl_counts_against_max_length_and_text_is_taken(write_jsonl):
    """SFTConfig max_length defaults to 1024 and truncates."""
    path = write_jsonl([{"text": "The sky is blue. " * 400}, {"text": "Short."}])
    issues = list(prep.check(path, target="trl", isolated=True).issues)
    assert [(i.line, i.code) for i in issues] == [(1, "P301")]
    assert "1,024-token limit" in issues[0].message


@pytest.mark.parametrize(
    ("model", "example", "fields"),
    [
        (records.VertexRecord, vertex(("user", "Hi"), ("model", "Hello"), ("user", "Bye")), "end on a model turn"),
        (records.NovaRecord, nova(("assistant", "Hi"), ("user", "Hello")), "alternate user and assistant"),
        (records.TrlChatRecord, lines("trl_conversational.jsonl")[1] | {"tools": "x"}, "tools"),
    ],
)
def test_records_refuse_what_the_schema_refuses(model, example, fields):
    with pytest.raises(ValidationError, match=fields):
        model.model_validate(example)


def test_load_records_gives_each_format_its_model(tmp_path):
    rows = list(prep.load_records(DOCS / "vertex_sft.jsonl"))
    assert [type(r).__name__ for r in rows] == ["VertexRecord"]
    assert rows[0].contents[1].parts[0].functionCall.args == {"color": "white"}
    nova_rows = list(prep.load_records(DOCS / "nova_preference.jsonl"))
    assert type(nova_rows[0]).__name__ == "NovaPreferenceRecord"
    trl = list(prep.load_records(DOCS / "trl_conversational.jsonl", record=records.TrlChatRecord))
    assert trl[1].messages[1].tool_calls[0].function.arguments == {"room": "living room", "state": "on"}
    checked = prep.check(trl, target="trl", tokens=False)  # pydantic records are checked as their JSON
    assert [i.code for i in checked.issues if i.is_error] == []


def test_prep_targets_describes_the_new_rules(run_prep):
    code, out, _ = run_prep("targets", "nova")
    assert code == 0
    assert "reserved words (assistant, system, user text, in any letter case): User: Bot:" in out
    assert "GIF, JPEG, PNG, WEBP as s3:// URIs, in user messages" in out
    assert "a dataset holds every media file in one bucket and images or videos, not both" in out
    assert (
        "amazon.nova-2-lite-v1:0:256k: supervised; 262,144 tokens with o200k_base, an estimate (at least 200 nova"
        in out
    )
    code, out, _ = run_prep("targets", "vertex")
    assert "model turns hold blocks of: functionCall, text" in out and "as http(s) URLs or gs:// URIs" in out
    code, out, _ = run_prep("targets", "trl")
    assert "tool-call arguments as a JSON object, ids optional" in out and "no weight" in out
