"""Benchmark (prints figures): the lint stays a millisecond gate.

In-process: p50/p95 of linting the reference manifests, 50 times. As a command: the wall time of
``./conformance lint manifests`` (interpreter start included), 7 times. Target: < 1 s for the
median run (one run's maximum is the busiest moment of the machine, not the lint: CI saw 0.41 s,
a run beside a live stack 0.92 s); the ratio to the live suite's stack start-up (~8 s) is what
makes it worth running first.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from fixtures.failover import percentile
from fixtures.lint import lint
from fixtures.report.run_folder import RunFolder
from tests.controls.runner import REPO
from tests.manifest_patch import REFERENCE

EXAMPLE = REPO / "examples" / "home-lab-14.3" / "applications"

pytestmark = pytest.mark.bench


def test_the_lint_runs_well_under_a_second(run_folder: RunFolder, capsys: pytest.CaptureFixture[str]) -> None:
    in_process = []
    for _ in range(50):
        started = time.perf_counter()
        lint(REFERENCE)
        in_process.append(time.perf_counter() - started)
    command = []
    for _ in range(7):
        started = time.perf_counter()
        done = subprocess.run(
            [str(REPO / "conformance"), "lint", str(REFERENCE)], capture_output=True, check=False
        )
        command.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout

    figures = {
        "in_process_p50_ms": round(percentile(in_process, 50) * 1000, 2),
        "in_process_p95_ms": round(percentile(in_process, 95) * 1000, 2),
        "command_p50_s": round(percentile(command, 50), 3),
        "command_max_s": round(max(command), 3),
    }
    run_folder.write_json("bench-lint.json", figures)
    with capsys.disabled():
        print(
            f"\n[bench] lint: in-process p50 {figures['in_process_p50_ms']} ms, "
            f"p95 {figures['in_process_p95_ms']} ms; command p50 {figures['command_p50_s']} s, "
            f"max {figures['command_max_s']} s"
        )
    median = percentile(command, 50)
    assert median < 1.0, f"the lint command took {median:.2f} s in the median of 7 runs (target < 1 s)"


def test_discovery_and_lint_of_the_owner_style_tree_take_under_100_ms(
    run_folder: RunFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    """The owner's layout (Helm values, other tools' CRDs, unrelated applications) read, the pipeline
    discovered by reference and every rule run: the whole gate, in-process, against its budget."""
    lint(EXAMPLE)  # imports and the env table loaded once, as in a long-lived hook
    timings = []
    for _ in range(30):
        started = time.perf_counter()
        lint(EXAMPLE)
        timings.append(time.perf_counter() - started)
    reference = []
    for _ in range(30):
        started = time.perf_counter()
        lint(REFERENCE)
        reference.append(time.perf_counter() - started)
    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    ratio = p50 / percentile(reference, 50)
    run_folder.write_json(
        "bench-discovery.json",
        {
            "owner_style_p50_ms": round(p50 * 1000, 2),
            "owner_style_p95_ms": round(p95 * 1000, 2),
            "reference_p50_ms": round(percentile(reference, 50) * 1000, 2),
            "ratio_to_reference": round(ratio, 2),
        },
    )
    with capsys.disabled():
        print(
            f"\n[bench] discovery + lint of the owner-style tree: p50 {p50 * 1000:.1f} ms, "
            f"p95 {p95 * 1000:.1f} ms ({ratio:.1f}x the reference manifests' p50)"
        )
    assert p50 < 0.100, (
        f"discovery + lint of the owner-style tree took {p50 * 1000:.0f} ms in the median (budget 100)"
    )
