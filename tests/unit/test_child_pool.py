"""The session's pool of child runs (tests/controls/runner.py): a job submitted ``alone`` runs with no
other child beside it, and the rest still run side by side, ``parallel`` at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tests.controls.runner import ChildPool


def test_a_job_alone_runs_with_no_other_beside_it_and_the_rest_run_side_by_side() -> None:
    pool = ChildPool(3)
    lock, live, peak = threading.Lock(), [0], {}

    def job(name: str, seconds: float) -> Callable[[], str]:
        def run() -> str:
            with lock:
                live[0] += 1
                peak[name] = live[0]
            time.sleep(seconds)
            with lock:
                live[0] -= 1
            return name

        return run

    pool.submit("alone", job("alone", 0.3), alone=True)
    for n in range(6):
        pool.submit(f"n{n}", job(f"n{n}", 0.2))
    pool.open()

    assert [pool.result(key) for key in ["alone", *(f"n{n}" for n in range(6))]] == [
        "alone", *(f"n{n}" for n in range(6))
    ]  # fmt: skip
    assert peak["alone"] == 1, "another child ran beside the one that must run alone"
    assert max(peak.values()) == 3, f"the others did not run three at a time: {peak}"
