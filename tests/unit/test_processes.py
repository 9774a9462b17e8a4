"""Ports for the stack's processes: free, and never in the range outgoing connections draw from."""

from __future__ import annotations

import socket

from fixtures.processes import _ephemeral_floor, free_port


def test_a_free_port_is_below_the_ephemeral_range_and_bindable() -> None:
    ports = {free_port() for _ in range(20)}

    assert all(10_000 <= port < _ephemeral_floor() for port in ports)
    for port in list(ports)[:3]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
