"""Benchmark (prints figures): the local stack starts as fast on the owner's layout as on ours.

The gateway side (three mock tiers and the real LiteLLM, from each tree's own Pod template) is
started and stopped on the reference ``manifests/`` and on the owner-style example tree, alternately,
twice each, in one run; the ratio of the medians is the figure (discovery, deploy-time Secrets and
the rendered config must not cost what LiteLLM's ~12 s of CPU would hide). ``bench-stack-start.json``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures.core.run import Run
from fixtures.core.timeouts import Timeouts
from fixtures.failover import percentile
from fixtures.report.run_folder import RunFolder
from fixtures.stack.local.stack import LocalStack
from tests.controls.runner import REPO

pytestmark = pytest.mark.bench

TREES = {"reference": REPO / "manifests", "owner-style": REPO / "examples" / "home-lab-14.3" / "applications"}
RATIO_BUDGET = 1.25  # "no slower": the medians within the noise of two LiteLLM starts on 2 cores


def _start_once(tree: Path, folder: Path, timeouts: Timeouts) -> float:
    stack = LocalStack(tree, Run(RunFolder(folder)), timeouts)
    began = time.monotonic()
    try:
        stack.start()
        return time.monotonic() - began
    finally:
        stack.stop()


def test_the_local_stack_starts_on_the_owner_style_tree_no_slower_than_on_the_reference(
    run_folder: RunFolder, timeouts: Timeouts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found: dict[str, list[float]] = {name: [] for name in TREES}
    for round_ in range(2):
        for name, tree in TREES.items():
            found[name].append(_start_once(tree, tmp_path / f"{name}-{round_}", timeouts))
    medians = {name: percentile(values, 50) for name, values in found.items()}
    ratio = medians["owner-style"] / medians["reference"]
    run_folder.write_json(
        "bench-stack-start.json",
        {"starts_s": {k: [round(v, 2) for v in vs] for k, vs in found.items()}, "ratio": round(ratio, 3)},
    )
    with capsys.disabled():
        print(
            f"\n[bench] local stack start (tiers + LiteLLM): reference {medians['reference']:.1f} s, "
            f"owner-style {medians['owner-style']:.1f} s (ratio {ratio:.2f})"
        )
    assert ratio <= RATIO_BUDGET, (
        f"the owner-style tree starts {ratio:.2f}x slower than the reference: {found}"
    )
