"""A death belongs to the run whose process died: a later test, with a supervisor of its own, sees
none and waits undisturbed. Nothing of a run lives in a module (``fixtures.core.run``), so there is no
guard to forget; the probe runs in a child pytest, as two consecutive tests of one session."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.controls.runner import REPO, child_pytest


def test_a_death_in_one_tests_run_never_reaches_the_next_tests_waits(tmp_path: Path) -> None:
    argv, env = child_pytest(["tests/unit/probe_death_leak.py", "-rA"], tmp_path / "reports")

    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)

    out = done.stdout + done.stderr
    assert "PASSED tests/unit/probe_death_leak.py::test_probe_leaks_a_death" in out, out[-3000:]
    assert "PASSED tests/unit/probe_death_leak.py::test_probe_after_it_sees_no_death" in out, out[-3000:]
    assert done.returncode == 0, out[-3000:]
