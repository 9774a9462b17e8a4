"""Configuration conformance: the manifests in --manifests, checked by the lint's rules, no process started.

One test per rule (``fixtures.lint``), so a pre-merge gate can run ``-m lint`` first, in milliseconds,
and a failure names the rule, the file and key, what is wrong and how to fix it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.api import ERROR, LINT, RULES, Manifests, Options, Rule, read

pytestmark = [*LINT]


@pytest.fixture(scope="module")
def manifests(manifests_dir: Path, options: Options) -> Manifests:
    return read(manifests_dir, options.cold_start_budget, options.recovery_budget)


def test_the_manifests_are_readable(manifests: Manifests) -> None:
    assert not manifests.unreadable, "\n".join(f.line() for f in manifests.unreadable)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_manifests_follow_the_rule(manifests: Manifests, rule: Rule) -> None:
    errors = [f for f in rule.check(manifests) if f.severity == ERROR]

    assert not errors, f"{rule.id} ({rule.title}):\n" + "\n".join(f.line() for f in errors)
