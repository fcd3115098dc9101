"""The house's shape, checked: no import cycle between modules or packages, and each
floor imports only the floors below it (docs/architecture.md draws the picture).

Every import counts, the lazy ones inside functions too: a cycle hidden behind a
function-level import is still a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "compplan"

# Lower floors first; a package may import its own floor and those below it only.
FLOORS = [
    {"errors"},
    {"core"},
    {"schema"},
    {"inputs"},
    {"plan"},
    {"engine"},
    {"reports"},
    {"result"},
    {"excel", "outputs", "ledger", "scenarios", "quotas", "accounts", "accounting",
     "forecast", "dask_engine"},
    {"api", "commands", "web"},
    {"cli", "__init__"},
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom,
             known: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
        stem = ".".join(x for x in (base, node.module or "") if x)
        names = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem
                 for a in node.names]
    for name in names:
        found = name
        while found and found not in known:
            found = found.rpartition(".")[0]
        if found.startswith("compplan") and found != module:
            yield found


def import_graph() -> dict[str, set[str]]:
    """Module -> the compplan modules it imports, anywhere in its body."""
    known = _modules()
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = {t for node in ast.walk(tree)
                         if isinstance(node, ast.Import | ast.ImportFrom)
                         for t in _targets(module, path, node, known)}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_module_imports_itself_back() -> None:
    assert cycles(import_graph()) == []


def test_no_package_imports_itself_back() -> None:
    graph: dict[str, set[str]] = {}
    for module, deps in import_graph().items():
        graph.setdefault(_package(module), set()).update(
            _package(d) for d in deps if _package(d) != _package(module))
    assert cycles(graph) == []


def test_each_floor_imports_only_the_floors_below() -> None:
    floor = {name: i for i, names in enumerate(FLOORS) for name in names}
    upward = sorted(f"{module} -> {dep}" for module, deps in import_graph().items()
                    for dep in deps if floor[_package(dep)] > floor[_package(module)])
    assert upward == []


def test_every_package_has_a_floor() -> None:
    floors = set().union(*FLOORS)
    assert {_package(m) for m in import_graph()} <= floors


def test_the_checker_sees_a_cycle_and_a_lazy_import() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = import_graph()
    assert "compplan.excel.statements" in graph["compplan.cli"]  # imported inside a function


@pytest.mark.parametrize("module", ["compplan.engine.pipeline", "compplan.engine.result"])
def test_the_engine_never_imports_a_report(module: str) -> None:
    assert not {d for d in import_graph()[module] if d.startswith("compplan.reports")}
