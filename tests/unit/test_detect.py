from __future__ import annotations

import pytest

from prep.reading.detect import decide_format, vote
from prep.targets.profile import DataFormat as F

CHAT = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
RFT = {"messages": [{"role": "developer", "content": "x"}, {"role": "user", "content": "2+2?"}], "answer": "4"}
PREF = {"input": {"messages": []}, "preferred_output": [], "non_preferred_output": []}


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        (CHAT, F.CHAT),
        (RFT, F.REINFORCEMENT),
        ({"messages": [{"role": "user", "content": "2+2?"}], "answer": "4"}, F.REINFORCEMENT),
        # no grader data: a chat example missing its answer (a file of nothing else is one P204 naming --method
        # reinforcement: tests/test_verdicts.py)
        ({"messages": [{"role": "user", "content": "2+2?"}]}, F.CHAT),
        ({"input": "Some context.", "instruction": "Q?", "output": "A."}, None),  # alpaca: columns, not preference
        ({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "x"}], "weight": 1}, F.CHAT),
        (PREF, F.PREFERENCE),
        ({"input": {}, "preferred_completion": []}, F.PREFERENCE),
        ({"prompt": "a", "completion": "b"}, F.COMPLETION),
        ({"completion": "b"}, F.COMPLETION),
        ({"text": "hello"}, F.TEXT),
        ({}, None),
    ],
)
def test_vote(example, expected):
    assert vote(example) is expected


ALL = tuple(F)


def test_majority_wins_and_ties_go_to_the_first_seen():
    assert decide_format([F.COMPLETION, F.CHAT, F.CHAT], ALL) is F.CHAT
    assert decide_format([F.PREFERENCE, F.CHAT], ALL) is F.PREFERENCE


def test_chat_and_reinforcement_are_one_family():
    # one odd RFT-looking line does not turn a chat file into an RFT file
    assert decide_format([F.CHAT, F.CHAT, F.REINFORCEMENT, F.COMPLETION, F.COMPLETION], ALL) is F.CHAT


def test_method_restricts_the_formats():
    assert decide_format([F.CHAT] * 5, (F.PREFERENCE,)) is F.PREFERENCE
    assert decide_format([F.PREFERENCE] * 5, (F.CHAT, F.COMPLETION)) is F.CHAT
    assert decide_format([F.COMPLETION, F.CHAT, F.COMPLETION], (F.CHAT, F.COMPLETION)) is F.COMPLETION


def test_nothing_to_decide_from():
    assert decide_format([None, None], ALL) is None
