"""Hugging Face model folders built here, for exact-count tests: a small byte-level BPE trained with `tokenizers` on
the sample data and the vendored templates (tests/data/chat_templates), written as the Hub lays a model out.

Nothing is downloaded: the tokenizer is trained in memory (Qwen2's normalizer and split pattern, ChatML and Llama 3
special tokens, non-special added tokens such as ``<tool_call>``), and the templates are TRL's own files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import DATA, REPO

TEMPLATES = DATA / "chat_templates"
SAMPLES = REPO / "sample_data"

QWEN_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
SPECIAL = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<s>", "</s>", "<|begin_of_text|>", "<|start_header_id|>",
    "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>", "<|python_tag|>",
]  # fmt: skip
NOT_SPECIAL = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>", "<think>", "</think>"]
CHATML = {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
LLAMA = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name"},
                    "unit": {"type": "string", "enum": ["c", "f"]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "description": "Current local time.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
]


def call(cid: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}


#: Examples the samples lack: unicode and whitespace, weights, tools with results, parallel calls, a final call,
#: legacy functions.
CONSTRUCTED: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "user", "content": "  Grüße aus Köln! 🌧️ Wie wird das Wetter?\n\n"},
            {"role": "assistant", "content": "Regnerisch — nimm einen Schirm ☂️.\n"},
        ]
    },
    {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "name": "alice", "content": "2+2?"},
            {"role": "assistant", "content": "5", "weight": 0},
            {"role": "user", "content": "Again?"},
            {"role": "assistant", "content": "4", "weight": 1},
            {"role": "user", "content": "And 3+3?"},
            {"role": "assistant", "content": "6"},
        ]
    },
    {
        "messages": [
            {"role": "system", "content": [{"type": "text", "text": "Use tools."}]},
            {
                "role": "user",
                "content": [{"type": "text", "text": "Weather in Paris?"}, {"type": "text", "text": "In celsius."}],
            },
            {"role": "assistant", "tool_calls": [call("call_1", "get_weather", {"city": "Paris", "unit": "c"})]},
            {"role": "tool", "tool_call_id": "call_1", "content": "21C, sunny"},
            {"role": "assistant", "content": "It is 21C and sunny in Paris."},
        ],
        "tools": TOOLS,
        "parallel_tool_calls": False,
    },
    {
        "messages": [
            {"role": "user", "content": "Weather and time in Oslo?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    call("call_a", "get_weather", {"city": "Oslo"}),
                    call("call_b", "get_time", {"city": "Oslo"}),
                ],
            },
            {"role": "tool", "tool_call_id": "call_a", "content": '{"temp": -3}'},
            {"role": "tool", "tool_call_id": "call_b", "content": "14:05"},
            {"role": "assistant", "content": "-3 degrees, 14:05."},
        ],
        "tools": TOOLS,
    },
    {
        "messages": [
            {"role": "user", "content": "Time in Lima?"},
            {"role": "assistant", "tool_calls": [call("call_z", "get_time", {"city": "Lima"})]},
        ],
        "tools": TOOLS,
    },
    {
        "messages": [
            {"role": "user", "content": "Weather in Rome?"},
            {"role": "assistant", "function_call": {"name": "get_weather", "arguments": '{"city": "Rome"}'}},
            {"role": "function", "name": "get_weather", "content": "30C"},
            {"role": "assistant", "content": "30C in Rome."},
        ],
        "functions": [TOOLS[0]["function"]],
    },
]

REASONING = {
    "messages": [
        {"role": "user", "content": "Is 91 prime?"},
        {"role": "assistant", "reasoning_content": "91 = 7 * 13.", "content": "No: 7 x 13."},
        {"role": "user", "content": "And 97?"},
        {"role": "assistant", "reasoning_content": "No divisor up to 9.", "content": "Yes."},
    ]
}


def jsonl(name: str) -> list[dict[str, Any]]:
    with (SAMPLES / name).open(encoding="utf-8-sig") as f:
        return [json.loads(line) for line in f if line.strip()]


def chat_examples() -> list[dict[str, Any]]:
    """Every example of sample_data/chat_good.jsonl, then `CONSTRUCTED`."""
    return jsonl("chat_good.jsonl") + CONSTRUCTED


def template(name: str) -> str:
    return (TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8")


def train_bpe() -> Any:
    """A byte-level BPE with Qwen2's normalizer and pre-tokenizer, trained on the samples and the templates."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    corpus = [json.dumps(e, ensure_ascii=False) for e in chat_examples()]
    corpus += [p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.jinja"))]
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1200,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in NOT_SPECIAL])
    return tok


def _added_tokens_decoder(tok: Any) -> dict[str, Any]:
    keys = ("lstrip", "rstrip", "normalized", "single_word", "special")
    return {
        str(i): {"content": t.content, **{k: getattr(t, k) for k in keys}}
        for i, t in sorted(tok.get_added_tokens_decoder().items())
    }


def make_folder(
    root: Path,
    tok: Any,
    *,
    tokens: dict[str, Any],
    template: Any = None,
    template_file: str | None = None,
    extra_templates: dict[str, str] | None = None,
    tokenizer_class: str = "TokenizersBackend",
) -> Path:
    """A model folder as the Hub lays it out: tokenizer.json, tokenizer_config.json, maybe chat_template.jinja."""
    root.mkdir(parents=True, exist_ok=True)
    tok.save(str(root / "tokenizer.json"))
    config: dict[str, Any] = {
        "tokenizer_class": tokenizer_class,
        "added_tokens_decoder": _added_tokens_decoder(tok),
        "model_max_length": 131072,
        "clean_up_tokenization_spaces": False,
        **tokens,
    }
    if template is not None:
        config["chat_template"] = template
    (root / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    if template_file is not None:
        (root / "chat_template.jinja").write_text(template_file, encoding="utf-8")
    for name, text in (extra_templates or {}).items():
        (root / "additional_chat_templates").mkdir(exist_ok=True)
        (root / "additional_chat_templates" / f"{name}.jinja").write_text(text, encoding="utf-8")
    return root


def build_folders(root: Path) -> dict[str, Path]:
    """One folder per template layout: a config string, a template file, a [default, tool_use] list, named files."""
    tok = train_bpe()
    return {
        "qwen2_5": make_folder(root / "qwen2_5", tok, tokens=CHATML, template=template("qwen2_5")),
        "qwen2_5_training": make_folder(
            root / "qwen2_5_training", tok, tokens=CHATML, template=template("qwen2_5_training")
        ),
        "qwen2_5_class": make_folder(
            root / "qwen2_5_class", tok, tokens=CHATML, template=template("qwen2_5"), tokenizer_class="Qwen2Tokenizer"
        ),
        "qwen3": make_folder(root / "qwen3", tok, tokens=CHATML, template=template("qwen3")),
        "llama3": make_folder(root / "llama3", tok, tokens=LLAMA, template_file=template("llama3")),
        "llama3_training": make_folder(
            root / "llama3_training", tok, tokens=LLAMA, template_file=template("llama3_training")
        ),
        "llama3_1": make_folder(root / "llama3_1", tok, tokens=LLAMA, template=template("llama3_1")),
        "named": make_folder(
            root / "named",
            tok,
            tokens=LLAMA,
            template=[
                {"name": "default", "template": template("llama3")},
                {"name": "tool_use", "template": template("qwen2_5")},
            ],
        ),
        "named_files": make_folder(
            root / "named_files",
            tok,
            tokens=LLAMA,
            template_file=template("llama3"),
            extra_templates={"tool_use": template("qwen2_5")},
        ),
    }
