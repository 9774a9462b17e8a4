"""The unit tests' one shared guard: a test that lets a process die and does not forget it fails
itself, by name. A death left in the process-wide registry (``fixtures.processes``) otherwise ends
every later wait of the session with "stack broken" (55 errors in one clean-clone run, none
naming the test that caused them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures.processes import deaths, forget_deaths


@pytest.fixture(autouse=True)
def no_death_left_behind() -> Iterator[None]:
    before = len(deaths())
    yield
    left = deaths()[before:]
    if left:
        forget_deaths()  # the rest of the session must not pay for it
        pytest.fail(
            f"this test left {len(left)} process death(s) behind: {left[0]}; a test whose processes "
            "die on purpose forgets them (fixtures.processes.forget_deaths)",
            pytrace=False,
        )
