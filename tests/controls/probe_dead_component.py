"""Probe for a component that dies mid-run: not collected by default, run by explicit path only.

The first test kills a component of the stack with SIGKILL (``$PROBE_KILL``: litellm or
paperless-ngx) and then does what a test does next; the second only asks for the stack.
"""

from __future__ import annotations

import os
import signal

from fixtures.archive import Archive
from fixtures.corpus import load
from fixtures.stack.base import Stack


def test_probe_kills_a_component_then_carries_on(stack: Stack, archive: Archive) -> None:
    processes = {p.name: p for p in stack.processes()}
    victim = {"litellm": "LiteLLM", "paperless-ngx": "Paperless-ngx"}[os.environ["PROBE_KILL"]]
    pid = processes[victim].pid
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)  # the whole group, as a Pod's container goes: workers too
    if victim == "LiteLLM":
        stack.wait_until_served_by("vllm")  # what every test's reset does
    else:
        archive.file(load().documents[:1])


def test_probe_only_asks_for_the_stack(stack: Stack) -> None:
    assert stack.is_up("vllm")
