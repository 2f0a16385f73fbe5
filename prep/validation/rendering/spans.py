"""Where the trained (assistant) tokens of a rendered conversation lie.

Two ways, after the template:

- ``generation``: the template marks assistant output with ``{% generation %}``;
  a token is trained when it overlaps a marked block. This is transformers'
  ``assistant_masks`` rule token for token, what TRL's SFTTrainer trains on with
  ``assistant_only_loss=True``.
- ``prefix``: no markers. Assistant message ``i`` runs from the end of
  ``render(messages[:i], add_generation_prompt=True)`` to the end of
  ``render(messages[:i + 1])``, as character offsets in the whole rendering
  mapped to its tokens (nothing is tokenized again, so no merge across a bound
  can skew it). This is TRL's prompt/completion split: the role header is
  prompt; the content, the end-of-turn token and what the template writes after
  it are trained. It needs a template that renders ``messages[:i + 1]`` as a
  prefix of the whole; where one does not (Qwen3 drops earlier reasoning,
  gpt-oss closes only the last turn with ``<|return|>``), the end is estimated
  (`_Bounds._estimate_end`) and the count is marked as not exact.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import Any

from .conversation import Conversation
from .counts import Counts, Method, RenderError, TokenSpan
from .hf import ChatTokenizer

__all__ = ["count_conversation"]

_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")
NOT_PREFIX = "the template does not render each turn as a prefix of the whole; some assistant bounds are estimated"


def count_conversation(
    tok: ChatTokenizer, conv: Conversation, *, honor_weights: bool = True, variables: dict[str, Any] | None = None
) -> Counts:
    """The tokens of a conversation rendered with the tokenizer's template (and extra template ``variables``, such
    as TRL's ``chat_template_kwargs``), and its trained spans."""
    if variables:
        tok = replace(tok, template_vars={**tok.template_vars, **variables})
    text, blocks = tok.render(conv.messages, conv.tools)
    encoding = tok.encode(text)
    bounds = _Bounds(tok, conv, text, encoding.offsets)
    method: Method
    if _GENERATION_TAG.search(tok.template_for(conv.tools)):
        method, trained = "generation", _generation_spans(blocks, encoding.offsets, bounds)
    else:
        assistants = [i for i, m in enumerate(conv.messages) if m.get("role") == "assistant"]
        method, trained = "prefix", _in_order([bounds.assistant_span(i) for i in assistants])
    exact = bounds.exact and not conv.notes
    if honor_weights and any(w == 0 for w in conv.weights):
        exact = exact and all(s.message >= 0 for s in trained)
        trained = [s for s in trained if s.message < 0 or conv.weights[s.message] != 0]
    spans = tuple(s for s in trained if s.end > s.start)
    messages = tuple(bounds.message_span(i) for i in range(len(conv.messages)))
    return Counts(len(encoding.ids), spans, messages, method, exact, conv.notes + bounds.notes)


def _in_order(spans: list[TokenSpan]) -> list[TokenSpan]:
    """Estimated spans may overlap: keep them in order and apart."""
    out: list[TokenSpan] = []
    for s in spans:
        start = max(s.start, out[-1].end if out else 0)
        out.append(TokenSpan(s.message, start, max(start, s.end)))
    return out


def _generation_spans(
    blocks: list[tuple[int, int]], offsets: list[tuple[int, int]], bounds: _Bounds
) -> list[TokenSpan]:
    """Runs of tokens that overlap a generation block (transformers' ``assistant_masks``)."""
    mask = [False] * len(offsets)
    block = 0
    for t, (t_start, t_end) in enumerate(offsets):
        while block < len(blocks) and t_start >= blocks[block][1]:
            block += 1
        if block == len(blocks):
            break
        mask[t] = t_end > blocks[block][0]
    runs: list[TokenSpan] = []
    t = 0
    while t < len(mask):
        if not mask[t]:
            t += 1
            continue
        start = t
        while t < len(mask) and mask[t]:
            t += 1
        runs.append(TokenSpan(bounds.message_at_char(offsets[start][0]), start, t))
    return runs


class _Bounds:
    """Where each message starts and ends in the whole rendering, from renders of its prefixes."""

    def __init__(self, tok: ChatTokenizer, conv: Conversation, text: str, offsets: list[tuple[int, int]]) -> None:
        self.tok, self.messages, self.tools, self.text = tok, conv.messages, conv.tools, text
        self.starts = [s for s, _ in offsets]
        self.ends = [e for _, e in offsets]
        self.exact = True
        self.notes: tuple[str, ...] = ()
        # char_end[i]: where message i ends in the text; None where messages[:i + 1] renders as no prefix of it
        self.char_end: list[int | None] = [self._prefix_end(i + 1, False) for i in range(len(self.messages) - 1)]
        self.char_end.append(len(text))

    def _render_prefix(self, k: int, generation_prompt: bool) -> str | None:
        try:
            return self.tok.render(self.messages[:k], self.tools, generation_prompt=generation_prompt)[0]
        except RenderError:  # a template may refuse a partial conversation
            return None

    def _prefix_end(self, k: int, generation_prompt: bool) -> int | None:
        prefix = self._render_prefix(k, generation_prompt)
        return len(prefix) if prefix is not None and self.text.startswith(prefix) else None

    def _start_char(self, i: int) -> int | None:
        return 0 if i == 0 else self.char_end[i - 1]

    def _tokens(self, c_start: int, c_end: int) -> tuple[int, int]:
        """The tokens that overlap characters ``[c_start, c_end)``."""
        first = bisect_right(self.ends, c_start)
        return first, max(first, bisect_left(self.starts, c_end))

    def _estimate_end(self, i: int, c_start: int) -> int:
        """The end of message ``i`` when ``messages[:i + 1]`` renders as no prefix of the whole:

        1. the two renderings differ only in the special token that closes the
           turn (gpt-oss: ``<|return|>`` last, ``<|end|>`` before): after that token;
        2. else after the first EOS text from the start, before the next known bound (ChatML, Llama 3);
        3. else the token count of ``messages[:i + 1]`` rendered alone.
        """
        self.exact = False
        self.notes = (NOT_PREFIX,)
        prefix = self._render_prefix(i + 1, False) or ""
        same = len(os.path.commonprefix([prefix, self.text]))  # noqa: RUF071 (characters are compared)
        if same > c_start and prefix[same:] in self.tok.added_tokens:
            closing = next((t for t in self.tok.added_tokens if self.text.startswith(t, same)), None)
            if closing is not None:
                return self._tokens(0, same + len(closing))[1]
        limit = next((e for e in self.char_end[i + 1 :] if e is not None), len(self.text))
        eos = self.tok.special_tokens.get("eos_token", "")
        at = self.text.find(eos, c_start, limit) if eos else -1
        if at >= 0:
            return self._tokens(0, at + len(eos))[1]
        return min(len(self.ends), len(self.tok.encode(prefix).ids)) if prefix else len(self.ends)

    def message_span(self, i: int) -> TokenSpan | None:
        c_start, c_end = self._start_char(i), self.char_end[i]
        if c_start is None or c_end is None:
            return None
        return TokenSpan(i, *self._tokens(c_start, c_end))

    def assistant_span(self, i: int) -> TokenSpan:
        """From the end of the generation prompt after ``messages[:i]`` to the end of message ``i``."""
        c_start = self._prefix_end(i, True)
        if c_start is None:
            c_start = self._start_char(i) or 0  # the role header is then included
            self.exact = self.exact and i == 0
        c_end = self.char_end[i]
        t_end = self._tokens(0, c_end)[1] if c_end is not None else self._estimate_end(i, c_start)
        return TokenSpan(i, min(self._tokens(c_start, len(self.text))[0], t_end), t_end)

    def message_at_char(self, c: int) -> int:
        """The message holding character ``c``; between unknown bounds, the only assistant there (else -1)."""
        first = 0
        for i, end in enumerate(self.char_end):
            if end is None:
                continue
            if c < end:
                group = [j for j in range(first, i + 1) if first == i or self.messages[j].get("role") == "assistant"]
                return group[0] if len(group) == 1 else -1
            first = i + 1
        return -1
