"""--help in groups with examples last, --version with the rules' date, contradictions before checking, completion."""

from __future__ import annotations

import re

import click
import pytest

import prep
from prep.cli.help import CHECK_GROUPS, CONVERT_GROUPS, _name
from prep.cli.main import cli
from tests.helpers import REPO

SAMPLES = REPO / "sample_data"
README = (REPO / "README.md").read_text()


@pytest.mark.parametrize(("command", "groups"), [("check", CHECK_GROUPS), ("convert", CONVERT_GROUPS)])
def test_every_option_is_in_a_group(command, groups):
    options = {_name(p) for p in cli.commands[command].params if isinstance(p, click.Option)} - {"--help"}
    grouped = [name for _, names in groups for name in names]
    assert len(grouped) == len(set(grouped)), "an option is in two groups"
    assert options - set(grouped) == set(), f"add these options of prep {command} to a group in prep/cli/help.py"
    assert set(grouped) - options == set(), "prep/cli/help.py names options the command does not have"


def test_check_help_shows_the_groups_in_order_then_the_examples(run_prep, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    code, out, _ = run_prep("check", "--help")
    headings = re.findall(r"^(\S[^:\n]*):$", out, re.M)
    assert code == 0
    assert headings == [
        "Input options",
        "Target and model options",
        "Output options",
        "Project options",
        "Other options",
        "Examples",
    ]
    options = out[out.index("Input options:") :]
    assert options.index("--valid FILE") < options.index("--file-type")  # the most used first
    assert options.index("--target TEXT") < options.index("--model TEXT") < options.index("--tiktoken-dir")
    examples = out[out.index("Examples:") :].splitlines()[1:]
    assert examples[0].strip() == "prep check train.jsonl" and all(
        line.startswith(("  prep", "  cat")) for line in examples
    )


def test_the_version_names_the_date_of_the_rules(run_prep):
    from prep.targets.loader import available_targets

    assert all(prep.load_target(name).researched is not None for name in available_targets())
    code, out, _ = run_prep("--version")
    assert (code, out) == (
        0,
        f"prep, version {prep.__version__}\n"
        f"rules data: target profiles researched on 2026-11-30 ({', '.join(available_targets())})\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--isolated", "--method", "dpo", "--data-format", "chat"),
            "--method dpo and --data-format chat contradict each other: dpo training takes preference data; "
            "give one of the two.",
        ),
        (
            ("--config", SAMPLES / "prep.toml", "--isolated"),
            "--config and --isolated contradict each other (--config names the configuration to use, --isolated "
            "uses none); give one of the two.",
        ),
        (
            ("--isolated", "--encoding", "o300k", "--no-stats"),
            "Unknown encoding 'o300k' (--encoding); tiktoken knows: cl100k_base, gpt2, o200k_base, o200k_harmony, "
            "p50k_base, p50k_edit, r50k_base.",
        ),
    ],
)
def test_options_that_cannot_go_together_stop_before_checking(run_prep, args, message):
    code, out, err = run_prep("check", SAMPLES / "chat_good.jsonl", *args)
    assert (code, out, err) == (2, "", f"prep: error: {message}\n")


def complete(monkeypatch, capsys, words, shell="bash"):
    from prep.cli.main import main

    monkeypatch.setenv("_PREP_COMPLETE", f"{shell}_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    assert main([]) == 0
    return [line.split(",", 1)[1] for line in capsys.readouterr().out.splitlines()]


def test_model_names_complete_from_the_profiles(monkeypatch, capsys):
    assert complete(monkeypatch, capsys, "prep check --model gpt-4.1-n") == ["gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"]
    together = complete(monkeypatch, capsys, "prep check --target together --model Qwen/Qwen3")
    assert together and all(name.startswith("Qwen/Qwen3") for name in together)
    assert prep.load_target("together").models.keys() >= set(together) - {
        a for m in prep.load_target("together").models.values() for a in m.aliases
    }


def test_target_names_complete_one_after_another(monkeypatch, capsys):
    assert complete(monkeypatch, capsys, "prep check --target fi") == ["fireworks"]
    assert complete(monkeypatch, capsys, "prep check --target openai,a") == ["openai,azure", "openai,all"]


def test_codes_complete_for_rule_and_select(monkeypatch, capsys):
    assert complete(monkeypatch, capsys, "prep rule P10") == [f"P10{i}" for i in range(1, 10)]
    assert complete(monkeypatch, capsys, "prep check x.jsonl --select p45") == [f"P45{i}" for i in range(10)]


def test_the_readme_says_how_to_turn_completion_on(run_prep, monkeypatch, capsys):
    section = README[README.index("### Shell completion") :]
    for shell in ("bash", "zsh", "fish"):
        assert f"_PREP_COMPLETE={shell}_source prep" in section
    monkeypatch.setenv("_PREP_COMPLETE", "bash_source")
    from prep.cli.main import main

    assert main([]) == 0
    assert "complete -o nosort -F _prep_completion prep" in capsys.readouterr().out


def test_choices_on_the_command_line_take_any_case(run_prep):
    code, out, err = run_prep(
        "check",
        SAMPLES / "preference_good.jsonl",
        "--isolated",
        "--no-stats",
        "--method",
        "DPO",
        "--data-format",
        "Preference",
        "--format",
        "JSON",
    )
    assert (code, err) == (0, "")
    assert '"format": "preference"' in out
