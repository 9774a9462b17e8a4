"""The Makefile: every target it declares phony does something, and ``make lint`` is what ``make test``
checks first.

Nothing here runs make (its targets install and start things): the Makefile's text is read.
"""

from __future__ import annotations

import re

from tests.controls.runner import REPO

# A rule's first line: targets, one colon, prerequisites (``:=`` and ``::`` are not rules here).
RULE = re.compile(r"^(?P<targets>[^\s#:=][^:=]*):(?![:=])(?P<prerequisites>[^;]*)")


def rules() -> dict[str, tuple[list[str], list[str]]]:
    """Each target -> (its prerequisites, its recipe lines)."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    recipe: list[str] = []
    for line in (REPO / "Makefile").read_text().splitlines():
        if line.startswith("\t"):
            recipe.append(line.strip())
        elif match := RULE.match(line):
            recipe = []  # a new rule's recipe; targets of one rule share it
            for target in match["targets"].split():
                found[target] = (match["prerequisites"].split(), recipe)
    return found


def test_every_phony_target_has_a_recipe_or_prerequisites() -> None:
    declared = rules()[".PHONY"][0]
    empty = [t for t in declared if t not in rules() or rules()[t] == ([], [])]

    assert declared and not empty, f"declared .PHONY but do nothing (a no-op `make`): {empty}"


def test_make_lint_runs_ruff_and_mypy_and_make_test_runs_it_before_pytest() -> None:
    prerequisites, recipe = rules()["lint"]
    test_prerequisites, test_recipe = rules()["test"]

    assert prerequisites == ["$(STAMP)"], "lint needs the venv only, not the stacks `make setup` installs"
    assert recipe == ["$(PY) -m ruff check .", "$(PY) -m mypy"]
    # make builds every prerequisite before the recipe: lint before test's pytest, and only once
    assert "lint" in test_prerequisites and not any("ruff" in line or "mypy" in line for line in test_recipe)
    assert any("pytest" in line for line in test_recipe)
