"""The unit tests' own runs: each test that starts processes gets a supervisor (or a whole Run) of its
own, stopped when it ends. Nothing is shared through a module, so a death a test causes on purpose can
never end another test's wait (it once gave 55 errors in one clean-clone run, none naming its cause)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.core.processes import Supervisor
from fixtures.core.redaction import Secrets
from fixtures.core.run import Run
from fixtures.report.run_folder import RunFolder


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    found = Supervisor(Secrets())
    yield found
    found.stop_all()


@pytest.fixture
def own_run(tmp_path: Path) -> Iterator[Run]:
    """A Run of the test's own, its folder under the test's temporary directory."""
    found = Run(RunFolder(tmp_path / "run"))
    yield found
    found.close()
