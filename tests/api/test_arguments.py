"""Typed keyword arguments, one name for one thing, strings that mean what they say, and old names that still work."""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import pytest

import prep
from prep.project.arguments import CHECK_ARGUMENTS, TABLE_ARGUMENTS
from prep.project.converting import CONVERT_ARGUMENTS
from tests.helpers import REPO, chat

BAD = REPO / "sample_data" / "chat_bad.jsonl"
FUNCTIONS = [getattr(prep, name) for name in prep.__all__ if inspect.isfunction(getattr(prep, name, None))]


def test_no_public_function_takes_arbitrary_keywords():
    assert {f.__name__ for f in FUNCTIONS} >= {"check", "convert", "split", "publish", "load_records", "count_tokens"}
    for function in FUNCTIONS:
        kinds = {p.kind for p in inspect.signature(function).parameters.values()}
        assert inspect.Parameter.VAR_KEYWORD not in kinds, function.__name__


@pytest.mark.parametrize("function", [prep.check, prep.convert, prep.split])
def test_every_option_of_a_check_is_a_keyword_of_check_convert_and_split(function):
    parameters = inspect.signature(function).parameters
    assert set(CHECK_ARGUMENTS) | set(TABLE_ARGUMENTS) <= set(parameters)
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in CHECK_ARGUMENTS)
    assert ("check_options" in parameters and "table" in parameters) or function is prep.convert


def test_convert_takes_every_conversion_option_and_the_option_objects_by_their_names():
    parameters = inspect.signature(prep.convert).parameters
    assert set(CONVERT_ARGUMENTS) | {"convert_options", "check_options"} <= set(parameters)
    assert "check_options" in inspect.signature(prep.publish).parameters


def test_a_misspelt_keyword_fails_the_type_checker(tmp_path):
    from mypy import api

    script = tmp_path / "notebook.py"
    script.write_text(
        "import prep\n"
        'prep.check("x.jsonl", modle="gpt-4o")\n'
        'prep.convert("x.csv", sytem="Be brief.")\n'
        'prep.split("x.jsonl", valid_fractoin=0.2)\n'
        'prep.check("x.jsonl", model="gpt-4o", ignore="P402", method="dpo")\n'
    )
    out, _, _ = api.run(["--cache-dir", str(tmp_path / "cache"), "--follow-imports=silent", str(script)])
    errors = [line.split(": error: ")[1] for line in out.splitlines() if ": error: " in line]
    assert errors == [
        'Unexpected keyword argument "modle" for "check"; did you mean "model"?  [call-arg]',
        'Unexpected keyword argument "sytem" for "convert"; did you mean "system"?  [call-arg]',
        'Unexpected keyword argument "valid_fractoin" for "split"; did you mean "valid_fraction"?  [call-arg]',
    ]


def test_a_misspelt_keyword_is_a_type_error_when_run():
    with pytest.raises(TypeError, match="modle"):
        prep.check(BAD, modle="gpt-4o")  # type: ignore[call-arg]


# -- strings mean what they say -------------------------------------------------------------------------------------


def codes(report):
    return {i.code for i in report.issues}


def test_ignore_takes_one_code_as_a_string_not_its_characters():
    everything = codes(prep.check(BAD, isolated=True, tokens=False))
    assert codes(prep.check(BAD, isolated=True, tokens=False, ignore="P402")) == everything - {"P402"}
    assert codes(prep.check(BAD, isolated=True, tokens=False, ignore="p402, P403")) == everything - {"P402", "P403"}
    assert codes(prep.check(BAD, isolated=True, tokens=False, ignore=["P2"])) == {c for c in everything if c[1] != "2"}


def test_select_reports_only_the_codes_it_names():
    assert codes(prep.check(BAD, isolated=True, tokens=False, select="P201,P4")) == {"P201", "P402", "P403"}
    with pytest.raises(prep.UsageError) as raised:
        prep.check(BAD, isolated=True, select="P9")
    assert str(raised.value) == (
        "Unknown issue code 'P9' in select; use codes such as P402 or prefixes such as P4 (prep rule lists them)."
    )


def test_severity_gives_a_code_another_severity():
    report = prep.check(BAD, isolated=True, tokens=False, severity={"p402": "Error"})
    (issue,) = (i for i in report.issues if i.code == "P402")
    assert issue.severity is prep.Severity.ERROR and report.count(prep.Severity.WARNING) == 4


@pytest.mark.parametrize(
    ("kind", "value", "member"),
    [
        (prep.DataFormat, "Chat", prep.DataFormat.CHAT),
        (prep.Method, "DPO", prep.Method.DPO),
        (prep.FileType, " XLSX", prep.FileType.XLSX),
        (prep.Severity, "Warning", prep.Severity.WARNING),
    ],
)
def test_string_enums_take_any_case(kind, value, member):
    assert kind(value) is member


def test_an_unknown_choice_is_a_usage_error_naming_the_choices(write_jsonl):
    with pytest.raises(prep.UsageError) as raised:
        prep.check([chat()], data_format="chats")
    assert str(raised.value) == (
        "Unknown data format 'chats'; choose one of: chat, completion, preference, reinforcement, text, vertex, "
        "vertex-preference, vertex-reinforcement, nova, nova-preference, trl-preference."
    )
    with pytest.raises(
        prep.UsageError, match=r"^Unknown method 'sft'; choose one of: supervised, dpo, reinforcement\.$"
    ):
        prep.check(write_jsonl([chat()]), method="sft")
    assert prep.check([chat()] * 10, method="Supervised", tokens=False).files[0].format is prep.DataFormat.CHAT


# -- records, one record, DataFrames --------------------------------------------------------------------------------


def test_one_record_is_an_error_that_says_to_pass_a_list():
    with pytest.raises(prep.UsageError) as raised:
        prep.check(chat())
    assert str(raised.value) == (
        "prep.check takes a list of records, and was given one record; pass it in a list: [record]."
    )
    with pytest.raises(prep.UsageError, match=r"^prep.split takes a list of records"):
        prep.split(chat())


# -- the old names ---------------------------------------------------------------------------------------------------


def test_the_old_names_still_work_and_say_their_new_name(tmp_path):
    with pytest.warns(
        DeprecationWarning,
        match=r"prep\.check\(options=\.\.\.\) is deprecated; use prep\.check\(check_options=\.\.\.\)",
    ):
        old = prep.check(BAD, isolated=True, options=prep.CheckOptions(tokens=False, ignore=frozenset({"P402"})))
    assert codes(old) == codes(
        prep.check(BAD, isolated=True, check_options=prep.CheckOptions(tokens=False), ignore="P402")
    )
    rows = [{"question": "Hi", "answer": "Hello"}]
    with pytest.warns(DeprecationWarning, match=r"use prep\.convert\(convert_options=\.\.\.\)"):
        result = prep.convert(rows, options=prep.ConvertOptions(system="Be brief."), tokens=False)
    assert result.records[0]["messages"][0] == {"role": "system", "content": "Be brief."}
    with pytest.warns(DeprecationWarning, match=r"use prep\.convert\(check_options=\.\.\.\)"):
        result = prep.convert(rows, check=prep.CheckOptions(ignore=frozenset({"P401"})), tokens=False)
    assert "P401" not in codes(result.report)
    with pytest.warns(DeprecationWarning, match=r"use prep\.count_tokens\(data_format=\.\.\.\)"):
        assert prep.count_tokens(chat(), fmt="chat") == prep.count_tokens(chat(), data_format="chat")


def test_the_new_names_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prep.check(BAD, isolated=True, check_options=prep.CheckOptions(tokens=False))
        prep.convert([{"question": "Hi", "answer": "Hello"}], convert_options=prep.ConvertOptions(), tokens=False)


def test_option_objects_and_keywords_together_keywords_win(tmp_path: Path):
    report = prep.check(BAD, isolated=True, check_options=prep.CheckOptions(tokens=False, model="gpt-4o"), tokens=True)
    assert report.files[0].budget is not None and report.files[0].budget.model == "gpt-4o-2024-08-06"


# -- contradictions --------------------------------------------------------------------------------------------------


def test_a_method_and_a_data_format_that_contradict_each_other_are_one_sentence():
    with pytest.raises(prep.UsageError) as raised:
        prep.check(BAD, isolated=True, method="dpo", data_format="chat")
    assert str(raised.value) == (
        "--method dpo and --data-format chat contradict each other: dpo training takes preference data; "
        "give one of the two."
    )


def test_a_configuration_and_isolated_contradict_each_other(tmp_path):
    (tmp_path / "prep.toml").write_text("")
    with pytest.raises(prep.UsageError, match=r"^--config and --isolated contradict each other"):
        prep.check(BAD, config=tmp_path / "prep.toml", isolated=True)


def test_an_unknown_encoding_fails_before_anything_is_read(tmp_path):
    never = tmp_path / "never.jsonl"
    never.write_bytes(b"\xff not even json\n")
    with pytest.raises(prep.UsageError, match=r"^Unknown encoding 'o300k' \(--encoding\); tiktoken knows: cl100k_base"):
        prep.check(never, isolated=True, encoding="o300k", stats=False)
