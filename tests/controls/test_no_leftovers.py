"""Whatever way a run ends, no process it started and no port it opened is left behind."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from fixtures.wait import wait_for
from tests.controls.runner import REPO, child_pytest

PROBE = "tests/controls/probe_stack.py"


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
    # Runs in the child before exec. A run started in the background (``cmd &`` in a script, nohup,
    # some CI runners) inherits SIGINT ignored, and Python then never turns Ctrl-C into
    # KeyboardInterrupt: the "ctrl-c" case would test nothing but a hang (seen in a clean-clone run).
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    ("probe", "ending", "exit_codes"),
    [
        ("test_probe_fails_while_the_stack_is_up", None, {1}),
        ("test_probe_waits_to_be_interrupted", signal.SIGINT, {2}),
        ("test_probe_waits_to_be_interrupted", signal.SIGTERM, {2}),
        ("test_probe_waits_to_be_interrupted", signal.SIGKILL, {-9}),
    ],
    ids=["failing test", "ctrl-c", "sigterm", "sigkill"],
)
def test_no_process_or_port_is_left_behind(
    tmp_path: Path, probe: str, ending: signal.Signals | None, exit_codes
):
    out = tmp_path / "probe.json"
    argv, env = child_pytest([f"{PROBE}::{probe}"], tmp_path / "reports")
    env["PROBE_OUT"] = str(out)
    output = tmp_path / "child-output.txt"  # a file, not a pipe nobody reads while the child runs
    with output.open("wb") as sink:
        child = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=_as_from_a_terminal
        )
    try:
        wait_for(
            lambda: out.exists() or child.poll() is not None, timeout=120, what="the probe's stack to be up"
        )
        assert out.exists(), f"the probe ended before its stack was up:\n{output.read_text()[-3000:]}"
        if ending is not None:
            child.send_signal(ending)
        try:
            child.wait(60)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the run did not end within 60 s after {ending.name if ending else 'its test'}; "
                f"its output:\n{output.read_text(errors='replace')[-3000:]}",
                pytrace=False,
            )
    finally:
        if child.poll() is None:
            child.kill()
    state = json.loads(out.read_text())
    assert child.returncode in exit_codes, f"pytest exited {child.returncode}, expected {exit_codes}"
    assert len(state["pids"]) == 8, (
        "expected LiteLLM, three tiers, Paperless-ngx (Redis, web server, worker) and Paperless-AI "
        f"running; the probe saw {state}"
    )

    wait_for(
        lambda: all(_gone(pid) for pid in state["pids"]), timeout=15, what="every started process to exit"
    )
    # their own children too (granian's workers, Celery's pool, node's helpers): each group is empty
    wait_for(
        lambda: not _in_groups(set(state["pids"])), timeout=15, what="every started process group to empty"
    )
    # as for the processes: bounded, since a socket outlives its SIGKILLed owner by a moment
    wait_for(
        lambda: not [port for port in state["ports"] if _listening(port)],
        timeout=15,
        what="every port the run opened to close",
        diagnostics=lambda: f"still listening: {[port for port in state['ports'] if _listening(port)]}",
    )
