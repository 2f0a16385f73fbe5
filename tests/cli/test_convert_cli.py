"""prep convert and prep check on spreadsheets and JSON, end to end through the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import textwrap

import pytest

from tests.helpers import REPO
from tests.make_samples import faq_csv, legacy_products_csv, legacy_sentiment_csv, write_tickets
from tests.xlsx_support import add_cached_values

SAMPLES = REPO / "sample_data"
SYSTEM = "You are Acme's support assistant."


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def chat(user, assistant, system=None):
    messages = [{"role": "system", "content": system}] if system else []
    return {"messages": [*messages, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


# -- a real workbook converts to exactly the hand-written records ---------------------------

FAQ_ROWS = [
    # instruction, input, output (a value, or (formula, value Excel saved))
    ("How many days do I have to return an item?", None, 30),
    ("When does the spring sale start?", None, dt.date(2024, 3, 1)),
    ("What is the restocking fee?", None, 0.15),
    ("Translate to French.", "Thank you", "Merci"),
    ("What is 2 + 2?", None, ("=2+2", 4)),
    ("Where is order 1042?", None, ('="Order "&1042&" has shipped."', "Order 1042 has shipped.")),
    ("When does the store open on Sundays?", None, dt.time(10, 0)),
    ("Summarise: the tent is light, warm and cheap.", None, "A light, warm, cheap tent."),
    ("Which plan is the cheapest?", None, "Basic, at 5 euros a month."),
    ("Do you ship to Norway?", None, "Not yet; we ship to the EU, the UK and Canada."),
    ("Say hello.", None, "Hello!"),
]

FAQ_JSONL = textwrap.dedent("""\
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "How many days do I have to return an item?"}, {"role": "assistant", "content": "30"}]}
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "When does the spring sale start?"}, {"role": "assistant", "content": "2024-03-01"}]}
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "What is the restocking fee?"}, {"role": "assistant", "content": "15%"}]}
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "Translate to French.\\n\\nThank you"}, {"role": "assistant", "content": "Merci"}]}
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4"}]}
    {"messages": [{"role": "system", "content": "You are Acme's support assistant."}, {"role": "user", "content": "Where is order 1042?"}, {"role": "assistant", "content": "Order 1042 has shipped."}]}
    {"messages": [{"role": "user", "content": "When does the store open on Sundays?"}, {"role": "assistant", "content": "10:00"}]}
    {"messages": [{"role": "user", "content": "Summarise: the tent is light, warm and cheap."}, {"role": "assistant", "content": "A light, warm, cheap tent."}]}
    {"messages": [{"role": "user", "content": "Which plan is the cheapest?"}, {"role": "assistant", "content": "Basic, at 5 euros a month."}]}
    {"messages": [{"role": "user", "content": "Do you ship to Norway?"}, {"role": "assistant", "content": "Not yet; we ship to the EU, the UK and Canada."}]}
    {"messages": [{"role": "user", "content": "Say hello."}, {"role": "assistant", "content": "Hello!"}]}
""")


def write_faq_workbook(path, rows=FAQ_ROWS):
    """The FAQ as a person would keep it in Excel: the system prompt merged down the rows it applies to,
    numbers, dates, a percentage, formulas with their saved values, empty cells, and a notes sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "FAQ"
    sheet.append(["System", "Instruction", "Input", "Output"])
    cached = {}
    for r, (instruction, extra, output) in enumerate(rows, 2):
        if isinstance(output, tuple):
            output, cached[f"D{r}"] = output
        sheet.append([None, instruction, extra, output])
    sheet["A2"] = SYSTEM
    sheet.merge_cells("A2:A7")
    sheet["D3"].number_format = "yyyy-mm-dd"
    sheet["D4"].number_format = "0%"
    sheet["D8"].number_format = "h:mm"
    book.create_sheet("Notes").append(["Ask legal before changing the refund answer."])
    book.save(path)
    add_cached_values(path, {"FAQ": cached})
    return path


def test_xlsx_converts_to_exactly_the_hand_written_records(tmp_path, run_prep):
    source = write_faq_workbook(tmp_path / "faq.xlsx")
    before = sha(source)
    out = tmp_path / "faq.jsonl"
    code, stdout, stderr = run_prep("convert", source, "-o", out)
    assert code == 0, stdout + stderr
    assert records(out) == [json.loads(line) for line in FAQ_JSONL.splitlines()]
    assert "P157" in stdout and "'Notes'" in stdout  # the other sheet is reported
    assert f"prep: wrote 11 record(s) to {out}." in stderr
    assert sha(source) == before


def test_csv_saved_by_a_spreadsheet_converts_to_exactly_the_hand_written_records(tmp_path, run_prep):
    source = tmp_path / "faq.csv"
    source.write_bytes(
        b"\xef\xbb\xbfquestion,answer\r\n"
        b'"Which payment methods do you accept?","We accept:\n- Visa\n- PayPal"\r\n'
        b'"What does ""back-ordered"" mean?","Out of stock, for now."\r\n'
        + b"".join(f"Question {i}?,Answer {i}.\r\n".encode() for i in range(8))
        + "Ça va ?,Très bien.\r\n".encode()
    )
    expected = [
        chat("Which payment methods do you accept?", "We accept:\n- Visa\n- PayPal"),
        chat('What does "back-ordered" mean?', "Out of stock, for now."),
        *(chat(f"Question {i}?", f"Answer {i}.") for i in range(8)),
        chat("Ça va ?", "Très bien."),
    ]
    before = sha(source)
    out = tmp_path / "faq.jsonl"
    code, stdout, stderr = run_prep("convert", source, "-o", out)
    assert code == 0, stdout + stderr
    assert records(out) == expected
    assert sha(source) == before


def test_utf16_tab_separated_export(tmp_path, run_prep):
    source = tmp_path / "export.txt"  # Excel's "Unicode Text" is UTF-16 with tabs, saved as .txt
    source.write_bytes(("question\tanswer\r\n" + "".join(f"Q{i}?\tA{i}.\r\n" for i in range(10))).encode("utf-16"))
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = run_prep("convert", source, "-o", out, "--no-tokens")
    assert code == 0, stdout + stderr
    assert records(out)[9] == chat("Q9?", "A9.")


# -- bad rows: each reported on its row and column; inputs untouched -------------------------


def test_each_bad_row_is_reported_with_its_row_and_column(tmp_path, run_prep):
    rows = list(FAQ_ROWS)
    rows[1] = ("When does the spring sale start?", None, None)  # row 3: empty reply
    rows[4] = ("What is 2 + 2?", None, "=2+2")  # row 6: a formula nobody calculated
    rows[7] = ("Summarise <|endoftext|>", None, "Done.")  # row 9: a special token
    source = write_faq_workbook(tmp_path / "bad.xlsx", rows)
    before = sha(source)
    code, stdout, _ = run_prep("check", source, "--no-tokens")
    assert code == 1
    assert (
        f"{source}:3: P222 Assistant message has no content, tool_calls or function_call. (sheet FAQ, column Output, /messages/2/content)"
        in stdout
    )
    assert f"{source}:6: P152 Formula =2+2 has no saved value" in stdout
    assert f"{source}:6: P222" not in stdout  # the reply is missing because of the formula: said once
    assert f"{source}:9: P221 " in stdout and "(sheet FAQ, column Instruction, /messages/0/content)" in stdout
    code, stdout, _ = run_prep("check", source, "--no-tokens", "--format", "json")
    issues = json.loads(stdout)["files"][0]["issues"]
    placed = {(i["code"], i["line"], i.get("sheet"), i.get("column")) for i in issues}
    assert {("P222", 3, "FAQ", "Output"), ("P152", 6, "FAQ", "Output"), ("P221", 9, "FAQ", "Instruction")} <= placed
    out = tmp_path / "out.jsonl"
    code, _, stderr = run_prep("convert", source, "-o", out, "--no-tokens")
    assert code == 1 and not out.exists() and "did not write" in stderr
    code, _, stderr = run_prep("convert", source, "-o", out, "--no-tokens", "--force")
    assert code == 1 and len(records(out)) == 8 and "leaving out 3 row(s) with errors" in stderr
    assert sha(source) == before


def test_csv_rows_are_reported_on_their_first_physical_line(tmp_path, run_prep):
    source = tmp_path / "bad.csv"
    source.write_bytes(
        b'question,answer\r\n"A question\r\non two lines",\r\nHi,"Hello, there",oops\r\nQ,"never closed\r\nZ,z\r\n'
    )
    before = sha(source)
    code, stdout, _ = run_prep("check", source, "--no-tokens")
    assert code == 1
    assert f"{source}:2: P222 " in stdout and "(column answer, /messages/1/content)" in stdout
    assert f"{source}:4: P150 Row has 3 cells, but the header names 2 columns" in stdout and "(column C)" in stdout
    assert f"{source}:5: P155 A quoted cell that starts on line 5 is never closed" in stdout
    assert sha(source) == before


def test_a_file_in_another_encoding_is_one_clear_sentence(tmp_path, run_prep):
    source = tmp_path / "latin.csv"
    source.write_bytes("question,answer\nCafé?,Oui.\n".encode("cp1252"))
    code, stdout, stderr = run_prep("convert", source, "-o", tmp_path / "out.jsonl")
    assert code == 2 and stdout == ""
    assert stderr.startswith("prep: error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr
    assert "--input-encoding" in stderr
    code, _, _ = run_prep(
        "convert", source, "-o", tmp_path / "out.jsonl", "--input-encoding", "cp1252", "--force", "--no-tokens"
    )
    assert records(tmp_path / "out.jsonl") == [chat("Café?", "Oui.")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "nope=user"], "--map names the column 'nope', but"),
        (["--map", "question"], "'question' is not COLUMN=FIELD"),
        (["--sheet", "Data"], "has no sheet named 'Data'"),
        (["--to", "chat", "--apply"], "--apply applies the legacy prompt/completion recommendations"),
    ],
)
def test_bad_invocations_exit_2_with_one_sentence(tmp_path, run_prep, args, message):
    source = tmp_path / "faq.xlsx" if "--sheet" in args else tmp_path / "faq.csv"
    if source.suffix == ".xlsx":
        write_faq_workbook(source)
    else:
        source.write_text("question,answer\nQ,A\n")
    code, stdout, stderr = run_prep("convert", source, "-o", tmp_path / "out.jsonl", *args)
    assert code == 2, stdout + stderr
    assert message in stderr and "Traceback" not in stderr


def test_unclear_columns_and_the_input_as_output(tmp_path, run_prep):
    source = tmp_path / "data.csv"
    source.write_text("question,query,answer\nQ,Q,A\n")
    code, _, stderr = run_prep("convert", source, "-o", tmp_path / "out.jsonl")
    assert code == 2
    assert stderr == (
        "prep: error: Columns 'question' and 'query' of " + str(source) + " could both be the user "
        "field; choose with --map, e.g. --map question=user --map query=ignore (columns found: "
        "'question', 'query', 'answer').\n"
    )
    code, _, stderr = run_prep("convert", source, "-o", source, "--map", "query=ignore")
    assert code == 2 and "prep never writes to its input" in stderr
    code, _, stderr = run_prep("check", tmp_path / "missing.csv")
    assert code == 2 and "no such file" in stderr


# -- legacy prompt/completion data: every recommendation, and --apply -------------------------


def test_a_legacy_file_gets_every_recommendation(tmp_path, run_prep):
    source = tmp_path / "legacy.csv"
    source.write_bytes(legacy_products_csv())
    code, stdout, _ = run_prep("convert", source, "-o", tmp_path / "out.jsonl", "--no-tokens", "--format", "json")
    issues = json.loads(stdout)["files"][0]["issues"]
    found = {(i["code"], i["line"]) for i in issues}
    # separator, leading whitespace, stop sequence, instruction prefix, completion prefix (whole file)
    assert {("P450", None), ("P452", None), ("P453", None), ("P456", None), ("P457", None)} <= found
    # a duplicate, an empty completion, a very long example (on their rows)
    assert {("P403", 14), ("P206", 15), ("P350", 16)} <= found
    assert code == 1  # the empty completion is an error

    source = tmp_path / "sentiment.csv"
    source.write_bytes(legacy_sentiment_csv())
    code, stdout, _ = run_prep("convert", source, "-o", tmp_path / "out.jsonl", "--no-tokens", "--format", "json")
    codes = {i["code"] for i in json.loads(stdout)["files"][0]["issues"]}
    assert {"P459", "P458", "P450", "P452"} <= codes and "P453" not in codes  # classification: no stop sequence


def test_apply_writes_fixed_records_that_pass_check(tmp_path, run_prep):
    source = tmp_path / "legacy.csv"
    source.write_bytes(legacy_products_csv())
    before = sha(source)
    out = tmp_path / "prepared.jsonl"
    code, stdout, stderr = run_prep("convert", source, "-o", out, "--apply", "--target", "together")
    assert code == 0, stdout + stderr
    assert stdout.count(": P460 Applied ") == 8
    assert "Applied P403: removed 1 duplicate row(s) (line(s) 14)." in stdout
    assert records(out)[0] == {
        "prompt": "trail running shoes ->",
        "completion": " Light trail running shoes with a grippy sole for muddy paths.\n",
    }
    code, stdout, _ = run_prep("check", out, "--target", "together")
    assert code == 0, stdout
    code, stdout, _ = run_prep("convert", out, "-o", tmp_path / "again.jsonl", "--no-tokens", "--format", "json")
    assert not [i for i in json.loads(stdout)["files"][0]["issues"] if i["code"].startswith("P45")]
    assert sha(source) == before


def test_to_chat_from_the_cli(tmp_path, run_prep):
    source = tmp_path / "legacy.jsonl"
    source.write_text(
        "".join(json.dumps({"prompt": f"Q{i}\n\n###\n\n", "completion": f" A{i}\n"}) + "\n" for i in range(10))
    )
    out = tmp_path / "chat.jsonl"
    code, stdout, stderr = run_prep("convert", source, "-o", out, "--to", "chat", "--system", "Be brief.")
    assert code == 0, stdout + stderr
    assert records(out)[3] == chat("Q3", "A3", "Be brief.")
    assert "P159 Converted prompt/completion records to chat" in stdout
    code, _, stderr = run_prep("convert", source, "-o", out, "--system", "Be brief.")
    assert code == 2 and "convert them with --to chat" in stderr


def test_bom_for_azure(tmp_path, run_prep):
    out = tmp_path / "azure.jsonl"
    code, _, _ = run_prep("convert", SAMPLES / "faq.csv", "-o", out, "--bom", "--no-tokens")
    assert code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_json_inputs(tmp_path, run_prep):
    array = tmp_path / "alpaca.json"
    array.write_text(
        json.dumps([{"instruction": f"Say {i}", "input": "", "output": f"{i}"} for i in range(10)], indent=2)
    )
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = run_prep("convert", array, "-o", out, "--no-tokens")
    assert code == 0, stdout + stderr
    assert records(out)[1] == chat("Say 1", "1")
    lines = tmp_path / "lines.json"  # JSON Lines saved as .json: checked as JSONL, CRLF and all
    lines.write_bytes(b"".join(json.dumps(chat(f"Q{i}", f"A{i}")).encode() + b"\r\n" for i in range(10)))
    code, stdout, _ = run_prep("check", lines, "--no-tokens")
    assert code == 0 and f"{lines}: P104 All 10 lines end with CRLF" in stdout


# -- samples, help, and a light JSONL check ------------------------------------------------


def test_samples_hold_what_the_generator_writes(tmp_path):
    import openpyxl

    assert (SAMPLES / "faq.csv").read_bytes() == faq_csv()
    assert (SAMPLES / "legacy_products.csv").read_bytes() == legacy_products_csv()
    assert (SAMPLES / "legacy_sentiment.csv").read_bytes() == legacy_sentiment_csv()
    fresh = tmp_path / "tickets.xlsx"
    write_tickets(fresh)

    def cells(path, data_only):
        book = openpyxl.load_workbook(path, data_only=data_only)
        return {s.title: [[c.value for c in row] for row in s.iter_rows()] for s in book.worksheets}

    for data_only in (True, False):
        assert cells(SAMPLES / "support_tickets.xlsx", data_only) == cells(fresh, data_only)


def test_the_samples_convert(tmp_path, run_prep):
    out = tmp_path / "tickets.jsonl"
    code, stdout, stderr = run_prep(
        "convert",
        SAMPLES / "support_tickets.xlsx",
        "-o",
        out,
        "--sheet",
        "Tickets",
        "--map",
        "Customer message=user",
        "--map",
        "Agent reply=assistant",
    )
    assert code == 0, stdout + stderr
    tickets = records(out)
    assert len(tickets) == 12 and all(r["messages"][0]["role"] == "system" for r in tickets)
    assert tickets[1]["messages"][2]["content"] == (
        "Your refund was issued on 2024-03-05; it reaches your card within 5 business days."
    )
    code, stdout, stderr = run_prep("check", SAMPLES / "faq.csv")
    assert code == 0, stdout + stderr
    code, stdout, stderr = run_prep(
        "check",
        SAMPLES / "support_tickets.xlsx",
        "--sheet",
        "Tickets",
        "--map",
        "Customer message=user",
        "--map",
        "Agent reply=assistant",
    )
    assert code == 0, stdout + stderr
    assert "support_tickets.xlsx: chat, 12 example(s), ok" in stdout


def test_commands_have_help(run_prep):
    for command in ("check", "convert"):
        code, stdout, _ = run_prep(command, "--help")
        assert code == 0 and "--map COLUMN=FIELD" in stdout and "--sheet" in stdout


def test_checking_jsonl_imports_no_spreadsheet_or_publishing_library(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(chat("Hi", "Hello")) + "\n")
    script = (
        "import sys; from prep.cli import main; code = main(['check', '--no-tokens', sys.argv[1]]); "
        "heavy = sorted(m for m in ('pandas', 'openpyxl', 'openai', 'wandb', 'numpy', 'pydantic') if m in sys.modules); "
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=False)
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_a_messages_column_and_a_mix_of_files(tmp_path, run_prep, write_jsonl):
    conversation = json.dumps([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}])
    source = tmp_path / "conversations.csv"
    rows = [f'"{conversation.replace(chr(34), chr(34) * 2)}"' for _ in range(10)] + ["\"[{'role': 'user'}]\""]
    source.write_text("system,messages\r\n" + "".join(f"Be kind.,{r}\r\n" for r in rows))
    jsonl = write_jsonl([chat("Hi", "Hello")] * 10)
    code, stdout, _ = run_prep("check", jsonl, source, "--no-tokens")
    assert code == 1
    assert f"{source}:12: P156 Cell should hold a messages array as JSON, but it is not valid JSON" in stdout
    assert "(column messages, /messages)" in stdout
    assert f"{jsonl}: chat, 10 example(s), ok" in stdout
    out = tmp_path / "out.jsonl"
    run_prep("convert", source, "-o", out, "--force", "--no-tokens")
    assert records(out)[0] == chat("Hi", "Hello", "Be kind.")


# -- sheets without a header row ------------------------------------------------------------------


def test_a_sheet_without_a_header_row_is_mapped_by_column_letter(tmp_path, run_prep):
    source = tmp_path / "faq.csv"
    source.write_text("".join(f"Question {i}?,Answer {i}.\n" for i in range(10)))
    out = tmp_path / "faq.jsonl"
    code, _, err = run_prep(
        "convert", source, "-o", out, "--no-tokens", "--no-header", "--map", "A=user", "--map", "B=assistant"
    )
    assert code == 0, err
    assert records(out)[0] == chat("Question 0?", "Answer 0.") and len(records(out)) == 10
    code, stdout, _ = run_prep("check", "--no-tokens", source)  # read with a header, the first row names the columns
    assert code == 1 and "P160" in stdout and "(or, if the first row is data, add --no-header)" in stdout
    (tmp_path / "prep.toml").write_text('header = false\nmap = {A = "user", B = "assistant"}\n')
    code, stdout, _ = run_prep("check", "--no-tokens", source)
    assert code == 0 and f"{source}: chat, 10 example(s), ok" in stdout
