"""Processes the stack starts: never left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError
from fixtures.core.ports import free_port
from fixtures.core.processes import Process, Supervisor


def test_a_process_left_running_is_stopped_when_the_interpreter_exits(tmp_path: Path) -> None:
    """``stop_all`` runs at exit: a child that ignores SIGTERM (so PDEATHSIG alone does not end it) is
    gone by the time the interpreter that started it has exited."""
    script = (
        "from pathlib import Path\n"
        "from fixtures.core.processes import Process, Supervisor\n"
        "from fixtures.core.redaction import Secrets\n"
        "loop = ['sh', '-c', 'trap \"\" TERM; while :; do sleep 0.1; done']\n"
        f"proc = Process(Supervisor(Secrets()), 'stubborn', loop, "
        f"Path({str(tmp_path / 'log')!r})).start()\n"
        "print(proc.pid, flush=True)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(done.stdout.split()[0])

    assert not _alive(pid), f"process {pid} outlived the interpreter that started it"


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_server_that_dies_is_reported_with_the_first_error_line_of_its_log_not_only_its_tail(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    """LiteLLM after a failed bind: the error, then 70 lines of shutdown traceback, then exit 3. The
    one-line message must carry the bind error, which no tail of 20 lines shows."""

    script = (
        "echo 'INFO: starting'; "
        'echo "ERROR:    [Errno 98] error while attempting to bind on address '
        "('127.0.0.1', 1): address already in use\"; "
        'for i in $(seq 70); do echo "  File shutdown.py, line $i"; done; exit 3'
    )
    proc = Process(supervisor, "server", ["sh", "-c", script], tmp_path / "server.log").start()
    _wait_dead(proc)

    with pytest.raises(ComponentError) as caught:
        proc.check_alive()

    assert "exited with code 3" in str(caught.value)
    assert "first error in its log: ERROR:    [Errno 98]" in str(caught.value)
    assert "[Errno 98]" not in proc.tail(20)
    proc.stop()


def test_the_first_error_named_is_this_starts_not_an_earlier_runs_of_the_same_log(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    """A tier scaled back up appends to its log: an error of its first life is not why it died now."""
    log = tmp_path / "tier.log"
    first = Process(
        supervisor, "tier", ["sh", "-c", "echo 'ERROR: the fault a test injected'; exit 1"], log
    ).start()
    _wait_dead(first)
    second = Process(
        supervisor, "tier", ["sh", "-c", "echo 'OSError: [Errno 98] address already in use'; exit 3"], log
    )
    second.start()
    _wait_dead(second)

    with pytest.raises(ComponentError) as caught:
        second.check_alive()

    assert "first error in its log: OSError: [Errno 98]" in str(caught.value)
    assert "the fault a test injected" in log.read_text(), "the log keeps both lives"


def _wait_dead(proc: Process) -> None:
    """Until the process has exited and its watcher has recorded the exit (before the test's supervisor
    is stopped)."""
    deadline = time.monotonic() + 30
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.watched.wait(max(deadline - time.monotonic(), 0))


def test_readiness_is_measured_in_wall_time_and_in_the_cpu_the_process_spent(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    """A server that computes 0.5 s before it listens (as LiteLLM imports for ~10 s): its own CPU
    time until it serves is at least that (less the kernel's tick rounding: /proc counts in ticks),
    and never more than the wall time it took."""
    script = (
        "import http.server, sys, time\n"
        "while time.process_time() < 0.5:\n"
        "    pass\n"
        "http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]),"
        " bind='127.0.0.1')\n"
    )
    port = free_port(tmp_path / "ports")
    proc = Process(
        supervisor, "busy server", [sys.executable, "-c", script, str(port)], tmp_path / "log", cwd=tmp_path
    )
    try:
        proc.start().wait_serving(f"http://127.0.0.1:{port}/", "the busy server", timeout=30)
        assert proc.ready_after is not None
        wall, cpu = proc.ready_after
        tick = 1 / os.sysconf("SC_CLK_TCK")
        assert cpu is not None and 0.5 - 2 * tick <= cpu <= wall, proc.ready_after
    finally:
        proc.stop(5)
