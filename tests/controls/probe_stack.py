"""Probes for the no-leftovers test: not collected by default, run by explicit path only.

Each probe starts the whole stack (the Paperless side included), writes the pids and ports of what
it started to $PROBE_OUT, then ends in the way the outer test asks: by failing, or by waiting to be
interrupted.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from fixtures.stack.base import Stack
from fixtures.stack.pipeline import Pipeline


def _report(stack: Stack) -> None:
    processes = stack.processes()  # type: ignore[attr-defined]
    paperless = stack.paperless  # type: ignore[attr-defined]
    ports = [*stack.ports.values(), paperless.ai_port]  # type: ignore[attr-defined]
    if paperless.real_ngx is not None:  # the real Paperless-ngx: its web server and its Redis
        ports += [paperless.real_ngx.port, paperless.real_ngx.redis_port]
        if paperless.real_ngx.postgres is not None:  # and its database server
            ports.append(paperless.real_ngx.postgres.port)
    state = {"pids": [p.pid for p in processes], "ports": sorted(ports)}
    out = Path(os.environ["PROBE_OUT"])  # whole or not at all: the outer test signals once it exists
    out.with_suffix(".tmp").write_text(json.dumps(state))
    out.with_suffix(".tmp").replace(out)


def test_probe_fails_while_the_stack_is_up(stack: Stack, pipeline: Pipeline) -> None:
    _report(stack)
    raise AssertionError("failing on purpose: the stack must still be torn down")


def test_probe_waits_to_be_interrupted(stack: Stack, pipeline: Pipeline) -> None:
    _report(stack)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.1)
    raise AssertionError("was never interrupted")
