"""The README's hook, configuration and GitHub Actions sections stay true: their YAML and TOML are valid."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from prep.errors import ConfigError
from prep.project.config import load_config
from tests.helpers import REPO

README = (REPO / "README.md").read_text()


def section(title):
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def blocks(text, language):
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def test_hook_snippet_is_a_valid_pre_commit_config_using_our_hook(tmp_path):
    (snippet,) = blocks(section("Use as a pre-commit hook"), "yaml")
    config = yaml.safe_load(snippet)
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for repo in config["repos"] for h in repo["hooks"]} <= hooks
    (tmp_path / ".pre-commit-config.yaml").write_text(snippet)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_configuration_example_loads(tmp_path):
    (example,) = blocks(section("Configuration"), "toml")
    (tmp_path / "pyproject.toml").write_text(example)
    config = load_config(tmp_path / "pyproject.toml")
    assert config.settings["model"] == "gpt-4o-mini-2024-07-18"
    assert len(config.overrides) == 3


def test_configuration_error_example_is_what_prep_says(tmp_path):
    (quoted,) = re.findall(r"`prep: error: /repo/pyproject.toml: (.*?)`", section("Configuration"))
    (tmp_path / "pyproject.toml").write_text('[tool.prep]\nmodle = "gpt-4o"\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "pyproject.toml")
    assert str(info.value) == f"{tmp_path / 'pyproject.toml'}: {quoted}"


def test_workflows_are_valid_yaml_running_prep_check():
    workflow, sarif = blocks(section("In GitHub Actions"), "yaml")
    steps = yaml.safe_load(workflow)["jobs"]["prep"]["steps"]
    assert any(step.get("run", "").startswith("prep check --format github") for step in steps)
    assert yaml.safe_load(sarif)[0]["run"].startswith("prep check --format sarif")
