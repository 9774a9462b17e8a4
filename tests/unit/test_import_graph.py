"""The harness has no import circle: not at module level, not through an import inside a function
(the usual way a circle is hidden), and not through a type-only import under ``if TYPE_CHECKING:``
(it does not run, but it still ties the two modules together: a circle a type checker sees).

The same check from a shell: ``python -m tests.unit.test_import_graph`` prints every circle.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = "fixtures"


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in (root / PACKAGE).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The harness modules ``module`` imports (any depth, TYPE_CHECKING blocks included)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _absolute(module, path, child)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text()))
    return {name for name in found if name in known and name != module}


def circles(root: Path) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    known = modules(root)
    graph = {name: imports(name, path, known) for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_harness_has_no_import_circle() -> None:
    assert circles(REPO) == []


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from fixtures.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from fixtures import a\n    return a\n")

    assert circles(tmp_path) == [["fixtures.a", "fixtures.b"]]


def test_a_circle_through_a_type_only_import_is_found(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from fixtures import c\n")
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fixtures import a\n"
    (package / "c.py").write_text(typing_only)  # a -> c -> a: c's import never runs, yet it counts

    assert circles(tmp_path) == [["fixtures.a", "fixtures.c"]]


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    found = circles(REPO)
    for group in found:
        print(" -> ".join(group))
    print(f"{len(found)} import circle(s) among the {len(modules(REPO))} modules of {PACKAGE}/")
    sys.exit(1 if found else 0)
