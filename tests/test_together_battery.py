"""Together's own check battery (54 cases), under Together's profile and under OpenAI's.

The battery records what Together's 2025 client (together 1.5.35) said of each
case. Under ``--target together`` prep applies Together's current documented
rules (targets-2026.md §3); where its verdict differs from the 2025 client's,
`TOGETHER` says why, case by case. Under OpenAI's rules every case also fails
OpenAI's minimum of 10 examples (P401), where Together's minimum is 1; that
file-level rule is left out of that comparison and asserted separately.
"""

from __future__ import annotations

import json

import pytest

import prep
from tests.helpers import DATA

BATTERY = json.loads((DATA / "together" / "together_check_battery.json").read_text())
CASES = {c["id"]: c for c in BATTERY["cases"]}

# case id -> (error codes we report on its lines, the rule that differs when verdicts differ)
EXPECTED: dict[str, tuple[set[str], str | None]] = {
    "valid_general": ({"P304"}, "OpenAI has no plain {text} format; Together's 'general' format is its own"),
    "valid_instruction": ({"P304"}, "OpenAI trains no prompt/completion model since babbage-002 and davinci-002"),
    "valid_instruction_multimodal": (
        {"P112", "P304"},
        "OpenAI's legacy prompt must be a string; Together accepts content parts",
    ),
    "valid_conversational_single_turn": (set(), None),
    "valid_conversational_multiple_turns": (set(), None),
    "valid_conversational_multimodal_single_turn": (
        {"P220"},
        "prep decodes data-URL images; the placeholder 'data:image/jpeg;base64,...' is not base64. "
        "Together checks only the URL prefix",
    ),
    "empty_file": ({"P115"}, None),
    "non_utf8": ({"P101", "P115"}, None),
    "invalid_json_line_is_string": ({"P107", "P304"}, None),
    "missing_required_field": ({"P111", "P304"}, None),
    "inconsistent_dataset_format": ({"P109"}, None),
    "invalid_role": ({"P202", "P204"}, None),
    "non_alternating_roles": ({"P204"}, None),
    "no_assistant_role": ({"P204"}, None),
    "invalid_value_type_text_int": ({"P304"}, None),
    "missing_content_in_message": ({"P222"}, None),
    "wrong_turn_type_string_message": ({"P112", "P222"}, None),
    "extra_column": ({"P304"}, None),
    "empty_messages": ({"P113"}, None),
    "valid_weights_all_messages": (
        {"P210"},
        "OpenAI allows weight on assistant messages only; Together on every message",
    ),
    "valid_weights_mixed_with_none": (
        {"P210"},
        "OpenAI allows weight on assistant messages only; Together on every message",
    ),
    "invalid_weight_float": ({"P210"}, None),
    "invalid_weight_2": ({"P210"}, None),
    "invalid_multimodal_image_url": ({"P207"}, None),
    "pref_valid": (set(), None),
    "pref_missing_input": ({"P111"}, None),
    "pref_missing_preferred_output": ({"P111"}, None),
    "pref_missing_non_preferred_output": ({"P111"}, None),
    "pref_empty_messages": ({"P113"}, None),
    "pref_missing_role_preferred": ({"P227"}, None),
    "pref_missing_role_non_preferred": ({"P227"}, None),
    "pref_missing_content_preferred": ({"P222"}, None),
    "pref_missing_content_non_preferred": ({"P222"}, None),
    "pref_wrong_output_format_preferred": ({"P227"}, None),
    "pref_wrong_output_format_non_preferred": ({"P227"}, None),
    "pref_missing_content": ({"P205"}, None),
    "pref_multiple_preferred_outputs": ({"P227"}, None),
    "pref_multiple_non_preferred_outputs": ({"P227"}, None),
    "pref_empty_preferred_output": ({"P227"}, None),
    "pref_empty_non_preferred_output": ({"P227"}, None),
    "pref_non_string_content_in_messages": ({"P112"}, None),
    "pref_invalid_role_in_messages": ({"P202"}, None),
    "pref_non_alternating_roles": (set(), "OpenAI documents no alternation rule: prep warns (P225); Together rejects"),
    "pref_invalid_weight_type": ({"P210"}, None),
    "pref_invalid_weight_value": ({"P210"}, None),
    "pref_non_dict_message": ({"P112"}, None),
    "pref_non_dict_input": ({"P112"}, None),
    "pref_missing_messages_in_input": ({"P111"}, None),
    "pref_non_assistant_role_in_preferred": ({"P227"}, None),
    "pref_non_assistant_role_in_non_preferred": ({"P227"}, None),
}
# CSV cases: prep converts a table before checking it. A table with no column prep can map to an
# example is an unusable invocation (exit 2, one sentence), not a data verdict.
CSV_EXPECTED: dict[str, tuple[set[str] | None, str | None]] = {
    "csv_empty_file": ({"P115"}, None),
    "csv_valid_completion": ({"P304"}, "OpenAI trains no prompt/completion model any more"),
    "csv_valid_general": (None, "OpenAI has no plain {text} format, so a lone 'text' column maps to no example"),
    "csv_invalid_column_finetune": (None, None),
}
CSV_CASES = sorted(CSV_EXPECTED)
FILE_LEVEL = {"P401"}


def write_case(case, tmp_path):
    path = tmp_path / (case["id"] + (".csv" if case["id"].startswith("csv_") else ".jsonl"))
    if "raw_bytes_hex" in case:
        path.write_bytes(bytes.fromhex(case["raw_bytes_hex"]))
    else:  # as Together's tests write them: no trailing newline
        path.write_text("\n".join(json.dumps(x) for x in case["lines"]))
    return path


def test_the_table_covers_every_case():
    assert set(EXPECTED) | set(CSV_CASES) == set(CASES)
    assert len(CASES) == 54


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_case_under_openai_rules(case_id, tmp_path):
    case = CASES[case_id]
    expected_codes, differs = EXPECTED[case_id]
    (f,) = prep.check(write_case(case, tmp_path)).files
    errors = {i.code for i in f.issues if i.is_error}
    assert errors - FILE_LEVEL == expected_codes
    ours = not (errors - FILE_LEVEL)
    if differs:
        assert ours != case["expect_pass"], f"verdicts now agree; remove the note: {differs}"
    else:
        assert ours == case["expect_pass"]
    if f.examples and f.format is not None:
        assert "P401" in errors  # OpenAI needs 10 examples; every case has fewer
    elif f.examples:
        assert "P304" in errors and "P401" not in errors  # data OpenAI takes none of: counting it is beside the point


@pytest.mark.parametrize("case_id", CSV_CASES)
def test_csv_case_under_openai_rules(case_id, tmp_path, run_prep):
    case = CASES[case_id]
    expected_codes, differs = CSV_EXPECTED[case_id]
    path = write_case(case, tmp_path)
    if expected_codes is None:
        code, out, err = run_prep("check", path)  # columns that fill no record: one issue about the file
        assert (code, err) == (1, "") and f"{path}: P160 " in out and "--map COLUMN=FIELD" in out
        ours = False
    else:
        (f,) = prep.check(path).files
        errors = {i.code for i in f.issues if i.is_error}
        assert errors - FILE_LEVEL == expected_codes
        ours = not expected_codes
    assert (ours != case["expect_pass"]) == bool(differs)


# Under Together's profile: case id -> (error codes, why prep differs from the 2025 client, or None).
TOGETHER: dict[str, tuple[set[str], str | None]] = {
    **{case_id: (codes, None) for case_id, (codes, _) in EXPECTED.items()},
    "valid_general": (set(), None),
    "valid_instruction": (set(), None),
    "valid_instruction_multimodal": (
        {"P220"},
        "prep decodes data-URL images; the placeholder 'data:image/jpeg;base64,...' is not base64",
    ),
    "valid_conversational_multimodal_single_turn": (
        {"P220"},
        "prep decodes data-URL images; the placeholder 'data:image/jpeg;base64,...' is not base64",
    ),
    "invalid_json_line_is_string": ({"P107"}, None),
    "missing_required_field": ({"P111"}, None),
    "inconsistent_dataset_format": ({"P109"}, None),
    "non_alternating_roles": ({"P204", "P235"}, None),
    "invalid_value_type_text_int": ({"P112"}, None),
    "extra_column": (
        set(),
        "the 2025 client rejected any extra column; Together's current docs list no closed key set, "
        "so prep warns (P110) instead",
    ),
    "valid_weights_all_messages": (set(), None),
    "valid_weights_mixed_with_none": (set(), None),
    "invalid_weight_float": ({"P209"}, None),
    "invalid_weight_2": ({"P209"}, None),
    "pref_non_alternating_roles": ({"P235"}, None),
    "pref_invalid_weight_type": ({"P209"}, None),
    "pref_invalid_weight_value": ({"P209"}, None),
}


def test_the_together_table_covers_every_jsonl_case():
    assert set(TOGETHER) == set(EXPECTED)


@pytest.mark.parametrize("case_id", sorted(TOGETHER))
def test_case_under_together_rules(case_id, tmp_path):
    case = CASES[case_id]
    expected_codes, differs = TOGETHER[case_id]
    (f,) = prep.check(write_case(case, tmp_path), target="together").files
    errors = {i.code for i in f.issues if i.is_error}
    assert errors == expected_codes
    if differs:
        assert (not errors) != case["expect_pass"], f"verdicts now agree; remove the note: {differs}"
    else:
        assert (not errors) == case["expect_pass"]
