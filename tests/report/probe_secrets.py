"""Probe for the secret scan: not collected by default, run by explicit path only.

It stands the whole local stack up, classifies a golden document (so every component logs real
work), writes this run's secrets to $PROBE_OUT (outside the report folder), then fails on purpose
so the diagnostics (log tails, journals, audit) are attached to the reports too. Two more fail with
a secret in plain sight: in an assertion's values and captured output, and in a fixture's error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fixtures.archive import Archive
from fixtures.corpus import load
from fixtures.stack.base import Stack
from fixtures.stack.pipeline import Pipeline


def test_probe_classifies_then_fails_with_every_secret_in_play(stack: Stack, archive: Archive) -> None:
    filed = archive.file(load().documents[:1])
    archive.classify()
    archive.wait_processed(filed)
    Path(os.environ["PROBE_OUT"]).write_text(json.dumps(stack.secrets()))
    raise AssertionError("failing on purpose: diagnostics must be attached, and still hold no secret")


def test_probe_fails_with_a_secret_in_its_assertion_and_its_output(pipeline: Pipeline) -> None:
    key = pipeline.env["API_KEY"]
    print(f"the test printed Paperless-AI's API key: {key}")
    assert key == "not-the-key", f"the key was {key}; the pipeline was {pipeline!r}"


@pytest.fixture
def broken(stack: Stack) -> None:
    raise RuntimeError(f"a fixture failing with the master key in its message: {stack.gateway.key}")


def test_probe_errors_in_a_fixture_that_names_a_secret(broken: None) -> None:
    raise AssertionError("not reached")
