"""A component that dies mid-run is named at once, later tests fail fast, and the run still reports.

Before: after ``kill -9`` of LiteLLM every later test waited out its 30 s ``settle`` and blamed vLLM
routing (a full suite had not ended 300 s later); ``kill -9`` of the Paperless-ngx double gave
~1,900 lines of raw ``httpx.ConnectError`` that never named it. Both victims' runs go side by side.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.controls.runner import (
    REPO,
    JunitOutcome,
    _outcomes,
    child_pytest,
    die_with_parent,
    params_of,
    pooled,
)

pytestmark = pytest.mark.control


VICTIMS = {"litellm": "LiteLLM", "paperless-ngx": "Paperless-ngx"}  # $PROBE_KILL -> the name to expect


@dataclass
class Run:
    returncode: int
    stdout: str
    outcomes: dict[str, JunitOutcome]
    reports: Path
    took: float


def _run(victim: str, workdir: Path) -> Run | str:
    """The victim's run, or what went wrong with it (its own failure, not its sibling's)."""
    try:
        return _run_probe(victim, workdir)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def _run_probe(victim: str, workdir: Path) -> Run:
    argv, env = child_pytest(
        ["tests/controls/probe_dead_component.py"], workdir / "reports", "--allure-html", "off"
    )
    env["PROBE_KILL"] = victim
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=180, check=False,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    took = time.monotonic() - started
    reports = (workdir / "reports" / "latest").resolve()
    return Run(done.returncode, done.stdout, _outcomes(reports / "junit.xml"), reports, took)


def child_runs(items: list[pytest.Item], root: Path) -> dict[str, Callable[[], Run | str]]:
    """Each selected victim's run, for the session's pool."""
    return {
        f"victim {victim}": (lambda victim=victim: _run(victim, root / victim))
        for victim in params_of(items, __name__, "victim")
    }


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run | str]:
    """The selected victims' runs (each a whole stack in a child pytest): the session's pool, else
    side by side here."""
    jobs = child_runs(request.session.items, tmp_path_factory.mktemp("dead-component"))
    return {key.removeprefix("victim "): run for key, run in pooled(request, jobs, len(VICTIMS)).items()}


@pytest.mark.parametrize("victim", VICTIMS)
def test_a_component_killed_mid_run_is_named_by_the_test_running_and_every_later_one(
    runs: dict[str, Run | str], victim: str
) -> None:
    run, named = runs[victim], VICTIMS[victim]
    assert isinstance(run, Run), f"the {victim} run could not be judged: {run}"

    first = run.outcomes["test_probe_kills_a_component_then_carries_on"]
    later = run.outcomes["test_probe_only_asks_for_the_stack"]
    assert run.returncode == 1, run.stdout[-3000:]
    assert first.result == "failed" and f"{named}: exited (signal 9)" in first.message, first.message[:2000]
    assert later.result in ("failed", "error") and "stack broken" in later.message, later.message[:2000]
    assert f"{named}: exited (signal 9)" in later.message
    assert "ConnectError" not in run.stdout, "a raw connection error instead of the component's name"
    assert (run.reports / "junit.xml").is_file(), "the run must still write its reports"
    print(f"[dead component] {victim}: run ended {run.took:.1f} s after start, both tests named it")
