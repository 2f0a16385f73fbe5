"""Project configuration: where it is found, what it may say, and how it applies to each file."""

from __future__ import annotations

import pytest

from prep.errors import ConfigError
from prep.project.config import Config, ConfigFinder, find_config, load_config
from prep.project.runner import plan_files
from prep.targets.profile import DataFormat, Method


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_closest_config_wins_walking_up_from_the_file(tmp_path):
    top = write(tmp_path / "prep.toml", 'model = "gpt-4o"\n')
    inner = write(tmp_path / "a" / "b" / "pyproject.toml", '[tool.prep]\nmodel = "gpt-4.1"\n')
    assert find_config(tmp_path / "a" / "b" / "c" / "x.jsonl") == inner
    assert find_config(tmp_path / "a" / "x.jsonl") == top
    assert find_config(tmp_path / "x.jsonl") == top


def test_pyproject_without_a_prep_table_is_skipped(tmp_path):
    top = write(tmp_path / "prep.toml", "strict = true\n")
    write(tmp_path / "sub" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_config(tmp_path / "sub" / "x.jsonl") == top


def test_prep_toml_wins_over_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.prep]\nstrict = true\n")
    own = write(tmp_path / "prep.toml", "strict = false\n")
    assert find_config(tmp_path / "x.jsonl") == own


def test_a_git_folder_does_not_stop_the_walk(tmp_path):
    top = write(tmp_path / "prep.toml", "strict = true\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert find_config(tmp_path / "repo" / "x.jsonl") == top


def test_no_config_anywhere(tmp_path):
    assert find_config(tmp_path / "x.jsonl") is None
    assert ConfigFinder().config_for(tmp_path / "x.jsonl") is None


def test_keys_become_check_options_and_paths_are_relative_to_the_config(tmp_path):
    path = write(
        tmp_path / "pyproject.toml",
        """
[tool.prep]
target = "profiles/azure.toml"
method = "supervised"
data-format = "chat"
model = "gpt-4o-mini"
token-limit = 4096
tokens = true
stats = false
jobs = 2
tiktoken-dir = "ranks"
epochs = 3
max-line-bytes = 1000
ignore = ["p402", "P403"]
strict = true
baseline = "ci/known.json"
""",
    )
    config = load_config(path)
    assert config.settings == {
        "target": str(tmp_path / "profiles/azure.toml"),
        "method": Method.SUPERVISED,
        "data_format": DataFormat.CHAT,
        "model": "gpt-4o-mini",
        "token_limit": 4096,
        "tokens": True,
        "stats": False,
        "jobs": 2,
        "tiktoken_dir": str(tmp_path / "ranks"),
        "epochs": 3,
        "max_line_bytes": 1000,
        "ignore": frozenset({"P402", "P403"}),
        "strict": True,
    }
    assert config.baseline_path == tmp_path / "ci" / "known.json"
    assert load_config(write(tmp_path / "x" / "prep.toml", 'target = "openai"\n')).settings == {"target": "openai"}


def test_table_keys_say_how_spreadsheets_become_records(tmp_path):
    config = load_config(
        write(
            tmp_path / "prep.toml",
            """
[[overrides]]
files = "*.xlsx"
sheet = "Tickets"
map = {"Customer message" = "user", "Agent reply" = "assistant"}
system = "You are Nimbus."
file-type = "xlsx"
input-encoding = "utf-8"
""",
        )
    )
    (plan,) = plan_files([tmp_path / "t.xlsx"])
    table = plan.options.table
    assert (table.sheet, table.mapping, table.system, str(table.file_type), table.input_encoding) == (
        "Tickets",
        (("Customer message", "user"), ("Agent reply", "assistant")),
        "You are Nimbus.",
        "xlsx",
        "utf-8",
    )
    assert config.settings_for(tmp_path / "t.jsonl") == {}
    (plan,) = plan_files([tmp_path / "t.jsonl"])
    assert plan.options.table is None


def test_map_given_on_the_command_line_adds_to_the_configured_map(tmp_path):
    from prep.reading.table import TableOptions

    write(
        tmp_path / "prep.toml", 'sheet = "Tickets"\nmap = {"Customer message" = "user", "Agent reply" = "assistant"}\n'
    )
    given = TableOptions(mapping={"Agent reply": "ignore", "Opened": "assistant"})
    (plan,) = plan_files([tmp_path / "t.xlsx"], {"table": given})
    assert plan.options.table.sheet == "Tickets"
    assert dict(plan.options.table.mapping) == {
        "Customer message": "user",
        "Agent reply": "ignore",
        "Opened": "assistant",
    }


def test_default_baseline_is_beside_the_config(tmp_path):
    config = load_config(write(tmp_path / "prep.toml", ""))
    assert config.baseline_path == tmp_path / ".prep-baseline.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('modle = "gpt-4o"', "{path}: unknown key 'modle' in the top level (did you mean 'model'?)."),
        ("token_limit = 5", "{path}: unknown key 'token_limit' in the top level (did you mean 'token-limit'?)."),
        (
            "frobnicate = 1",
            "{path}: unknown key 'frobnicate' in the top level; known keys: allow-download, baseline, chat-template, "
            "dask, data-format, encoding, epochs, exclude, file-type, header, ignore, input-encoding, jobs, map, "
            "max-line-bytes, max-seq-length, method, model, overrides, secrets, select, severity, sheet, stats, strict, "
            "system, target, tiktoken-dir, token-limit, tokenizer, tokens.",
        ),
        (
            'map = {q = "question"}',
            "{path}: map in the top level must be a table whose fields are among prompt, "
            "completion, system, user, input, assistant, messages, tools, ignore (question is not one)",
        ),
        (
            'file-type = "orc"',
            "{path}: file-type in the top level must be one of 'jsonl', 'json', 'csv', 'tsv', 'xlsx', 'parquet', found 'orc'.",
        ),
        ('strict = "yes"', "{path}: strict in the top level must be true or false, found 'yes'."),
        ("token-limit = 0", "{path}: token-limit in the top level must be an integer from 1 up, found 0."),
        ("epochs = 99", "{path}: epochs in the top level must be an integer from 1 to 50, found 99."),
        (
            'method = "sft"',
            "{path}: method in the top level must be one of 'supervised', 'dpo', 'reinforcement', found 'sft'.",
        ),
        (
            'ignore = "P402"',
            '{path}: ignore in the top level must be a list of issue codes such as ["P402"] (or prefixes, such as '
            "\"P4\"), found 'P402'.",
        ),
        (
            'ignore = ["P999"]',
            "{path}: ignore in the top level must be a list of known issue codes or prefixes (P999 is not one), "
            "found ['P999'].",
        ),
        (
            '[[overrides]]\nmodel = "gpt-4o"',
            "{path}: [[overrides]] number 1 needs files = a glob or a list of globs, relative to {folder}.",
        ),
        (
            '[[overrides]]\nfiles = "*.jsonl"\nbaseline = "x"',
            "{path}: unknown key 'baseline' in [[overrides]] number 1",
        ),
        ("overrides = 3", "{path}: overrides must be an array of tables ([[overrides]])."),
        ("model = ", "Cannot read {path}: "),
    ],
)
def test_bad_configuration_is_one_sentence_naming_file_and_key(tmp_path, text, message):
    path = write(tmp_path / "prep.toml", text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(message.format(path=path, folder=tmp_path))
    assert "\n" not in str(info.value)


def test_pyproject_errors_name_the_tool_prep_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.prep]\nmodle = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'modle' in \[tool\.prep\] \(did you mean 'model'\?\)"):
        load_config(path)
    with pytest.raises(ConfigError, match=r"has no \[tool\.prep\] table"):
        load_config(write(tmp_path / "b" / "pyproject.toml", "[tool.black]\n"))


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ("*.jsonl", ["a.jsonl", "data/a.jsonl", "x/y/a.jsonl"], ["a.json", "a.jsonl.bak"]),
        ("data/*.jsonl", ["data/a.jsonl"], ["data/sub/a.jsonl", "x/data/a.jsonl"]),
        ("data/**/*.jsonl", ["data/a.jsonl", "data/sub/deep/a.jsonl"], ["other/a.jsonl"]),
        ("legacy/", ["legacy/a.jsonl", "legacy/x/b.csv"], ["legacy.jsonl", "new/legacy/a.jsonl"]),
        ("./train_?.jsonl", ["train_1.jsonl", "x/train_2.jsonl"], ["train_10.jsonl"]),
        ("[ab].jsonl", ["a.jsonl", "b.jsonl"], ["c.jsonl"]),
        ("[!ab].jsonl", ["c.jsonl"], ["a.jsonl"]),
    ],
)
def test_override_globs(tmp_path, pattern, matches, misses):
    config = load_config(write(tmp_path / "prep.toml", f'[[overrides]]\nfiles = ["{pattern}"]\nstrict = true\n'))
    for name in matches:
        assert config.settings_for(tmp_path / name) == {"strict": True}, name
    for name in misses:
        assert config.settings_for(tmp_path / name) == {}, name


def test_overrides_apply_in_order_and_ignore_lists_add_up(tmp_path):
    config = load_config(
        write(
            tmp_path / "prep.toml",
            """
model = "gpt-4o"
ignore = ["P402"]

[[overrides]]
files = ["legacy/*.jsonl"]
model = "gpt-3.5-turbo-0613"
data-format = "chat"
ignore = ["P403"]

[[overrides]]
files = "legacy/old.jsonl"
model = "babbage-002"
""",
        )
    )
    assert config.settings_for(tmp_path / "train.jsonl") == {"model": "gpt-4o", "ignore": frozenset({"P402"})}
    assert config.settings_for(tmp_path / "legacy" / "a.jsonl") == {
        "model": "gpt-3.5-turbo-0613",
        "data_format": DataFormat.CHAT,
        "ignore": frozenset({"P402", "P403"}),
    }
    assert config.settings_for(tmp_path / "legacy" / "old.jsonl")["model"] == "babbage-002"


def test_relative_file_names_are_taken_from_the_current_folder(tmp_path, monkeypatch):
    config = load_config(write(tmp_path / "prep.toml", '[[overrides]]\nfiles = "data/*.jsonl"\nstrict = true\n'))
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path / "data")
    assert config.settings_for("x.jsonl") == {"strict": True}


def test_command_line_settings_win_and_ignore_codes_add_up(tmp_path):
    write(tmp_path / "prep.toml", 'model = "gpt-4o"\nstrict = true\nignore = ["P402"]\ntokens = false\n')
    (plan,) = plan_files([tmp_path / "a.jsonl"], {"model": "gpt-4.1", "strict": False, "ignore": frozenset({"P403"})})
    assert (plan.options.model, plan.strict, plan.options.ignore) == ("gpt-4.1", False, frozenset({"P402", "P403"}))
    assert plan.options.tokens is False  # not given: the config's value stays
    assert plan.config is not None and plan.config.path == tmp_path / "prep.toml"
    assert plan.baseline == tmp_path / ".prep-baseline.json"


def test_isolated_and_explicit_config(tmp_path):
    write(tmp_path / "prep.toml", 'model = "gpt-4o"\n')
    other = write(tmp_path / "elsewhere" / "ci.toml", 'model = "gpt-4.1"\n')
    (plan,) = plan_files([tmp_path / "a.jsonl"], isolated=True)
    assert (plan.options.model, plan.config) == (None, None)
    (plan,) = plan_files([tmp_path / "a.jsonl"], config=other)
    assert plan.options.model == "gpt-4.1"
    assert isinstance(plan.config, Config)
    (plan,) = plan_files([tmp_path / "a.jsonl"], baseline=tmp_path / "b.json")
    assert plan.baseline == tmp_path / "b.json"
