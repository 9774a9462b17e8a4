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
