"""Probe for the sign-off's integrity: not collected by default, run by explicit path only.

Tests that carry criteria and need no stack. ``PROBE_MODE=hang``: one passes, one fails, one is
skipped for a capability, then one waits to be signalled (``PROBE_READY`` is written when it
starts), and the rest never run. ``PROBE_MODE=secret``: a secret of the run is registered and
leaks into the report folder, then every test passes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fixtures.report.hooks import guard_secrets
from fixtures.report.run_folder import RunFolder

MODE = os.environ.get("PROBE_MODE", "hang")
PLANTED = "sk-probe-planted-0123456789abcdef"


@pytest.mark.ac2
def test_probe_passes() -> None:
    pass


@pytest.mark.ac2
def test_probe_fails() -> None:
    assert MODE != "hang", "the probe failed on purpose\nsecond line of the reason"


@pytest.mark.ac3
def test_probe_is_skipped_for_a_capability() -> None:
    if MODE == "hang":
        pytest.skip("needs journals, which the probe stack does not offer")


@pytest.mark.ac3
def test_probe_waits_to_be_signalled(run_folder: RunFolder, pytestconfig: pytest.Config) -> None:
    if MODE == "secret":
        guard_secrets(pytestconfig, {"probe key": PLANTED})
        run_folder.write_text("leaked.log", f"Authorization: Bearer {PLANTED}\n")
        return
    Path(os.environ["PROBE_READY"]).write_text("waiting")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a signal ends it; 60 s is the net if none comes
        time.sleep(0.05)


@pytest.mark.nfr65
@pytest.mark.parametrize("n", range(3))
def test_probe_after_the_signal(n: int) -> None:
    pass
