"""Column mapping: which column fills which field, and what each row becomes."""

from __future__ import annotations

import pytest

from prep.conversion.examples import to_example
from prep.conversion.mapping import ColumnMap, Kind, plan_mapping
from prep.errors import MappingError, UsageError
from prep.reading.table import CellError, Note, Row, TableOptions


def plan(columns, *explicit, **kw):
    return plan_mapping(columns, explicit, name="data.csv", **kw)


@pytest.mark.parametrize(
    ("columns", "kind", "fields"),
    [
        (["prompt", "completion"], Kind.COMPLETION, {"prompt": "prompt", "completion": "completion"}),
        (["Prompt", "Completion"], Kind.COMPLETION, {"prompt": "Prompt", "completion": "Completion"}),
        (["question", "answer"], Kind.CHAT, {"user": "question", "assistant": "answer"}),
        (
            ["System Prompt", "User", "Assistant"],
            Kind.CHAT,
            {"system": "System Prompt", "user": "User", "assistant": "Assistant"},
        ),
        (
            ["instruction", "input", "output"],
            Kind.CHAT,
            {"user": "instruction", "input": "input", "assistant": "output"},
        ),
        (
            ["instruction", "context", "response", "category"],
            Kind.CHAT,  # databricks-dolly
            {"user": "instruction", "input": "context", "assistant": "response"},
        ),
        (["prompt", "response"], Kind.CHAT, {"user": "prompt", "assistant": "response"}),
        (["input", "output"], Kind.CHAT, {"user": "input", "assistant": "output"}),
        (["messages"], Kind.MESSAGES, {"messages": "messages"}),
        (
            ["system", "messages", "tools"],
            Kind.MESSAGES,
            {"system": "system", "messages": "messages", "tools": "tools"},
        ),
        # spreadsheets from real life title their columns in the plural
        (["Questions", "Answers"], Kind.CHAT, {"user": "Questions", "assistant": "Answers"}),
        (["Prompts", "Completions"], Kind.COMPLETION, {"prompt": "Prompts", "completion": "Completions"}),
        (["Queries", "Responses"], Kind.CHAT, {"user": "Queries", "assistant": "Responses"}),
        (["User messages", "Replies"], Kind.CHAT, {"user": "User messages", "assistant": "Replies"}),
        (
            ["System prompts", "Instructions", "Inputs", "Outputs"],
            Kind.CHAT,
            {"system": "System prompts", "user": "Instructions", "input": "Inputs", "assistant": "Outputs"},
        ),
    ],
)
def test_common_names_are_recognised(columns, kind, fields):
    cmap = plan(columns)
    assert (cmap.kind, cmap.fields) == (kind, fields)


def test_a_plural_is_no_other_word():
    assert plan(["Questions", "Answers", "Status", "Address", "News"]).unused == ("Status", "Address", "News")
    with pytest.raises(MappingError, match="could both be the user field"):
        plan(["question", "Questions", "answer"])  # the plural of a name is the same field


def test_unused_columns_are_listed_unless_ignored():
    assert plan(["id", "question", "answer", "notes"]).unused == ("id", "notes")
    assert plan(["id", "question", "answer", "notes"], ("id", "ignore")).unused == ("notes",)


def test_explicit_mapping_wins_and_the_rest_is_detected():
    cmap = plan(["Customer message", "Agent reply", "answer"], ("Customer message", "user"), ("agent reply", "output"))
    assert cmap.fields == {"user": "Customer message", "assistant": "Agent reply"}
    assert cmap.unused == ("answer",)


def test_json_rows_that_are_records_pass_through():
    assert plan(["messages", "tools", "id"], tabular=False).kind == Kind.RECORD
    assert plan(["input", "preferred_output", "non_preferred_output"], tabular=False).kind == Kind.RECORD
    assert plan(["instruction", "input", "output"], tabular=False).kind == Kind.CHAT  # alpaca JSON
    assert plan(["messages", "id"], ("id", "ignore"), tabular=False).kind == Kind.MESSAGES  # --map: map


@pytest.mark.parametrize(
    ("columns", "explicit", "message"),
    [
        (
            ["question", "query", "answer"],
            (),
            "Columns 'question' and 'query' of data.csv could both be the user field; choose with --map, e.g. "
            "--map question=user --map query=ignore (columns found: 'question', 'query', 'answer').",
        ),
        (
            ["a", "b"],
            (),
            "No column of data.csv was recognised as prompt/completion, user/assistant (question/answer, instruction/output) "
            "or messages; name them with --map COLUMN=FIELD (or, if the first row is data, add --no-header) "
            "(columns found: 'a', 'b').",
        ),
        (
            ["question", "notes"],
            (),
            "data.csv has a user column ('question') but no assistant column; name it with --map COLUMN=assistant "
            "(columns found: 'question', 'notes').",
        ),
        (
            ["prompt", "completion", "question", "answer"],
            (),
            "data.csv has prompt/completion columns ('prompt', 'completion') and chat columns ('question', 'answer'); keep "
            "one kind with --map COLUMN=ignore (columns found: 'prompt', 'completion', 'question', 'answer').",
        ),
        (["messages", "answer"], (), "data.csv has a messages column ('messages') and other text columns ('answer')"),
        (
            ["q", "a"],
            (("x", "user"),),
            "--map names the column 'x', but data.csv has no such column (columns found: 'q', 'a').",
        ),
        (["q", "a"], (("q", "question"),), "Unknown field 'question' in --map; fields: prompt, completion, system"),
        (["q", "a"], (("q", "user"), ("a", "user")), "--map gives the field 'user' two columns ('q', 'a')"),
        (
            ["My question", "Their answer", "answer"],
            (("My question", "user"), ("Their answer", "assistant"), ("answer", "ignore"), ("My question", "ignore")),
            "data.csv has an assistant column ('Their answer') but no user column; name it with --map COLUMN=user",
        ),
    ],
)
def test_unclear_mappings_are_one_sentence_listing_the_columns(columns, explicit, message):
    with pytest.raises(UsageError) as info:
        plan(columns, *explicit)
    assert str(info.value).startswith(message)


def test_constant_system_needs_chat_output():
    with pytest.raises(UsageError, match=r"--system adds a system message to chat records.*--to chat"):
        plan(["prompt", "completion"], system="Be brief.")
    assert plan(["prompt", "completion"], system="Be brief.", chat_output=True).kind == Kind.COMPLETION


def test_table_options_accept_a_dict():
    assert TableOptions(mapping={"q": "user"}).mapping == (("q", "user"),)
    assert TableOptions(file_type="csv").read.file_type.value == "csv"


# -- rows to records --------------------------------------------------------------------

CHAT = ColumnMap(Kind.CHAT, {"system": "sys", "user": "q", "input": "ctx", "assistant": "a"})


def test_chat_row_with_system_and_input():
    e = to_example(Row(7, {"sys": "Be brief.", "q": "Translate", "ctx": "Thank you", "a": "Merci"}), CHAT, sheet="S")
    assert e.line == 7
    assert e.record == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Translate\n\nThank you"},
            {"role": "assistant", "content": "Merci"},
        ]
    }
    assert e.origin.sheet == "S"
    assert [e.origin.column_of(p) for p in ("/messages/0/content", "/messages/1/content", "/messages/2")] == [
        "sys",
        "q + ctx",
        "a",
    ]


def test_empty_cells_leave_parts_out_never_nan():
    e = to_example(Row(2, {"sys": None, "q": "Hi", "ctx": None, "a": None}), CHAT, system="Default system.")
    assert e.record == {
        "messages": [
            {"role": "system", "content": "Default system."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant"},
        ]
    }
    assert e.origin.column_of("/messages/0/content") is None  # the constant has no column
    assert e.origin.column_of("/messages/2/content") == "a"


def test_unreadable_cells_are_problems_on_their_column():
    e = to_example(
        Row(4, {"sys": None, "q": "Hi", "ctx": None, "a": CellError("P151", "Cell holds the error #N/A.")}), CHAT
    )
    assert [(p.code, p.pointer, p.column) for p in e.problems] == [("P151", "/messages/1/content", "a")]
    assert e.record["messages"][1] == {"role": "assistant"}


def test_row_notes_become_problems_and_unreadable_rows_have_no_record():
    e = to_example(Row(9, None, (Note("P155", "Row is not valid CSV.", None, 9),)), CHAT)
    assert e.record is None and [p.code for p in e.problems] == ["P155"]


def test_completion_rows_keep_text_as_it_is():
    cmap = ColumnMap(Kind.COMPLETION, {"prompt": "p", "completion": "c"})
    e = to_example(Row(2, {"p": "2+2 =\n\n###\n\n", "c": " 4\n"}), cmap)
    assert e.record == {"prompt": "2+2 =\n\n###\n\n", "completion": " 4\n"}
    assert to_example(Row(3, {"p": None, "c": None}), cmap).record == {"prompt": "", "completion": ""}


def test_json_values_become_text_where_text_is_expected():
    cmap = ColumnMap(Kind.CHAT, {"user": "q", "assistant": "a"})
    assert to_example(Row(1, {"q": "2+2?", "a": 4}), cmap).record["messages"][1]["content"] == "4"
    assert to_example(Row(1, {"q": "Sure?", "a": True}), cmap).record["messages"][1]["content"] == "true"


MESSAGES = ColumnMap(Kind.MESSAGES, {"system": "sys", "messages": "m", "tools": "t"})


def test_messages_column_holds_json_text_or_values():
    text = '[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]'
    e = to_example(Row(2, {"sys": "Be kind.", "m": text, "t": None}), MESSAGES)
    assert e.record == {
        "messages": [
            {"role": "system", "content": "Be kind."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
        ]
    }
    assert e.origin.column_of("/messages/0/content") == "sys"
    assert e.origin.column_of("/messages/2/content") == "m"
    e = to_example(
        Row(3, {"sys": None, "m": [{"role": "user", "content": "Hi"}], "t": '[{"type": "function"}]'}), MESSAGES
    )
    assert e.record == {"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function"}]}


def test_invalid_json_in_a_messages_cell():
    e = to_example(Row(5, {"sys": None, "m": "[{'role': 'user'}]", "t": None}), MESSAGES)
    assert e.record is None
    (p,) = e.problems
    assert (p.code, p.pointer, p.column) == ("P156", "/messages", "m")
    assert p.message.startswith("Cell should hold a messages array as JSON, but it is not valid JSON: Expecting")


def test_records_pass_through_with_a_system_message_added_when_missing():
    cmap = ColumnMap(Kind.RECORD)
    record = {"messages": [{"role": "user", "content": "Hi"}], "tools": []}
    e = to_example(Row(1, record), cmap, system="Be brief.")
    assert e.record == {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "tools": [],
    }
    assert record == {"messages": [{"role": "user", "content": "Hi"}], "tools": []}  # the row is not changed
    has_system = {"messages": [{"role": "system", "content": "Mine."}]}
    assert to_example(Row(1, has_system), cmap, system="Be brief.").record == has_system
    pref = {"input": {"messages": [{"role": "user", "content": "Hi"}]}, "preferred_output": []}
    assert to_example(Row(1, pref), cmap, system="S").record["input"]["messages"][0] == {
        "role": "system",
        "content": "S",
    }


def test_json_nested_past_the_recursion_limit_in_a_cell_is_a_problem_not_a_crash(default_recursion_limit):
    deep = "[" * 100_000 + "]" * 100_000
    e = to_example(Row(5, {"sys": None, "m": deep, "t": None}), MESSAGES)
    (p,) = e.problems
    assert (p.code, p.pointer, p.column) == ("P156", "/messages", "m")
    assert p.message.endswith("not valid JSON: it nests deeper than prep can read (about 1,000 levels).")
