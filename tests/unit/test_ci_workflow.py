"""The kind workflow (.github/workflows/) runs on current runners and installs what the kind stack pins.

Nothing here runs the workflow (no Docker on this machine): its YAML is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.stack.factory import KIND_NODE_IMAGE, KIND_RELEASE
from tests.controls.runner import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
# The first major whose action.yml says `runs: using: node24` (read at each tag; GitHub's runners
# force Node-20 actions onto Node 24 and then remove Node 20). upload-artifact v5 still said node20.
NODE24_SINCE = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/setup-node": 5,
    "actions/upload-artifact": 6,
    "helm/kind-action": 1,  # the moving v1 tag (v1.14.0) says node24
}


def steps(path: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load(path.read_text())
    return [step for job in workflow["jobs"].values() for step in job.get("steps") or []]


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_the_workflow_uses_is_a_major_that_runs_on_node_24(path: Path) -> None:
    found = [str(step["uses"]) for step in steps(path) if "uses" in step]
    stale = []
    for uses in found:
        action, _, ref = uses.partition("@")
        major = re.fullmatch(r"v(\d+)(?:\.\d+)*", ref)
        if action not in NODE24_SINCE or major is None or int(major.group(1)) < NODE24_SINCE[action]:
            stale.append(uses)

    assert found and not stale, f"{path.name}: not known to run on Node 24: {stale}"


def test_the_workflow_installs_the_kind_release_whose_node_image_the_stack_pins_and_its_kubectl() -> None:
    (kind,) = [
        s for p in WORKFLOWS for s in steps(p) if str(s.get("uses", "")).startswith("helm/kind-action@")
    ]
    node = re.search(r":(v[\d.]+)@sha256:[0-9a-f]{64}$", KIND_NODE_IMAGE)

    assert node is not None, f"{KIND_NODE_IMAGE}: not pinned by digest"
    assert kind["with"]["version"] == KIND_RELEASE and kind["with"]["kubectl_version"] == node.group(1)


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_no_step_passes_the_deprecated_timeout_option(path: Path) -> None:
    # To pytest, --timeout is the suite's deprecated first spelling of --stack-timeout (the run warns, and
    # pytest-timeout's own option has the same name); to `kind create cluster` it is no flag (--wait is).
    runs = [str(step["run"]) for step in steps(path) if "run" in step]
    passing = [run for run in runs if any(w.partition("=")[0] == "--timeout" for w in run.split())]

    assert not passing, f"{path.name}: use --stack-timeout KIND=S: {passing}"
