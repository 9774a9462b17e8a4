"""Ports for the stack's processes: free, and never in the range outgoing connections draw from."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from fixtures.processes import _ephemeral_floor, free_port


def test_a_free_port_is_below_the_ephemeral_range_and_bindable() -> None:
    ports = {free_port() for _ in range(20)}

    assert all(10_000 <= port < _ephemeral_floor() for port in ports)
    for port in list(ports)[:3]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_process_left_running_is_stopped_when_the_interpreter_exits(tmp_path: Path) -> None:
    """``stop_all`` runs at exit: a child that ignores SIGTERM (so PDEATHSIG alone does not end it) is
    gone by the time the interpreter that started it has exited."""
    script = (
        "from pathlib import Path\n"
        "from fixtures.processes import Process\n"
        f"proc = Process('stubborn', ['sh', '-c', 'trap \"\" TERM; while :; do sleep 0.1; done'], "
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
