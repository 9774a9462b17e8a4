"""The run's network: read from its own namespace, and ``./isolated`` leaves it only loopback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.core.isolation import interfaces, loopback_only

REPO = Path(__file__).resolve().parents[2]
HEADER = "Inter-|   Receive\n face |bytes    packets\n"

# Runs inside ./isolated: asks only after making sure the namespace has nothing but loopback, so no
# packet can leave this machine even if the isolation failed.
PROBE = """
import errno, socket, sys
from fixtures.core.isolation import loopback_only
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


# Stand-ins for unshare and ip, first on PATH: the namespace they "make" only says it was asked for,
# so which way ./isolated went shows without root and without touching the machine's network.
FAKE_UNSHARE = """#!/bin/sh
[ "$*" = "--net true" ] && exit 0
echo "namespace"
"""


def isolated_would(tmp_path: Path, *args: str) -> str:
    """What ``./isolated echo as-is ARGS`` does: "namespace", or the command run as is."""
    fakes = tmp_path / "bin"
    fakes.mkdir(exist_ok=True)
    for name, text in (("unshare", FAKE_UNSHARE), ("ip", "#!/bin/sh\nexit 0\n")):
        (fakes / name).write_text(text)
        (fakes / name).chmod(0o755)
    done = subprocess.run(
        [str(REPO / "isolated"), "echo", "as-is", *args],
        env={"PATH": f"{fakes}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    "args",
    [("-k", "cluster"), ("-k", "kind"), ("suites/test_cluster.py::kind",), ("--stack", "local", "cluster"),
     ("--stack=kind", "--stack=local"), ("--manifests", "cluster")],
    ids=["-k cluster", "-k kind", "a test id", "a word after --stack local", "the last --stack wins",
         "a folder named so"],
)  # fmt: skip
def test_a_word_kind_or_cluster_outside_the_stack_option_still_runs_isolated(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    assert isolated_would(tmp_path, *args) == "namespace"


@pytest.mark.parametrize(
    "args",
    [("--stack=kind",), ("--stack", "kind"), ("--stack=cluster",), ("-q", "--stack", "cluster", "-k", "x")],
)
def test_a_run_on_a_real_cluster_runs_with_the_network(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert isolated_would(tmp_path, *args) == " ".join(("as-is", *args))
