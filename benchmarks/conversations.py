"""Assemble valid OpenAI chat fine-tuning examples from the seeded pools."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from textpool import LANGUAGES, TextPool, estimate_tokens
from tools_pool import make_arguments, make_call_id, make_result, make_tool_sets

LANGUAGE_WEIGHTS = (45, 10, 8, 13, 12, 12)  # en de ru ja zh ko
TURN_COUNTS = (1, 2, 3, 4, 5, 6, 8)
TURN_WEIGHTS = (45, 22, 13, 8, 5, 4, 3)
PERSONAS = (
    "a customer-support agent for Acme Cloud",
    "a senior Python reviewer",
    "a travel booking assistant",
    "a polite bank teller bot",
    "a legal-document summariser",
    "a translator for a retail company",
    "an on-call SRE assistant",
    "a tutor for high-school mathematics",
    "a data-analysis copilot",
)
USER_NAMES = ("alice", "bob", "carol_smith", "dmitri", "yuki-t", "minjun_kim", "li_wei", "user-4821")
ASSISTANT_NAMES = ("support_bot", "agent-7", "reviewer")
LONG_PREFIX = "Summarize the following document and list its action items:\n\n"
LONG_EXAMPLE_TOKENS = (20_000, 80_000)
MAX_NORMAL_TOKENS = 12_000


@dataclass(frozen=True)
class Options:
    """Knobs of the generated data (token counts are o200k_base estimates)."""

    distinct_system_prompts: int = 8
    unique_system_prompts: bool = False
    distinct_tool_sets: int = 4
    long_fraction: float = 0.001
    tool_fraction: float = 0.25
    system_fraction: float = 0.9
    median_tokens: int = 900


def message(rng: random.Random, role: str, content: str, names: tuple[str, ...] = (), name_p: float = 0) -> dict:
    msg = {"role": role}
    if names and rng.random() < name_p:
        msg["name"] = rng.choice(names)
    msg["content"] = content
    return msg


class ExampleFactory:
    """Builds the shared pools once; `make(rng)` returns one example dict."""

    def __init__(self, options: Options, seed: int) -> None:
        rng = random.Random(seed)
        self.options = options
        self.pool = TextPool.build(rng)
        prompts = [self._system_prompt(rng) for _ in range(max(1, options.distinct_system_prompts))]
        self.system_prompts = [(p, estimate_tokens(p, "en")) for p in prompts]
        self.tool_sets = make_tool_sets(rng, max(1, options.distinct_tool_sets))

    def _system_prompt(self, rng: random.Random) -> str:
        rules = [self.pool.compose(rng, "en", 30) for _ in range(min(60, round(rng.lognormvariate(2.5, 0.7))))]
        intro = f"You are {rng.choice(PERSONAS)}. Answer in the language of the user."
        return intro + "\n\nRules:\n" + "\n".join(f"- {rule}" for rule in rules)

    def _system_text(self, rng: random.Random) -> tuple[str, int]:
        text, tokens = rng.choice(self.system_prompts)
        if not self.options.unique_system_prompts:
            return text, tokens
        date = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        header = f"Session {rng.getrandbits(64):016x} for {rng.choice(USER_NAMES)}, {date}.\n"
        return header + text, tokens + 20

    def _draw_tokens(self, rng: random.Random) -> int:
        if rng.random() < self.options.long_fraction:
            return rng.randint(*LONG_EXAMPLE_TOKENS)
        drawn = rng.lognormvariate(math.log(self.options.median_tokens), 0.9)
        return min(MAX_NORMAL_TOKENS, max(60, round(drawn)))

    def make(self, rng: random.Random) -> dict:
        lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        budget = self._draw_tokens(rng)
        is_long = budget > MAX_NORMAL_TOKENS
        messages: list[dict] = []
        if rng.random() < self.options.system_fraction:
            text, tokens = self._system_text(rng)
            messages.append(message(rng, "system", text))
            budget -= tokens
        tools = rng.choice(self.tool_sets) if rng.random() < self.options.tool_fraction else None
        parallel = rng.random() < 0.8
        turns = 1 if is_long else rng.choices(TURN_COUNTS, TURN_WEIGHTS)[0]
        tool_turn = rng.randrange(turns) if tools else -1
        per_turn = max(budget, 40 * turns) / turns
        user_share = 0.9 if is_long else 0.3
        for turn in range(turns):
            text = self.pool.compose(rng, lang, round(per_turn * user_share))
            messages.append(message(rng, "user", LONG_PREFIX + text if is_long else text, USER_NAMES, 0.05))
            if turn == tool_turn:
                messages.extend(self._tool_exchange(rng, tools, parallel))
            text = self.pool.compose(rng, lang, round(per_turn * (1 - user_share)), code_share=0.15)
            messages.append(message(rng, "assistant", text, ASSISTANT_NAMES, 0.03))
        add_weights(rng, messages)
        example: dict = {"messages": messages}
        if tools:
            example["tools"] = tools
            if not parallel:
                example["parallel_tool_calls"] = False
        return example

    def _tool_exchange(self, rng: random.Random, tools: list[dict], parallel: bool) -> list[dict]:
        chosen = rng.choices(tools, k=rng.choice((1, 1, 1, 2, 3)) if parallel else 1)
        calls = [
            {
                "id": make_call_id(rng),
                "type": "function",
                "function": {"name": t["function"]["name"], "arguments": make_arguments(rng, t)},
            }
            for t in chosen
        ]
        call_message: dict = {"role": "assistant"}
        draw = rng.random()
        if draw < 0.3:
            call_message["content"] = None
        elif draw < 0.45:
            call_message["content"] = self.pool.compose(rng, "en", 15)
        call_message["tool_calls"] = calls
        results = [{"role": "tool", "tool_call_id": c["id"], "content": make_result(rng)} for c in calls]
        return [call_message, *results]


def add_weights(rng: random.Random, messages: list[dict]) -> None:
    """Put `weight` 0/1 on the assistant messages of some examples (the last one stays 1)."""
    assistants = [m for m in messages if m["role"] == "assistant"]
    if rng.random() >= (0.15 if len(assistants) > 1 else 0.03):
        return
    for m in assistants[:-1]:
        m["weight"] = rng.choice((0, 1))
    assistants[-1]["weight"] = 1
