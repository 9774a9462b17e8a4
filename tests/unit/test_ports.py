"""Ports for the stack's processes: free, below the range outgoing connections draw from, and never
handed to two harnesses at once (two mutant runs side by side in one network namespace)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.core.ports import QUARANTINE_S, ephemeral_floor, free_port


def test_a_free_port_is_below_the_ephemeral_range_bindable_and_claimed(tmp_path: Path) -> None:
    registry = tmp_path / "ports"
    ports = [free_port(registry) for _ in range(20)]

    assert len(set(ports)) == 20, "a port was handed out twice by one harness"
    assert all(10_000 <= port < ephemeral_floor() for port in ports)
    claimed = {int(line.split()[0]): int(line.split()[1]) for line in registry.read_text().splitlines()}
    assert claimed == dict.fromkeys(ports, os.getpid())
    for port in ports[:3]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_port_another_live_harness_claimed_is_not_handed_out_though_nothing_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case that killed a mutant run: the other harness's server has not bound yet (or its tier
    is scaled to 0), so the port looks free."""
    registry = tmp_path / "ports"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        registry.write_text(f"20000 {other.pid}\n20001 {other.pid}\n")
        draws = iter([20000, 20001, 20002])
        monkeypatch.setattr("fixtures.core.ports.random.randint", lambda lo, hi: next(draws))

        assert free_port(registry) == 20002
        assert registry.read_text() == f"20000 {other.pid}\n20001 {other.pid}\n20002 {os.getpid()}\n"
    finally:
        other.kill()
        other.wait()


def test_a_dead_harness_keeps_its_ports_for_the_quarantine_then_they_are_released_and_bad_lines_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dead run's ports are not handed out at once: a check that they closed (the no-leftovers
    control, its cases side by side) must never meet another run's server on them."""
    registry = tmp_path / "ports"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    registry.write_text(f"20000 {gone}\nnot a claim\n")
    draws = iter([20000, 20001, 20000])
    monkeypatch.setattr("fixtures.core.ports.random.randint", lambda lo, hi: next(draws))
    monkeypatch.setattr("fixtures.core.ports._bindable", lambda port: True)  # whoever else runs here
    now = [1000.0]
    monkeypatch.setattr("fixtures.core.ports._now", lambda: now[0])

    assert free_port(registry) == 20001, "the dead harness's port was handed out at once"
    assert registry.read_text() == f"20000 {gone} 1000.0\n20001 {os.getpid()}\n"
    now[0] += QUARANTINE_S
    assert free_port(registry) == 20000, "the quarantine never ended"
    assert registry.read_text() == f"20000 {os.getpid()}\n20001 {os.getpid()}\n"


def _draw_side_by_side(registries: list[Path]) -> list[set[str]]:
    """Two harness processes drawing 40 ports each at once from a range of 100 (where unclaimed draws
    would overlap about 16 times), each alive until both are done so their claims hold."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "import fixtures.core.ports as ports\n"
        "ports.LOWEST_PORT, ports.ephemeral_floor = 20_000, lambda: 20_100\n"
        "print(' '.join(str(ports.free_port(Path(sys.argv[1]))) for _ in range(40)), flush=True)\n"
        "time.sleep(3)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for path in registries
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    drawn = [set(out.split()) for out, _ in outputs]
    assert [len(ports) for ports in drawn] == [40, 40], outputs  # none twice to one harness
    return drawn


def test_two_harnesses_claiming_at_once_never_get_the_same_port(tmp_path: Path) -> None:
    first, second = _draw_side_by_side([tmp_path / "ports", tmp_path / "ports"])

    assert not first & second, "two live harnesses were handed the same port"


def test_without_the_shared_registry_the_same_draws_do_collide(tmp_path: Path) -> None:
    """The control for the test above: its range is narrow enough that unclaimed draws overlap."""
    first, second = _draw_side_by_side([tmp_path / "a", tmp_path / "b"])

    assert first & second
