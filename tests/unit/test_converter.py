"""prep.convert and prep.load_records from Python: DataFrames, rows and paths in; records, reports and files out."""

from __future__ import annotations

import hashlib

import pytest

import prep
from prep.errors import InputError, UsageError
from prep.records.models import ChatRecord, CompletionRecord


def qa_rows(n=12):
    return [{"question": f"Question {i}?", "answer": f"Answer {i}."} for i in range(n)]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dataframe_in_records_out_never_nan():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "instruction": ["Add 2 and 2", "Say hi", "Count"],
            "input": [None, float("nan"), "1, 2, 3"],
            "output": [4, "Hi!", float("nan")],  # 4 sits in a float column (NaN): it must read as "4"
            "when": pd.to_datetime(["2024-03-01", None, "2024-03-03"]),
        }
    )
    result = prep.convert(frame, tokens=False, force=True)
    assert result.records == [
        {"messages": [{"role": "user", "content": "Add 2 and 2"}, {"role": "assistant", "content": "4"}]},
        {"messages": [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Hi!"}]},
    ]
    issues = [(i.code, i.line, i.column) for i in result.report.issues]
    assert ("P222", 3, "output") in issues  # the empty cell is a missing reply, not "nan"
    assert ("P158", None, "when") in issues


def test_rows_in_alpaca_json_style():
    rows = [{"instruction": "Translate", "input": "Thank you", "output": "Merci"}] * 1
    result = prep.convert(rows, tokens=False, force=True)
    assert result.records == [
        {"messages": [{"role": "user", "content": "Translate\n\nThank you"}, {"role": "assistant", "content": "Merci"}]}
    ]


def test_rows_that_are_records_pass_through_and_pydantic_records_are_accepted():
    chat = ChatRecord.model_validate(
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    )
    result = prep.convert([chat] * 10, tokens=False)
    assert result.ok and result.records[0] == {
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    }


def test_written_output_is_byte_stable_utf8_without_bom(tmp_path):
    rows = [*qa_rows(), {"question": "Ça va ? 😀", "answer": "Très bien."}]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    prep.convert(rows, a, tokens=False)
    prep.convert(list(reversed(list(reversed(rows)))), b, tokens=False)
    assert a.read_bytes() == b.read_bytes()
    data = a.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data and data.endswith(b"\n")
    assert "Ça va ? 😀".encode() in data  # UTF-8 text, not \\u escapes


def test_bom_on_request(tmp_path):
    out = tmp_path / "azure.jsonl"
    result = prep.convert(qa_rows(), out, tokens=False, bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf{")
    assert result.to_jsonl() == out.read_bytes()


def test_errors_write_nothing_unless_forced(tmp_path):
    rows = qa_rows()
    rows[3] = {"question": "Question 3?", "answer": None}
    out = tmp_path / "out.jsonl"
    result = prep.convert(rows, out, tokens=False)
    assert not result.ok and result.path is None and not out.exists() and result.exit_code == 1
    assert "pass --force to write the 11 record(s) without errors" in result.summary(out)
    result = prep.convert(rows, out, tokens=False, force=True)
    assert result.path == out and result.skipped == [4] and result.exit_code == 1
    assert len(out.read_text().splitlines()) == 11
    assert result.summary(out) == f"wrote 11 record(s) to {out}, leaving out 1 row(s) with errors."


def test_an_existing_output_is_replaced_atomically(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    prep.convert(qa_rows(), out, tokens=False)
    assert out.read_text().startswith('{"messages"')
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary file left behind


def test_the_input_is_never_the_output(tmp_path):
    source = tmp_path / "data.csv"
    source.write_text("question,answer\nQ,A\n")
    before = sha(source)
    with pytest.raises(UsageError, match="is the input; prep never writes to its input"):
        prep.convert(source, tmp_path / "." / "data.csv")
    assert sha(source) == before


def test_jsonl_input_is_rewritten_clean(tmp_path):
    source = tmp_path / "in.jsonl"
    line = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}'
    source.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join([line] * 10) + b"\r\n\r\n")
    out = tmp_path / "out.jsonl"
    result = prep.convert(source, out, tokens=False)
    assert result.ok
    assert (
        out.read_bytes()
        == b'{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}\n' * 10
    )
    assert prep.check(out, tokens=False).ok


def test_options_are_checked():
    with pytest.raises(UsageError, match="--apply applies the legacy"):
        prep.convert(qa_rows(), to="chat", apply=True)
    with pytest.raises(UsageError, match="--to preference is not supported"):
        prep.convert(qa_rows(), to="preference")
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*colour"):
        prep.convert(qa_rows(), colour="red")


def test_to_chat_with_system(tmp_path):
    rows = [{"prompt": f"Q{i}\n\n###\n\n", "completion": f" A{i}\n"} for i in range(10)]
    result = prep.convert(rows, to="chat", system="Be brief.", tokens=False)
    assert result.ok
    assert result.records[0] == {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Q0"},
            {"role": "assistant", "content": "A0"},
        ]
    }
    assert [i.code for i in result.report.issues if i.code == "P159"] == ["P159"]


def test_convert_counts_tokens_like_check():
    result = prep.convert(qa_rows(), model="gpt-4o-mini-2024-07-18")
    (f,) = result.report.files
    assert result.report.tokens_checked and f.stats is not None and f.budget.token_limit == 65536


def test_load_records_yields_typed_records(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\n" + "".join(f"Q{i}?,A{i}.\n" for i in range(3)))
    records = list(prep.load_records(source, system="Be brief."))
    assert all(isinstance(r, ChatRecord) for r in records)
    assert records[0].messages[0].role == "system" and records[2].messages[2].content == "A2."
    legacy = tmp_path / "legacy.csv"
    legacy.write_text("prompt,completion\n2+2,4\n")
    assert list(prep.load_records(legacy)) == [CompletionRecord(prompt="2+2", completion="4")]


def test_load_records_names_the_row_and_column_of_a_bad_record(tmp_path):
    source = tmp_path / "faq.csv"
    source.write_text('question,answer\nQ1?,A1.\n"Q2\nspans lines?",\nQ3?,A3.\n')
    with pytest.raises(InputError) as info:
        list(prep.load_records(source))
    assert str(info.value).startswith(f"{source}:3: (column answer) not a valid chat record:")
    assert len(list(prep.load_records(source, skip_invalid=True))) == 2


def test_check_reads_a_dataframe_as_a_table():
    import pandas as pd

    frame = pd.DataFrame({"question": [f"Q{i}?" for i in range(10)], "answer": [f"A{i}." for i in range(9)] + [None]})
    (f,) = prep.check(frame, tokens=False).files
    assert f.format.value == "chat" and f.examples == 10
    assert [(i.code, i.line, i.column) for i in f.issues if i.line] == [("P222", 10, "answer")]


def test_an_output_that_cannot_be_written_is_one_sentence(tmp_path):
    with pytest.raises(InputError, match=r"Cannot write .*/missing/out.jsonl: No such file or directory\."):
        prep.convert(qa_rows(), tmp_path / "missing" / "out.jsonl", tokens=False)
