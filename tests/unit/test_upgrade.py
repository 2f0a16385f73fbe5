"""prompt/completion to chat: the legacy marks go, the data stays."""

from __future__ import annotations

import pytest

from prep.conversion.examples import Example, RowProblem
from prep.conversion.upgrade import SEPARATOR_MARKS, STOP_MARKS, chat_examples, legacy_mark, to_chat
from prep.validation.scan import Origin


@pytest.mark.parametrize(
    ("suffix", "marks", "expected"),
    [
        ("\n\n###\n\n", SEPARATOR_MARKS, "\n\n###\n\n"),
        ("?\n\n###\n\n", SEPARATOR_MARKS, "\n\n###\n\n"),
        (" ->", SEPARATOR_MARKS, " ->"),
        ("\n\n### =>\n\n", SEPARATOR_MARKS, "\n\n### =>\n\n"),
        ("?", SEPARATOR_MARKS, ""),  # a question mark is the data
        ("\n", STOP_MARKS, "\n"),
        (" END", STOP_MARKS, " END"),
        (".", STOP_MARKS, ""),  # so is a full stop
        (".\n", STOP_MARKS, "\n"),  # but the newline after it is the stop sequence
        ("!\r\n", STOP_MARKS, "\r\n"),
        ("?\n\n", SEPARATOR_MARKS, "\n\n"),
        ("", STOP_MARKS, ""),
    ],
)
def test_legacy_marks(suffix, marks, expected):
    assert legacy_mark(suffix, marks) == expected


def test_a_stop_sequence_after_a_shared_full_stop_is_removed_and_the_full_stop_kept():
    """The legacy guide (openai-format-rules.md 1.2): "Each completion should end with a fixed stop sequence
    ... could be \\n"; completions that are sentences all end with ".\\n", and only the "\\n" is the mark."""
    records = [
        {"prompt": "Capital of France?\n\n###\n\n", "completion": " Paris.\n"},
        {"prompt": "Capital of Italy?\n\n###\n\n", "completion": " Rome.\n"},
    ]
    assert [r["messages"][1]["content"] for r in to_chat(records)] == ["Paris.", "Rome."]
    assert [r["messages"][1]["content"] for r in to_chat(records, keep_separators=True)] == [" Paris.\n", " Rome.\n"]


def test_to_chat_removes_the_marks_of_legacy_data():
    records = [
        {"prompt": "2+2 =\n\n###\n\n", "completion": " 4\n"},
        {"prompt": "3+3 =\n\n###\n\n", "completion": " 6\n"},
    ]
    assert to_chat(records) == [
        {"messages": [{"role": "user", "content": "2+2 ="}, {"role": "assistant", "content": "4"}]},
        {"messages": [{"role": "user", "content": "3+3 ="}, {"role": "assistant", "content": "6"}]},
    ]


def test_to_chat_keeps_what_is_data():
    records = [
        {"prompt": "Why is the sky blue?", "completion": "Because of Rayleigh scattering."},
        {"prompt": "Who wrote it?", "completion": "Nobody knows."},
    ]
    out = to_chat(records, system="Answer briefly.")
    assert out[0] == {
        "messages": [
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "Why is the sky blue?"},
            {"role": "assistant", "content": "Because of Rayleigh scattering."},
        ]
    }


def test_keep_separators_keeps_everything():
    records = [{"prompt": "a ->", "completion": " x\n"}, {"prompt": "b ->", "completion": " y\n"}]
    assert to_chat(records, keep_separators=True)[0]["messages"] == [
        {"role": "user", "content": "a ->"},
        {"role": "assistant", "content": " x\n"},
    ]


def test_open_ended_rows_have_no_user_message_and_chat_records_pass_unchanged():
    chat = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    assert to_chat([{"prompt": "", "completion": " Once upon a time."}, chat]) == [
        {"messages": [{"role": "assistant", "content": "Once upon a time."}]},
        chat,
    ]


def test_origins_and_problems_follow_the_fields():
    example = Example(
        4,
        {"prompt": "Q ->", "completion": None},
        Origin("S", (("/prompt", "question"), ("/completion", "answer"))),
        (RowProblem("P151", "/completion", "Cell holds the error #N/A.", "answer"),),
    )
    (out,), note = chat_examples([example], system="Be brief.")
    assert out.record == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Q"},
            {"role": "assistant"},
        ]
    }
    assert out.origin.column_of("/messages/1/content") == "question"
    assert out.origin.column_of("/messages/2/content") == "answer"
    assert out.problems[0].pointer == "/messages/2"
    assert note is not None and note.code == "P159" and '" ->"' in note.message
