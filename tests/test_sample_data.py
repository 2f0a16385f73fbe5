"""The bundled sample files: good ones pass, bad ones fail on exactly the lines they were written to fail on."""

from __future__ import annotations

import pytest

import prep
from tests.helpers import REPO

SAMPLES = REPO / "sample_data"

GOOD = sorted(p.name for p in SAMPLES.glob("*_good.jsonl"))

# line -> code, for every line-level issue in each bad file (file-level issues separately; P121 names the method of
# preference and reinforcement data checked without --method)
BAD = {
    "chat_bad.jsonl": (
        {
            2: "P110",
            3: "P201",
            4: "P202",
            5: "P203",
            6: "P204",
            7: "P205",
            8: "P206",
            9: "P209",
            10: "P210",
            11: "P208",
            12: "P211",
            13: "P213",
            14: "P215",
            15: "P217",
            16: "P221",
            17: "P106",
            18: "P103",
            19: "P107",
            20: "P109",
            21: "P108",
            22: "P403",
            23: "P222",
        },
        {"P402"},
    ),
    # and prepare_data's recommendations, as prep convert gives them (a long separator, no stop sequence, no space)
    "completion_bad.jsonl": ({2: "P112", 3: "P206", 4: "P110", 5: "P111", 6: "P239"}, {"P451", "P452", "P453"}),
    "preference_bad.jsonl": (
        {2: "P228", 3: "P227", 4: "P227", 5: "P229", 6: "P230", 7: "P203", 8: "P112"},
        {"P401", "P121"},
    ),
    "reinforcement_bad.jsonl": ({2: "P203", 3: "P231", 4: "P206", 5: "P113"}, {"P401", "P118", "P121"}),
    "text_bad.jsonl": ({2: "P112", 3: "P206", 4: "P110", 5: "P109"}, set()),
    # the other targets' formats (tests/make_native_samples.py writes them; sample_data/prep.toml names the target)
    "vertex_bad.jsonl": (
        {2: "P241", 3: "P239", 4: "P243", 5: "P245", 6: "P231", 7: "P217", 8: "P110", 9: "P207", 10: "P206"},
        {"P402"},
    ),
    "vertex-preference_bad.jsonl": ({2: "P227", 3: "P242", 4: "P231", 5: "P207", 6: "P230"}, {"P402", "P121"}),
    "vertex-reinforcement_bad.jsonl": ({2: "P112", 3: "P231", 4: "P111"}, {"P402", "P121"}),
    "nova_bad.jsonl": (
        {
            2: "P248",
            3: "P235",
            4: "P235",
            5: "P231",
            6: "P239",
            7: "P243",
            8: "P220",
            9: "P218",
            10: "P217",
            12: "P409",
            13: "P410",
            14: "P110",
        },
        set(),
    ),
    "nova-preference_bad.jsonl": (
        {2: "P227", 3: "P242", 4: "P217", 5: "P109", 6: "P230", 7: "P244", 8: "P248"},
        {"P121"},
    ),
    "trl-preference_bad.jsonl": ({2: "P112", 3: "P230", 4: "P231", 5: "P229", 6: "P241", 7: "P110"}, {"P121"}),
}


@pytest.mark.parametrize("name", GOOD)
def test_good_samples_pass_cleanly(name, run_prep):
    code, out, _ = run_prep("check", SAMPLES / name)
    assert code == 0, out
    assert out.endswith("ok: 1 file(s), 0 error(s), 0 warning(s)\n")


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_samples_fail_on_every_bad_line_and_nowhere_else(name, run_prep):
    lines, file_codes = BAD[name]
    code, out, _ = run_prep("check", SAMPLES / name)
    assert code == 1
    (f,) = prep.check_project([str(SAMPLES / name)], {}).report.files  # as `prep check`: with sample_data/prep.toml
    assert {i.line: i.code for i in f.issues if i.line is not None} == lines
    if name.startswith(("vertex", "nova", "trl")):  # one fault a line, and nothing else on it
        assert sorted((i.line, i.code) for i in f.issues if i.line is not None) == sorted(lines.items())
    assert {i.code for i in f.issues if i.line is None} == file_codes
    for line, issue_code in lines.items():
        assert f"{name}:{line}: {issue_code} " in out


def test_the_native_samples_are_what_their_script_writes():
    from tests.make_native_samples import samples

    for name, data in samples().items():
        assert (SAMPLES / name).read_bytes() == data, f"run: python -m tests.make_native_samples ({name})"


def test_every_format_has_a_good_and_a_bad_sample():
    for fmt in prep.DataFormat:
        assert (SAMPLES / f"{fmt.value}_good.jsonl").is_file()
        assert (SAMPLES / f"{fmt.value}_bad.jsonl").is_file()


def test_the_cookbook_sample_fails_only_for_having_five_examples():
    from tests.helpers import COOKBOOK_TOY

    (f,) = prep.check(COOKBOOK_TOY).files
    assert [(i.code, i.line) for i in f.issues if i.is_error] == [("P401", None)]
    assert f.examples == 5 and "File has 5 example(s)" in f.issues[0].message
    assert all(not i.is_error for i in f.issues if i.line is not None)
