"""Probes for the no-leftovers test: not collected by default, run by explicit path only.

Each probe writes the pids and ports of what the stack started to $PROBE_OUT, then ends in the way
the outer test asks: by failing, or by waiting to be interrupted.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from fixtures.stack.base import Stack


def _report(stack: Stack) -> None:
    processes = stack.processes()  # type: ignore[attr-defined]
    state = {"pids": [p.pid for p in processes], "ports": sorted(stack.ports.values())}  # type: ignore[attr-defined]
    Path(os.environ["PROBE_OUT"]).write_text(json.dumps(state))


def test_probe_fails_while_the_stack_is_up(stack: Stack) -> None:
    _report(stack)
    raise AssertionError("failing on purpose: the stack must still be torn down")


def test_probe_waits_to_be_interrupted(stack: Stack) -> None:
    _report(stack)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.1)
    raise AssertionError("was never interrupted")
