"""A process that exits on its own is a death: every wait ends at once naming it; a stop is not one."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError
from fixtures.core.processes import Process, Supervisor
from fixtures.core.wait import wait_for


def test_a_process_that_exits_by_itself_ends_any_wait_at_once_naming_it(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    code = "print('about to fail', flush=True); raise SystemExit(3)"
    Process(supervisor, "Doomed", [sys.executable, "-c", code], tmp_path / "logs" / "doomed.log").start()
    started = time.monotonic()

    with pytest.raises(ComponentError) as caught:
        wait_for(
            lambda: False,
            timeout=30,
            what="something that never happens",
            interval=0.05,
            watchdog=supervisor.check_deaths,
        )

    assert time.monotonic() - started < 10, "the wait ran on instead of naming the death"
    assert "Doomed: exited (code 3) at" in str(caught.value) and "about to fail" in str(caught.value)


def test_a_stopped_process_or_one_that_is_not_essential_is_no_death(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    sleeper = Process(
        supervisor, "Sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "s.log"
    ).start()
    helper = Process(
        supervisor, "Helper", [sys.executable, "-c", "pass"], tmp_path / "h.log", essential=False
    ).start()
    sleeper.stop(5)
    helper.stop(5)

    assert supervisor.deaths() == []


def test_a_process_started_from_a_thread_that_then_ends_lives_on(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    """PDEATHSIG follows the forking *thread*: a tier restored from a helper thread must not die with it."""
    started: list[Process] = []
    helper = threading.Thread(
        target=lambda: started.append(
            Process(supervisor, "sleeper", ["sleep", "30"], tmp_path / "s.log").start()
        )
    )
    helper.start()
    helper.join()
    time.sleep(0.5)  # PDEATHSIG would have arrived by now
    try:
        assert started[0].alive(), "the child died with the thread that started it"
        assert not [d for d in supervisor.deaths() if "sleeper" in str(d)]
    finally:
        started[0].stop(5)
