"""Probe for the secret scan: not collected by default, run by explicit path only.

It stands the whole local stack up, classifies a golden document (so every component logs real
work), writes this run's secrets to $PROBE_OUT (outside the report folder), then fails on purpose
so the diagnostics (log tails, journals, audit) are attached to the reports too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fixtures.archive import Archive
from fixtures.corpus import load
from fixtures.stack.base import Stack


def test_probe_classifies_then_fails_with_every_secret_in_play(stack: Stack, archive: Archive) -> None:
    filed = archive.file(load().documents[:1])
    archive.classify()
    archive.wait_processed(filed)
    Path(os.environ["PROBE_OUT"]).write_text(json.dumps(stack.secrets()))
    raise AssertionError("failing on purpose: diagnostics must be attached, and still hold no secret")
