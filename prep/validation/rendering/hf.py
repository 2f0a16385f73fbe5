"""A model's Hugging Face folder in, a tokenizer that renders and tokenizes conversations out.

The folder is laid out as the Hub lays it out: ``tokenizer.json`` (the
`tokenizers` pipeline), ``tokenizer_config.json`` (special tokens, the chat
template), and in newer repositories ``chat_template.jinja`` and
``additional_chat_templates/*.jinja``. Loading follows transformers 5: the
pipeline of ``tokenizer.json`` as it is, its baked-in truncation and padding
switched off, the added tokens of the config that it lacks added, and
``split_special_tokens`` honoured. Text is tokenized without special tokens:
the template writes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ...errors import TokenizerUnavailableError, require
from .jinja import render

__all__ = ["SPECIAL_TOKEN_NAMES", "ChatTokenizer", "load_hf_tokenizer"]

#: The special tokens transformers 5 passes to a chat template by name.
SPECIAL_TOKEN_NAMES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")


@dataclass
class ChatTokenizer:
    """A `tokenizers.Tokenizer` with the chat templates and named special tokens of its folder."""

    tokenizer: Any
    templates: dict[str, str]
    special_tokens: dict[str, str]
    template_vars: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    def template_for(self, tools: Sequence[Any] | None) -> str:
        """transformers' ``get_chat_template``: ``tool_use`` when tools are given and it exists, else ``default``."""
        if tools is not None and "tool_use" in self.templates:
            return self.templates["tool_use"]
        if "default" in self.templates:
            return self.templates["default"]
        raise TokenizerUnavailableError(
            f"{self.name or 'The tokenizer'} has no chat template (templates: {sorted(self.templates) or 'none'}); "
            "give one with --chat-template FILE."
        )

    def render(
        self, messages: Sequence[dict[str, Any]], tools: Sequence[Any] | None = None, *, generation_prompt: bool = False
    ) -> tuple[str, list[tuple[int, int]]]:
        """The rendered text and the character spans of its ``{% generation %}`` blocks."""
        variables = {**self.special_tokens, **self.template_vars}
        return render(self.template_for(tools), messages, tools, variables, generation_prompt=generation_prompt)

    def encode(self, text: str, *, special: bool = False) -> Any:
        """The `tokenizers` Encoding of ``text`` (``special``: with the pipeline's BOS/EOS, as for plain text)."""
        return self.tokenizer.encode(text, add_special_tokens=special)

    @cached_property
    def added_tokens(self) -> frozenset[str]:
        """The texts of the added (control) tokens."""
        return frozenset(t.content for t in self.tokenizer.get_added_tokens_decoder().values())


def load_hf_tokenizer(
    folder: str | Path, *, chat_template: str | None = None, template_vars: Mapping[str, Any] | None = None
) -> ChatTokenizer:
    """Load a Hub-layout folder; ``chat_template`` replaces its default template (e.g. TRL's training template).

    Raises `TokenizerUnavailableError` when the folder has no usable ``tokenizer.json``.
    """
    tokenizers = require("tokenizers", "hf")
    folder = Path(folder)
    config = _read_json(folder / "tokenizer_config.json")
    if "added_tokens_decoder" not in config and (folder / "special_tokens_map.json").is_file():
        config = {**config, **_read_json(folder / "special_tokens_map.json")}  # the legacy layout, read last
    try:
        tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    except Exception as exc:
        raise TokenizerUnavailableError(f"Cannot load {folder / 'tokenizer.json'}: {exc}.") from None
    tokenizer.no_truncation()  # transformers calls with truncation=False and padding=False
    tokenizer.no_padding()
    special = {name: _token_text(config[name]) for name in SPECIAL_TOKEN_NAMES if config.get(name) is not None}
    _add_missing_tokens(tokenizer, tokenizers.AddedToken, config, special)
    if config.get("split_special_tokens"):
        tokenizer.encode_special_tokens = True
    templates = _templates(folder, config)
    if chat_template is not None:
        templates["default"] = chat_template
    return ChatTokenizer(tokenizer, templates, special, dict(template_vars or {}), str(folder))


def _add_missing_tokens(tokenizer: Any, added: Any, config: Mapping[str, Any], special: dict[str, str]) -> None:
    """transformers adds the config's added and named special tokens that tokenizer.json lacks."""
    keys = ("single_word", "lstrip", "rstrip", "normalized", "special")
    decoder = config.get("added_tokens_decoder") or {}
    tokens = [added(v["content"], **{k: v[k] for k in keys if k in v}) for v in decoder.values()]
    tokens += [added(t, special=True) for t in special.values()]
    missing = [t for t in tokens if tokenizer.token_to_id(t.content) is None]
    if missing:
        tokenizer.add_tokens(missing)


def _templates(folder: Path, config: Mapping[str, Any]) -> dict[str, str]:
    """Templates by name, as transformers loads them: template files first, then the config's entry."""
    files: dict[str, str] = {}
    if (folder / "chat_template.jinja").is_file():
        files["default"] = (folder / "chat_template.jinja").read_text(encoding="utf-8")
    extra = folder / "additional_chat_templates"
    if extra.is_dir():
        for path in sorted(extra.glob("*.jinja")):
            files[path.name.removesuffix(".jinja")] = path.read_text(encoding="utf-8")
    if files:
        return files
    raw = config.get("chat_template")
    if isinstance(raw, str):
        return {"default": raw}
    if isinstance(raw, list):
        return {t["name"]: t["template"] for t in raw if isinstance(t, dict) and "name" in t and "template" in t}
    return {}


def _token_text(value: Any) -> str:
    return str(value["content"]) if isinstance(value, dict) else str(value)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TokenizerUnavailableError(f"Cannot read {path}: {exc}.") from None
    return data if isinstance(data, dict) else {}
