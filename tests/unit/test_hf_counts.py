"""prep's exact counts against transformers' ``apply_chat_template``, on tokenizer folders built here (no network).

The oracle is transformers itself (``AutoTokenizer.from_pretrained(folder)``): rendered text, token ids and
assistant masks must be equal, on every example of sample_data/chat_good.jsonl and on constructed ones (tools,
parallel calls, legacy functions, weights, content parts), for real templates (tests/data/chat_templates).
"""

from __future__ import annotations

import copy
import itertools
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("tokenizers")
pytest.importorskip("transformers")

from prep.targets.profile import DataFormat
from prep.validation.rendering.conversation import Conversation, conversation
from prep.validation.rendering.counter import load_counter
from prep.validation.rendering.counts import Counts, RenderError, TokenSpan
from prep.validation.rendering.hf import load_hf_tokenizer
from prep.validation.rendering.spans import count_conversation
from tests.support.hf_folders import CONSTRUCTED, REASONING, chat_examples, jsonl, template

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_oracles: dict[Path, Any] = {}


def oracle(folder: Path) -> Any:
    from transformers import AutoTokenizer

    if folder not in _oracles:
        _oracles[folder] = AutoTokenizer.from_pretrained(str(folder))
    return _oracles[folder]


def hf_ids(folder: Path, conv: Conversation, **kwargs: Any) -> list[int]:
    out = oracle(folder).apply_chat_template(
        copy.deepcopy(conv.messages), tools=conv.tools, tokenize=True, return_dict=False, **kwargs
    )
    return list(out)


def count(folder: Path, example: dict[str, Any], **kwargs: Any) -> Counts:
    return count_conversation(load_hf_tokenizer(folder), conversation(example), **kwargs)


LAYOUTS = ["qwen2_5", "qwen2_5_training", "qwen2_5_class", "llama3", "llama3_training", "named", "named_files", "qwen3"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_text_ids_and_totals_equal_transformers(hf_folders, name):
    """Every sample example and the constructed ones (tools or none): the same text, ids and total."""
    folder = hf_folders[name]
    tok = load_hf_tokenizer(folder)
    with_tools = 0
    for example in [*chat_examples(), REASONING]:
        conv = conversation(example)
        with_tools += conv.tools is not None
        text, _ = tok.render(conv.messages, conv.tools)
        assert text == oracle(folder).apply_chat_template(
            copy.deepcopy(conv.messages), tools=conv.tools, tokenize=False
        )
        ids = hf_ids(folder, conv)
        assert tok.encode(text).ids == ids
        assert count_conversation(tok, conv).total == len(ids)
    assert with_tools >= 3  # the "tool_use" templates of "named" and "named_files" were exercised


def test_the_counter_counts_every_sample_file_as_transformers(hf_folders):
    """Through the counter prep's scan uses: chat, preference (both sides) and reinforcement samples."""
    folder = hf_folders["qwen2_5"]
    counter = load_counter(f"hf:{folder}")
    for example in jsonl("chat_good.jsonl"):
        assert counter.count(example, DataFormat.CHAT).total == len(hf_ids(folder, conversation(example)))
    for example in jsonl("preference_good.jsonl"):
        rendered = counter.count(example, DataFormat.PREFERENCE)
        prompt = example["input"]["messages"]
        sides = [prompt + example["preferred_output"], prompt + example["non_preferred_output"]]
        tools = example["input"].get("tools")
        lengths = [len(hf_ids(folder, conversation({"messages": m, "tools": tools}))) for m in sides]
        assert [s.total for s in rendered.sequences] == lengths
        assert rendered.total == max(lengths)
        assert all(len(s.trained_spans) == 1 for s in rendered.sequences)
    for example in jsonl("reinforcement_good.jsonl"):
        rendered = counter.count(example, DataFormat.REINFORCEMENT)
        assert rendered.total == len(hf_ids(folder, conversation(example)))
        assert rendered.trained == 0


def test_llama3_1_tools_and_its_refusal_of_parallel_calls(hf_folders):
    folder = hf_folders["llama3_1"]
    counter = load_counter(f"hf:{folder}")
    refused = 0
    for example in chat_examples():
        conv = conversation(example)
        if any(len(m.get("tool_calls", [])) > 1 for m in conv.messages):
            with pytest.raises(RenderError, match="single tool-calls"):
                counter.count(example, DataFormat.CHAT)
            with pytest.raises(Exception, match="single tool-calls"):
                hf_ids(folder, conv)
            refused += 1
            continue
        rendered = counter.count(example, DataFormat.CHAT)
        assert rendered.total == len(hf_ids(folder, conv))
        assert rendered.trained > 0
    assert refused == 1


@pytest.mark.parametrize("name", ["qwen2_5_training", "llama3_training"])
def test_generation_spans_equal_assistant_masks(hf_folders, name):
    folder = hf_folders[name]
    for example in chat_examples():
        conv = conversation(example)
        counts = count(folder, example, honor_weights=False)
        assert counts.method == "generation"
        out = oracle(folder).apply_chat_template(
            copy.deepcopy(conv.messages), tools=conv.tools, tokenize=True, return_dict=True,
            return_assistant_tokens_mask=True,
        )  # fmt: skip
        expected = {i for i, m in enumerate(out["assistant_masks"]) if m}
        assert {i for s in counts.trained_spans for i in range(s.start, s.end)} == expected
        assert all(conv.messages[s.message]["role"] == "assistant" for s in counts.trained_spans)


def trl_completion_span(folder: Path, conv: Conversation, i: int) -> tuple[int, int]:
    """TRL's prompt/completion split of assistant message i, by tokenizing both (an independent oracle)."""
    prompt = hf_ids(folder, Conversation(conv.messages[:i], conv.tools, conv.weights[:i]), add_generation_prompt=True)
    full = hf_ids(folder, Conversation(conv.messages[: i + 1], conv.tools, conv.weights[: i + 1]))
    common = next(
        (k for k, (a, b) in enumerate(zip(prompt, full, strict=False)) if a != b), min(len(prompt), len(full))
    )
    return common, len(full)


@pytest.mark.parametrize("name", ["qwen2_5", "llama3"])
def test_prefix_spans_equal_trls_prompt_completion_split(hf_folders, name):
    folder = hf_folders[name]
    for example in chat_examples():
        conv = conversation(example)
        counts = count(folder, example, honor_weights=False)
        assert counts.method == "prefix" and counts.exact
        expected = [
            TokenSpan(i, *trl_completion_span(folder, conv, i))
            for i, m in enumerate(conv.messages)
            if m["role"] == "assistant"
        ]
        assert list(counts.trained_spans) == [s for s in expected if s.end > s.start]


def test_weight_zero_messages_are_not_trained(hf_folders):
    folder = hf_folders["qwen2_5_training"]
    every, weighted = count(folder, CONSTRUCTED[1], honor_weights=False), count(folder, CONSTRUCTED[1])
    assert [s.message for s in every.trained_spans] == [2, 4, 6]
    assert [s.message for s in weighted.trained_spans] == [4, 6]
    first = every.trained_spans[0]
    assert weighted.trained == every.trained - (first.end - first.start)


def test_message_spans_partition_the_sequence(hf_folders):
    for example in chat_examples():
        counts = count(hf_folders["llama3"], example)
        spans = [s for s in counts.messages if s is not None]
        assert len(spans) == len(counts.messages)
        assert spans[0].start == 0 and spans[-1].end == counts.total
        assert all(a.end == b.start for a, b in itertools.pairwise(spans))


def test_a_template_that_is_not_prefix_preserving_is_an_estimate(hf_folders):
    """Qwen3 drops the reasoning of earlier turns: the first turn's end is estimated (on <|im_end|>), and said so."""
    folder = hf_folders["qwen3"]
    tok = load_hf_tokenizer(folder)
    counts = count(folder, REASONING)
    assert not counts.exact and counts.notes
    ids = hf_ids(folder, conversation(REASONING))
    assert counts.total == len(ids)
    ends = [ids[s.end - 1] for s in counts.trained_spans]
    assert ends == [tok.tokenizer.token_to_id("<|im_end|>"), tok.encode("\n").ids[0]]
    last = counts.trained_spans[1]
    assert "<think>" in tok.tokenizer.decode(ids[last.start : last.end], skip_special_tokens=False)
    # Qwen2.5 closes a run of tool results after the last one only: that bound is unknown, the assistant ones exact
    counts = count(hf_folders["qwen2_5"], CONSTRUCTED[3])
    assert counts.exact and counts.messages[2] is None and counts.messages[4] is not None


def test_images_are_left_out_and_the_count_says_so(hf_folders):
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    example = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is this?"}, image]},
            {"role": "assistant", "content": "A cat."},
        ]
    }
    counts = count(hf_folders["qwen2_5"], example)
    assert not counts.exact and counts.notes == ("1 non-text content part(s) not counted",)


def test_conversion_to_the_shape_templates_take():
    conv = conversation(CONSTRUCTED[2])
    assert conv.messages[2]["tool_calls"][0]["function"]["arguments"] == {"city": "Paris", "unit": "c"}
    assert conv.messages[3]["name"] == "get_weather"
    assert conv.messages[1]["content"] == "Weather in Paris?\nIn celsius."
    assert "content" not in conv.messages[2] and "weight" not in conv.messages[2]
    legacy = conversation(CONSTRUCTED[5])
    assert legacy.messages[2]["role"] == "tool"
    assert legacy.tools == [{"type": "function", "function": CONSTRUCTED[5]["functions"][0]}]
    assert conversation(CONSTRUCTED[1]).weights == [None, None, 0, None, 1, None, None]


def test_prompt_completion_and_text_are_tokenized_as_trl_does(hf_folders):
    """TRL: EOS appended when missing, tokenizer(prompt + completion), the completion trained (its completion_mask)."""
    folder = hf_folders["llama3"]  # its pipeline adds no BOS; the template would, but plain text has none
    tok, counter = oracle(folder), load_counter(f"hf:{folder}")
    for example in jsonl("completion_good.jsonl"):
        completion = example["completion"] + tok.eos_token
        prompt_ids = tok(text=example["prompt"])["input_ids"]
        ids = tok(text=example["prompt"] + completion)["input_ids"]
        rendered = counter.count(example, DataFormat.COMPLETION)
        assert (rendered.total, rendered.trained) == (len(ids), len(ids) - len(prompt_ids))
    for example in jsonl("text_good.jsonl"):
        ids = tok(text=example["text"] + tok.eos_token)["input_ids"]
        rendered = counter.count(example, DataFormat.TEXT)
        assert rendered.total == rendered.trained == len(ids)


def test_a_chat_template_file_replaces_the_folders(hf_folders, tmp_path):
    """--chat-template: TRL's training template on the original folder counts as the training folder does."""
    path = tmp_path / "training.jinja"
    path.write_text(template("qwen2_5_training"), encoding="utf-8")
    swapped = load_counter(f"hf:{hf_folders['qwen2_5']}", chat_template=str(path))
    training = load_counter(f"hf:{hf_folders['qwen2_5_training']}")
    for example in chat_examples():
        a, b = swapped.count(example, DataFormat.CHAT), training.count(example, DataFormat.CHAT)
        assert a.sequences[0].trained_spans == b.sequences[0].trained_spans and a.total == b.total


def test_cut_keeps_the_start():
    counts = Counts(100, (TokenSpan(2, 10, 20), TokenSpan(4, 50, 100)))
    assert counts.trained == 60
    assert counts.cut(1000) == (0, 0, 60, False)
    assert counts.cut(60) == (40, 40, 60, False)
    assert counts.cut(15) == (85, 55, 60, False)
    assert counts.cut(10) == (90, 60, 60, True)
    assert Counts(5, ()).cut(2) == (3, 0, 0, False)  # nothing trained: nothing to lose


def test_trl_preference_data_counts_as_transformers_renders_it(hf_folders):
    """TRL's prompt/chosen/rejected: the prompt with each answer, rendered by the template (tools and all)."""
    folder = hf_folders["qwen2_5"]
    counter = load_counter(f"hf:{folder}")
    examples = jsonl("trl-preference_good.jsonl")
    for example in examples:
        rendered = counter.count(example, DataFormat.TRL_PREFERENCE)
        sides = [example["prompt"] + example[key] for key in ("chosen", "rejected")]
        tools = example.get("tools")
        assert [s.total for s in rendered.sequences] == [
            len(hf_ids(folder, conversation({"messages": m, "tools": tools}))) for m in sides
        ]
        assert all(s.trained > 0 for s in rendered.sequences)


def test_chat_template_kwargs_reach_the_template(hf_folders, tmp_path):
    """TRL passes an example's chat_template_kwargs to apply_chat_template; so does prep."""
    import shutil

    folder = tmp_path / "greeting"
    shutil.copytree(hf_folders["llama3"], folder)
    greeting = "{% if greeting %}{{ greeting }}\n{% endif %}"
    (folder / "chat_template.jinja").write_text(greeting + template("llama3"), encoding="utf-8")
    counter = load_counter(f"hf:{folder}")
    example = {**jsonl("chat_good.jsonl")[0], "chat_template_kwargs": {"greeting": "Hello there, model."}}
    conv = conversation(example)
    expected = len(hf_ids(folder, conv, greeting="Hello there, model."))
    assert expected > len(hf_ids(folder, conv))  # the variable changes the rendering
    assert counter.count(example, DataFormat.CHAT).total == expected
