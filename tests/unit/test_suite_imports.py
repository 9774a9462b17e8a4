"""Suites import what they use from one module, ``fixtures.api`` (issue 26): never another module of
``fixtures``, so the harness's layout can change without touching a suite.

Read from the source (every import statement of every module in ``suites/``, at any depth, inside
``if TYPE_CHECKING:`` too), not from what the modules import when run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fixtures.api

REPO = Path(__file__).resolve().parents[2]
API = "fixtures.api"


def fixtures_imports(source: str) -> list[tuple[int, str]]:
    """Each import of the ``fixtures`` package in ``source`` other than ``from fixtures.api import``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if _in_fixtures(alias.name)]
            found += [(node.lineno, f"import {name}") for name in names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and _in_fixtures(module) and module != API:
                names = ", ".join(alias.name for alias in node.names)
                found.append((node.lineno, f"from {module} import {names}"))
    return sorted(found)


def _in_fixtures(module: str) -> bool:
    return module == "fixtures" or module.startswith("fixtures.")


def test_every_suite_imports_fixtures_only_through_the_api() -> None:
    suites = sorted((REPO / "suites").glob("*.py"))
    assert suites
    offending = [
        f"{path.relative_to(REPO)}:{line}: {statement}"
        for path in suites
        for line, statement in fixtures_imports(path.read_text())
    ]
    assert offending == [], "suites import from fixtures only via fixtures.api:\n" + "\n".join(offending)


def test_every_name_a_suite_imports_from_the_api_is_exported() -> None:
    exported = set(fixtures.api.__all__)
    missing = [
        f"{path.relative_to(REPO)}: {alias.name}"
        for path in sorted((REPO / "suites").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == API
        for alias in node.names
        if alias.name not in exported
    ]
    assert missing == []


def test_any_other_fixtures_import_is_found() -> None:
    source = (
        "import fixtures.plugin\n"
        "from fixtures import load\n"
        "from fixtures.api import Stack\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from fixtures.stack.base import Stack as S\n"
        "def f():\n"
        "    from fixtures.corpus import load\n"
        "import fixturesque\n"
    )
    assert fixtures_imports(source) == [
        (1, "import fixtures.plugin"),
        (2, "from fixtures import load"),
        (6, "from fixtures.stack.base import Stack"),
        (8, "from fixtures.corpus import load"),
    ]



def _imports_the_api(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name == API for alias in node.names)
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return node.module == API or (node.module == "fixtures" and any(a.name == "api" for a in node.names))
    return False


def test_no_module_of_fixtures_imports_the_api() -> None:
    importers = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "fixtures").rglob("*.py"))
        if any(_imports_the_api(node) for node in ast.walk(ast.parse(path.read_text())))
    ]
    assert importers == []
