"""Mistral models against mistral-common's own encoding; gpt-oss' harmony against gpt-oss' Hugging Face template.

Nothing is downloaded: mistral-common ships its tokenizers in its wheel, and the harmony encoding reads the
o200k_base rank file prep ships.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from prep.targets.profile import DataFormat
from prep.validation.encoders import PACKAGED
from prep.validation.rendering.counter import load_counter
from prep.validation.rendering.counts import RenderError
from tests.helpers import tiktoken_reference
from tests.support.hf_folders import chat_examples, jsonl, template

# --- Mistral (mistral-common) ------------------------------------------------------------------------------------

MISTRAL_FILES = ["tekken_240911", "tekken_240718", "mistral_instruct_tokenizer_241114.model.v7",
                 "mistral_instruct_tokenizer_240323.model.v3"]  # fmt: skip


def mistral_examples() -> list[dict[str, Any]]:
    return [e for e in chat_examples() if "functions" not in e]  # Mistral has no legacy function role


def test_mistral_common_ships_the_tokenizers_profiles_name():
    pytest.importorskip("mistral_common")
    from prep.validation.rendering.mistral import bundled

    assert {*MISTRAL_FILES, "tekken_240911.json", "tokenizer.model.v1"} <= set(bundled())


@pytest.mark.parametrize("name", MISTRAL_FILES)
def test_mistral_counts_equal_its_own_encoding(name):
    pytest.importorskip("mistral_common")
    if ".model." in name:
        pytest.importorskip("sentencepiece")
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    from prep.validation.rendering.mistral import _to_mistral, bundled, count_mistral, load_mistral

    path = str(bundled()[name])
    tok = load_mistral(path)
    eos = tok.instruct_tokenizer.tokenizer.eos_id
    counted = refused = 0
    for example in mistral_examples():
        messages, tools, _ = _to_mistral(example)
        try:
            tokens = tok.encode_chat_completion(ChatCompletionRequest(messages=messages, tools=tools or None)).tokens
        except Exception:  # e.g. content next to tool calls before v7: mistral-common refuses it, so does prep
            with pytest.raises(RenderError, match="mistral-common refuses it"):
                count_mistral(example, path)
            refused += 1
            continue
        counts = count_mistral(example, path, honor_weights=False)
        assert counts.total == len(tokens)
        assistants = [m for m in example["messages"] if m["role"] == "assistant"]
        assert len(counts.trained_spans) == len(assistants)
        for span, message in zip(counts.trained_spans, assistants, strict=True):
            assert tokens[span.end - 1] == eos
            if isinstance(message.get("content"), str) and not message.get("tool_calls"):
                assert message["content"].strip() in tok.decode(tokens[span.start : span.end])
        weighted = count_mistral(example, path)
        zero = [s for s, m in zip(counts.trained_spans, assistants, strict=True) if m.get("weight") == 0]
        assert weighted.trained == counts.trained - sum(s.end - s.start for s in zero)
        assert counts.exact == (not any(m.get("tool_calls") for m in example["messages"]))  # ids replaced
        counted += 1
    assert counted >= 60 and refused <= 2
    assert "encode_assistant_message" not in vars(tok.instruct_tokenizer)  # the hook is gone


def test_mistral_through_the_counter_on_preference_data():
    pytest.importorskip("mistral_common")
    from mistral_common.protocol.instruct.request import ChatCompletionRequest

    from prep.validation.rendering.mistral import _to_mistral, bundled, load_mistral

    path = bundled()["tekken_240718"]
    counter, tok = load_counter(f"mistral:{path}"), load_mistral(str(path))
    for example in jsonl("preference_good.jsonl"):
        rendered = counter.count(example, DataFormat.PREFERENCE)
        for side, counts in zip(("preferred_output", "non_preferred_output"), rendered.sequences, strict=True):
            messages, _, _ = _to_mistral({"messages": example["input"]["messages"] + example[side]})
            assert counts.total == len(tok.encode_chat_completion(ChatCompletionRequest(messages=messages)).tokens)


# --- gpt-oss (openai-harmony) -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harmony() -> Any:
    pytest.importorskip("openai_harmony")
    from prep.validation.rendering.harmony import load_harmony

    return load_harmony(PACKAGED)


@pytest.fixture(scope="module")
def gptoss_folder(harmony, tmp_path_factory) -> Path:
    """gpt-oss as a Hub folder: o200k_base converted to a `tokenizers` BPE, harmony's special tokens at their ids,
    and gpt-oss' Hugging Face template (transformers' own converter builds the pipeline)."""
    pytest.importorskip("transformers")
    from tiktoken_offline import o200k_as_tokenizers
    from tokenizers import AddedToken

    tok = o200k_as_tokenizers(tiktoken_reference("o200k_base")._pat_str)
    specials = sorted(harmony.special_tokens_set, key=lambda t: harmony.encode(t, allowed_special="all")[0])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    assert all(tok.token_to_id(t) == harmony.encode(t, allowed_special="all")[0] for t in specials)
    root = tmp_path_factory.mktemp("gptoss")
    tok.save(str(root / "tokenizer.json"))
    config = {"tokenizer_class": "TokenizersBackend", "bos_token": "<|startoftext|>", "eos_token": "<|return|>",
              "pad_token": "<|endoftext|>"}  # fmt: skip
    (root / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    (root / "chat_template.jinja").write_text(template("gptoss"), encoding="utf-8")
    return root


def test_the_harmony_vocabulary_is_o200k_base_plus_its_special_tokens(harmony):

    base = tiktoken_reference("o200k_base")
    for example in chat_examples()[:20]:
        text = json.dumps(example, ensure_ascii=False)
        assert harmony.encode(text) == base.encode_ordinary(text)


def test_harmony_totals_equal_gpt_oss_hugging_face_template(gptoss_folder):
    """openai-harmony and gpt-oss' template give the same totals on every sample. Trained tokens differ by
    definition only: the template writes a tool call's header `commentary json`, harmony `commentary
    <|constrain|>json` (2 more tokens), and TRL's training template also trains each turn's `<|start|>assistant`."""
    harmony_counter = load_counter(f"harmony:{PACKAGED}")
    original = load_counter(f"hf:{gptoss_folder}")
    training_template = gptoss_folder / "training.jinja"
    training_template.write_text(template("gptoss_training"), encoding="utf-8")
    training = load_counter(f"hf:{gptoss_folder}", chat_template=str(training_template))
    for example in jsonl("chat_good.jsonl"):
        a, t, b = (c.count(example, DataFormat.CHAT).sequences[0] for c in (original, training, harmony_counter))
        calls = sum(len(m.get("tool_calls", [])) for m in example["messages"])
        turns = sum(m["role"] == "assistant" and m.get("weight") != 0 for m in example["messages"])
        assert a.total == t.total == b.total
        assert a.method == "prefix" and t.method == "generation" and b.method == "harmony"
        assert t.exact and b.exact
        assert a.trained == b.trained - 2 * calls
        assert t.trained == b.trained - 2 * calls + 2 * turns
        assert len(b.trained_spans) == turns
