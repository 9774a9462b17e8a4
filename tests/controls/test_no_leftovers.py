"""Whatever way a run ends, no process it started and no port it opened is left behind.

The four endings run two at a time (each is a whole stack in a child pytest); each test then
checks its own run. The stack is the owner-style example tree's: the most processes a run starts
(its Helm values name PostgreSQL, so a PostgreSQL server of the run's own is among them).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.core.errors import WaitTimeout
from fixtures.core.wait import wait_for
from tests.controls.runner import REPO, child_pytest, die_with_parent, params_of, pooled

PROBE = "tests/controls/probe_stack.py"
TREE = REPO / "examples" / "home-lab-14.3"


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"  # a zombie has exited; only its parent's bookkeeping is left


def _in_groups(groups: set[int]) -> list[str]:
    """Live processes in any of ``groups`` (each component runs in a group of its own): its children too."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) in groups:
            found.append(f"{stat.parent.name} (group {fields[2]})")
    return found


def _as_from_a_terminal() -> None:
    die_with_parent()  # a run of the session's pool ends with the session
    # Runs in the child before exec. A run started in the background (``cmd &`` in a script, nohup,
    # some CI runners) inherits SIGINT ignored, and Python then never turns Ctrl-C into
    # KeyboardInterrupt: the "ctrl-c" case would test nothing but a hang (seen in a clean-clone run).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


CASES = {  # name -> (the probe's test, how its run ends, the exit codes pytest may end with)
    "failing test": ("test_probe_fails_while_the_stack_is_up", None, {1}),
    "ctrl-c": ("test_probe_waits_to_be_interrupted", signal.SIGINT, {2}),
    "sigterm": ("test_probe_waits_to_be_interrupted", signal.SIGTERM, {2}),
    "sigkill": ("test_probe_waits_to_be_interrupted", signal.SIGKILL, {-9}),
}
PARALLEL = 2  # runs side by side: each spends its start-up in one process (LiteLLM's imports)


@dataclass
class Ending:
    """How one child run ended and what it left: checked by the test, gathered side by side."""

    returncode: int | None = None
    state: dict[str, Any] = field(default_factory=dict)  # what the probe saw running: pids, ports
    problem: str | None = None  # why nothing could be checked (never up, never ended)
    leftovers: list[str] = field(default_factory=list)  # what the bounded waits still found


def _end(case: str, workdir: Path) -> Ending:
    """One case's run, ended and checked; whatever goes wrong is this case's problem, not its sibling's."""
    try:
        return _end_and_check(case, workdir)
    except Exception as exc:
        return Ending(problem=f"{type(exc).__name__}: {exc}")


def _end_and_check(case: str, workdir: Path) -> Ending:
    probe, ending, _ = CASES[case]
    ended = Ending()
    workdir.mkdir(parents=True)
    out = workdir / "probe.json"
    argv, env = child_pytest([f"{PROBE}::{probe}"], workdir / "reports", "--manifests", str(TREE))
    env["PROBE_OUT"] = str(out)
    output = workdir / "child-output.txt"  # a file, not a pipe nobody reads while the child runs
    with output.open("wb") as sink:
        child = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=_as_from_a_terminal
        )
    try:
        wait_for(
            lambda: out.exists() or child.poll() is not None, timeout=120, what="the probe's stack to be up"
        )
        if not out.exists():
            ended.problem = f"the probe ended before its stack was up:\n{output.read_text()[-3000:]}"
            return ended
        if ending is not None:
            child.send_signal(ending)
        try:
            ended.returncode = child.wait(60)
        except subprocess.TimeoutExpired:
            ended.problem = (
                f"the run did not end within 60 s after {ending.name if ending else 'its test'}; "
                f"its output:\n{output.read_text(errors='replace')[-3000:]}"
            )
            return ended
    finally:
        if child.poll() is None:
            child.kill()
    ended.state = state = json.loads(out.read_text())
    pids, ports = state["pids"], state["ports"]
    waits = [
        (lambda: all(_gone(pid) for pid in pids), "every started process to exit", lambda: ""),
        # their own children too (granian's workers, Celery's pool, node's helpers): each group is empty
        (lambda: not _in_groups(set(pids)), "every started process group to empty",
         lambda: f"still running: {_in_groups(set(pids))}"),
        # bounded, since a socket outlives its SIGKILLed owner by a moment; no other run takes these
        # ports meanwhile (fixtures.core.ports keeps a dead run's ports out of use for a minute)
        (lambda: not [port for port in ports if _listening(port)], "every port the run opened to close",
         lambda: f"still listening: {[port for port in ports if _listening(port)]}"),
    ]  # fmt: skip
    for done, what, diagnostics in waits:
        try:
            wait_for(done, timeout=15, what=what, diagnostics=diagnostics)
        except WaitTimeout as exc:
            ended.leftovers.append(str(exc))
    return ended


def child_runs(items: list[pytest.Item], root: Path) -> dict[str, Callable[[], Ending]]:
    """Each selected ending's run, for the session's pool."""
    return {
        f"ending {case}": (lambda case=case: _end(case, root / case.replace(" ", "-")))
        for case in params_of(items, __name__, "case")
    }


@pytest.fixture(scope="module")
def endings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ending]:
    """Every selected case's run, ended and checked (the session's pool, else two at a time here)."""
    jobs = child_runs(request.session.items, tmp_path_factory.mktemp("no-leftovers"))
    return {key.removeprefix("ending "): ending for key, ending in pooled(request, jobs, PARALLEL).items()}


@pytest.mark.parametrize("case", CASES)
def test_no_process_or_port_is_left_behind(endings: dict[str, Ending], case: str) -> None:
    ended, exit_codes = endings[case], CASES[case][2]

    assert ended.problem is None, ended.problem
    assert ended.returncode in exit_codes, f"pytest exited {ended.returncode}, expected {exit_codes}"
    assert len(ended.state["pids"]) == 9, (
        "expected LiteLLM, three tiers, Paperless-ngx (PostgreSQL, Redis, web server, worker) and "
        f"Paperless-AI running; the probe saw {ended.state}"
    )
    assert not ended.leftovers, "\n".join(ended.leftovers)
