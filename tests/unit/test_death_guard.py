"""The unit tests' death guard names the test that leaves a process death behind, and the tests
after it run as if nothing had happened."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.controls.runner import REPO, child_pytest


def test_a_test_that_leaves_a_death_behind_errors_by_name_and_the_next_one_passes(tmp_path: Path) -> None:
    argv, env = child_pytest(["tests/unit/probe_death_leak.py", "-rA"], tmp_path / "reports")

    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)

    out = done.stdout + done.stderr
    assert "ERROR tests/unit/probe_death_leak.py::test_probe_leaks_a_death" in out, out[-3000:]
    assert "this test left 1 process death(s) behind: leaker: exited (code 3)" in out, out[-3000:]
    assert "PASSED tests/unit/probe_death_leak.py::test_probe_after_it_sees_no_death" in out, out[-3000:]
