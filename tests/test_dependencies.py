"""Declared dependencies equal imported ones, and a missing extra is one sentence naming the pip install to run.

Every third-party import in prep/ (lazy and TYPE_CHECKING ones too) is a core dependency, or prep calls
``require(module, extra)`` for it and that extra of pyproject.toml declares its distribution; every declared
dependency is imported somewhere.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import prep
from prep._version import DISTRIBUTION
from prep.errors import EXTRAS, MissingDependencyError, PrepError, require
from tests.helpers import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
FEATURES = (
    "xlsx", "publish", "together", "fireworks", "wandb", "pandas", "remote", "gcs", "hf", "zstd", "parquet", "dask",
    "secrets", "mistral", "gpt-oss", "fast",
)  # fmt: skip
#: Extras that prep never imports (the pandas extra is imported by Report.to_pandas; a DataFrame given to prep is
#: read without importing pandas). ``fast``: bpe-openai's compiled module is loaded from its file, when present.
INSTALL_ONLY: set[str] = {"fast"}


def names(requirements: list[str]) -> set[str]:
    """Distribution names of requirements, without this distribution's own self-references."""
    return {canonicalize_name(Requirement(r).name) for r in requirements} - {DISTRIBUTION}


CORE = names(PROJECT["dependencies"])
EXTRA = {extra: names(reqs) for extra, reqs in PROJECT["optional-dependencies"].items()}


def third_party(tree: ast.AST) -> set[str]:
    """Top-level names of the absolute imports that are neither the standard library nor prep."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found - set(sys.stdlib_module_names) - {"prep", "__future__"}


def requires(tree: ast.AST) -> dict[str, str]:
    """``require(module, extra)`` calls: top-level module -> extra."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "require":
            module, extra = (arg.value for arg in node.args if isinstance(arg, ast.Constant))
            found[module.partition(".")[0]] = extra
    return found


def scan() -> dict[Path, tuple[set[str], dict[str, str]]]:
    """Each module of prep: the third-party modules it imports (an import or a require()), and its require() calls."""
    found = {}
    for path in sorted((REPO / "prep").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        required = requires(tree)
        found[path] = (third_party(tree) | set(required), required)
    return found


@functools.cache
def distribution(module: str) -> str:
    """The distribution that installs a top-level module (``tiktoken_ext`` -> tiktoken)."""
    found = importlib.metadata.packages_distributions().get(module)
    return canonicalize_name(found[0] if found else module)  # tomli is not installed on Python >= 3.11


def test_the_distribution_is_the_one_prep_names():
    assert PROJECT["name"] == DISTRIBUTION
    assert PROJECT["scripts"] == {"prep": "prep.cli:main"}


def test_every_import_is_declared_where_it_is_needed():
    """A module that is not core is require()d (by its module, or the one that calls it) from the extra declaring it."""
    modules = scan()
    required = {module: extra for _, calls in modules.values() for module, extra in calls.items()}
    undeclared = []
    for path, (imported, _) in modules.items():
        for module in sorted(imported):
            dist, extra = distribution(module), required.get(module)
            if dist not in CORE and (extra is None or dist not in EXTRA.get(extra, set())):
                undeclared.append(f"{path.relative_to(REPO)}: {module} ({dist}), require(): {extra}")
    assert undeclared == []


def test_every_declared_dependency_is_imported():
    imported: dict[str, set[str]] = defaultdict(set)
    for modules, required in scan().values():
        for module in modules:
            imported[distribution(module)].add(required.get(module, "core"))
    assert {d for d in CORE if "core" not in imported[d]} == set()
    for extra in set(FEATURES) - INSTALL_ONLY:
        assert {d for d in EXTRA[extra] if extra not in imported[d]} == set(), extra
    for extra in INSTALL_ONLY:
        assert not EXTRA[extra] & set(imported), f"prep imports {EXTRA[extra]}: make it a require()d extra"


def test_all_is_every_feature_and_the_messages_name_each():
    assert Requirement(*PROJECT["optional-dependencies"]["all"]).extras == set(FEATURES)
    assert set(EXTRAS) == set(FEATURES) - INSTALL_ONLY
    assert {e for _, required in scan().values() for e in required.values()} == set(EXTRAS)


def test_the_hook_installs_the_core():
    import yaml  # pre-commit's own dependency

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["language"] == "python" and "additional_dependencies" not in hook  # pre-commit: pip install .


# --- a missing extra ----------------------------------------------------------------------------------------------


def test_require_returns_the_module_or_names_the_extra(monkeypatch):
    assert require("json", "xlsx") is sys.modules["json"]
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails as if it were not installed
    with pytest.raises(MissingDependencyError) as raised:
        require("openpyxl", "xlsx")
    assert isinstance(raised.value, PrepError) and raised.value.exit_code == 2
    assert str(raised.value) == (
        "Reading .xlsx files needs openpyxl, which is not installed: pip install 'finetune-prep[xlsx]' "
        "(in a pre-commit hook: additional_dependencies: ['finetune-prep[xlsx]'])."
    )


def test_a_broken_dependency_is_not_called_missing(monkeypatch, tmp_path):
    """openpyxl present but one of its own modules missing: the real error, not a wrong sentence."""
    (tmp_path / "brokenpkg.py").write_text("import no_such_module_of_brokenpkg\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(EXTRAS, "broken", "Testing")
    with pytest.raises(ModuleNotFoundError, match="no_such_module_of_brokenpkg"):
        require("brokenpkg", "broken")


def test_xlsx_without_openpyxl_is_one_sentence(monkeypatch, run_prep):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    code, _, err = run_prep("check", REPO / "sample_data" / "support_tickets.xlsx", "--isolated")
    assert code == 2
    assert err == (
        "prep: error: Reading .xlsx files needs openpyxl, which is not installed: pip install 'finetune-prep[xlsx]' "
        "(in a pre-commit hook: additional_dependencies: ['finetune-prep[xlsx]']).\n"
    )


def test_publish_without_openai_is_one_sentence(monkeypatch, run_prep, write_jsonl):
    from tests.helpers import chat

    monkeypatch.setitem(sys.modules, "openai", None)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    path = write_jsonl([chat(f"q{i}") for i in range(12)])
    code, _, err = run_prep("publish", path, "--no-wandb", "--model", "gpt-4o-mini-2024-07-18")
    assert code == 2
    assert "Publishing to OpenAI needs openai, which is not installed: pip install 'finetune-prep[publish]'" in err


def test_wandb_tracker_without_wandb_is_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'finetune-prep\[wandb\]'"):
        prep.WandbTracker()
