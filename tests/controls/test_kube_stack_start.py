"""--stack kind / --stack cluster on a machine without their tools: a clear error at session start.

This machine has no Docker engine, no kind and no Kubernetes, which makes it the right place to
prove the failure path: every test errors with the missing tool named, nothing hangs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.controls.runner import REPO, run_suites

pytestmark = pytest.mark.control


def test_kind_without_kind_on_the_path_errors_at_start_naming_it(tmp_path: Path) -> None:
    if shutil.which("kind"):
        pytest.skip("kind is installed here: this check needs a machine without it")

    run = run_suites(
        ["suites/test_ac1_routing.py", "-k", "raw_vllm", "--stack", "kind"],
        REPO / "manifests",
        tmp_path,
        timeout=120,
    )

    (outcome,) = run.outcomes.values()
    assert outcome.result == "error", run.output
    assert "starting the kind stack" in outcome.message and "`kind` on PATH" in outcome.message, (
        outcome.message
    )


def test_a_cluster_with_an_unusable_kubeconfig_errors_at_start_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-kubeconfig"
    selection = [
        "suites/test_ac1_routing.py",
        "-k",
        "raw_vllm",
        "--stack",
        "cluster",
        "--kubeconfig",
        str(missing),
    ]

    run = run_suites(selection, REPO / "manifests", tmp_path, timeout=120)

    (outcome,) = run.outcomes.values()
    assert outcome.result == "error", run.output
    assert "starting the cluster stack" in outcome.message and str(missing) in outcome.message, (
        outcome.message
    )
