"""Run a conformance selection while something listens on 10.0.0.5; print what reached it (JSON).

Runs inside a network namespace of its own where 10.0.0.5 is an address of ``lo`` (the control
sets it up with ``unshare``), so a configuration pointing there would really connect: the
listener counts every connection, and one made by the probe itself first proves it can count.

    python -m tests.controls.probe_egress MANIFESTS WORKDIR SELECTION...
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

from tests.controls.runner import run_suites

ELSEWHERE = "10.0.0.5"
PORTS = (4000, 6379, 8000)  # LiteLLM, Redis, vLLM as the mutated manifests name them


def listen(port: int, seen: dict[int, int]) -> socket.socket:
    server = socket.create_server((ELSEWHERE, port))

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            seen[port] += 1
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return server


def main(manifests: Path, workdir: Path, selection: list[str]) -> None:
    seen = dict.fromkeys(PORTS, 0)
    servers = [listen(port, seen) for port in PORTS]
    with socket.create_connection((ELSEWHERE, PORTS[0]), timeout=2):
        pass  # the listener works: this one connection is subtracted below
    run = run_suites(selection, manifests, workdir, timeout=240)
    seen[PORTS[0]] -= 1
    for server in servers:
        server.close()
    outcomes = {name: [o.result, o.message[:3000]] for name, o in run.outcomes.items()}
    print(json.dumps({"returncode": run.returncode, "connections": seen, "outcomes": outcomes}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
