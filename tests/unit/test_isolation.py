"""The run's network: read from its own namespace, and ``./isolated`` leaves it only loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.isolation import interfaces, loopback_only

REPO = Path(__file__).resolve().parents[2]
HEADER = "Inter-|   Receive\n face |bytes    packets\n"

# Runs inside ./isolated: asks only after making sure the namespace has nothing but loopback, so no
# packet can leave this machine even if the isolation failed.
PROBE = """
import errno, socket, sys
from fixtures.isolation import loopback_only
if not loopback_only():
    sys.exit(3)
s = socket.socket()
s.settimeout(2)
print(errno.errorcode.get(s.connect_ex(("10.0.0.5", 4000)), "connected"))
"""


def test_only_loopback_counts_as_isolated(tmp_path: Path) -> None:
    isolated, host = tmp_path / "isolated", tmp_path / "host"
    isolated.write_text(HEADER + "    lo: 0 0 0 0\n")
    host.write_text(HEADER + "    lo: 0 0 0 0\n  eth0: 1 2 3 4\n")

    assert interfaces(host) == ["lo", "eth0"]
    assert loopback_only(isolated) and not loopback_only(host)
    assert not loopback_only(tmp_path / "missing"), "unknown is never 'isolated'"


def test_a_command_run_isolated_cannot_reach_another_address() -> None:
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--net", "true"]).returncode != 0:
        pytest.skip("needs network namespaces (unshare --net: root or user namespaces)")

    done = subprocess.run(
        [str(REPO / "isolated"), sys.executable, "-c", PROBE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 0, f"the probe did not run isolated (exit {done.returncode}): {done.stderr}"
    assert done.stdout.strip() == "ENETUNREACH", f"10.0.0.5 from inside ./isolated: {done.stdout}"
