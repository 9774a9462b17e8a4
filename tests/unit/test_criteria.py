"""One registry names each criterion: its marker, its Allure story and its sign-off row agree."""

from __future__ import annotations

import pytest

from fixtures.core import criteria
from fixtures.report.signoff import CRITERIA


def _labels(marks: tuple[pytest.Mark, ...]) -> dict[str, str]:
    return {m.kwargs["label_type"]: m.args[0] for m in marks if m.name == "allure_label"}


@pytest.mark.parametrize("criterion", criteria.REGISTRY, ids=lambda c: c.id)
def test_a_criterions_marker_allure_story_and_sign_off_title_are_the_registrys(
    criterion: criteria.Criterion, pytestconfig: pytest.Config
) -> None:
    marks = criterion.marks()
    registered = [line for line in pytestconfig.getini("markers") if line.startswith(f"{criterion.id}:")]

    assert marks[0].name == criterion.id
    assert _labels(marks)["story"] == criterion.title == CRITERIA[criterion.id]
    assert registered == [f"{criterion.id}: {criterion.title} ({criterion.requirement})"]


def test_the_nfr65_title_states_the_budget_the_verdicts_use() -> None:
    from fixtures.failover import BUDGET_S
    from fixtures.lint import NFR65_BUDGET_S

    assert BUDGET_S == NFR65_BUDGET_S == criteria.FAILOVER_BUDGET_S
    assert f"< {criteria.FAILOVER_BUDGET_S:g} s" in criteria.BY_ID["nfr65"].title
