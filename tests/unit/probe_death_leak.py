"""Probe for the death guard (tests/unit/conftest.py): run by explicit path only, never collected."""

from __future__ import annotations

import time
from pathlib import Path

from fixtures.processes import Process, deaths


def test_probe_leaks_a_death(tmp_path: Path) -> None:
    proc = Process("leaker", ["sh", "-c", "exit 3"], tmp_path / "leaker.log").start()
    deadline = time.monotonic() + 10
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the watcher records the death


def test_probe_after_it_sees_no_death() -> None:
    assert deaths() == []
