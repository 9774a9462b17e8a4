"""Probe for run isolation (tests/unit/test_death_guard.py): run by explicit path only, never collected.

The first test lets a process die and forgets nothing; the second, with a supervisor of its own, must
see no death and wait undisturbed.
"""

from __future__ import annotations

import time
from pathlib import Path

from fixtures.core.processes import Process, Supervisor
from fixtures.core.wait import wait_for


def test_probe_leaks_a_death(tmp_path: Path, supervisor: Supervisor) -> None:
    proc = Process(supervisor, "leaker", ["sh", "-c", "exit 3"], tmp_path / "leaker.log").start()
    deadline = time.monotonic() + 10
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.watched.wait(10)  # the watcher records the death
    assert supervisor.deaths(), "the probe's own death was recorded"


def test_probe_after_it_sees_no_death(supervisor: Supervisor) -> None:
    assert supervisor.deaths() == []
    polls = []
    wait_for(lambda: polls.append(1) or len(polls) > 3, timeout=5, what="four polls", interval=0.01,
             watchdog=supervisor.check_deaths)  # fmt: skip
