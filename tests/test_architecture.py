"""The layout: stage subpackages whose imports run one way, and no import cycle between modules.

Every import counts, including those inside functions and under TYPE_CHECKING:
a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "prep"

#: Stages from the top down; a module may import its own stage and the stages below it.
STAGES = [
    "cli",
    "publishing",
    "project",
    "conversion",
    "validation",
    "reading",
    "reports",
    "records",
    "targets",
    "base",
]
BASE = {"errors", "issues", "io", "_version"}


def module_name(path: Path) -> str:
    parts = ["prep", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The prep modules that ``path`` imports (a package import counts as its __init__)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    paths = list(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports(p, modules) for p in paths}


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__init__", "__main__"):
        return "api"
    return "base" if parts[1] in BASE else parts[1]


def test_few_plain_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top
    assert {stage(f"prep.{p[:-3]}") for p in top} <= {"api", "base"}


def test_every_subpackage_is_a_stage_and_says_what_it_does() -> None:
    for folder in (p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        if not any(folder.glob("*.py")):
            continue
        assert folder.name in STAGES, folder.name
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 100, f"{folder.name}/__init__.py needs a docstring saying what comes in and out"


def test_imports_run_one_way() -> None:
    wrong = []
    for module, deps in graph().items():
        here = stage(module)
        if here == "api":
            continue
        for dep in deps:
            there = stage(dep)
            if there == "api" or STAGES.index(there) < STAGES.index(here):
                wrong.append(f"{module} ({here}) imports {dep} ({there})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    deps = graph()
    cycles = [scc for scc in _components(deps) if len(scc) > 1]
    assert not cycles, cycles


def _components(deps: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan), iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(deps):
        if root in index:
            continue
        work = [(root, iter(sorted(deps[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(deps[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                scc = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    scc.append(member)
                    if member == node:
                        break
                out.append(sorted(scc))
    return out


@pytest.mark.parametrize("name", ["check", "convert", "split", "publish"])
def test_no_subpackage_shadows_a_public_function(name: str) -> None:
    assert not (PACKAGE / name).exists() and not (PACKAGE / f"{name}.py").exists()
