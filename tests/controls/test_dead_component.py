"""A component that dies mid-run is named at once, later tests fail fast, and the run still reports.

Before: after ``kill -9`` of LiteLLM every later test waited out its 30 s ``settle`` and blamed vLLM
routing (a full suite had not ended 300 s later); ``kill -9`` of the Paperless-ngx double gave
~1,900 lines of raw ``httpx.ConnectError`` that never named it.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.controls.runner import REPO, _outcomes, child_pytest

pytestmark = pytest.mark.control


@pytest.mark.parametrize(("victim", "named"), [("litellm", "LiteLLM"), ("paperless-ngx", "Paperless-ngx")])
def test_a_component_killed_mid_run_is_named_by_the_test_running_and_every_later_one(
    tmp_path: Path, victim: str, named: str
) -> None:
    argv, env = child_pytest(
        ["tests/controls/probe_dead_component.py"], tmp_path / "reports", "--allure-html", "off"
    )
    env["PROBE_KILL"] = victim
    started = time.monotonic()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False)
    took = time.monotonic() - started
    run = (tmp_path / "reports" / "latest").resolve()
    outcomes = _outcomes(run / "junit.xml")

    first = outcomes["test_probe_kills_a_component_then_carries_on"]
    later = outcomes["test_probe_only_asks_for_the_stack"]
    assert done.returncode == 1, done.stdout[-3000:]
    assert first.result == "failed" and f"{named}: exited (signal 9)" in first.message, first.message[:2000]
    assert later.result in ("failed", "error") and "stack broken" in later.message, later.message[:2000]
    assert f"{named}: exited (signal 9)" in later.message
    assert "ConnectError" not in done.stdout, "a raw connection error instead of the component's name"
    assert (run / "junit.xml").is_file(), "the run must still write its reports"
    print(f"[dead component] {victim}: run ended {took:.1f} s after start, both tests named it")
