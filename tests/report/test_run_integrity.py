"""Child runs that reproduce issue 11's probes, none of which starts the stack (each a second or two).

Problem 1: a partial selection, a lint failure, a signal, a kill and a secret in the reports each
give a headline that says so, with an exit status that agrees. Problem 4: a binary manifest fails
the suites with the finding, not tracebacks. Problem 5: a usage error makes no run folder and
leaves ``latest`` alone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from fixtures.report.run_folder import RunFolder
from tests.controls.runner import REPO, child_pytest
from tests.manifest_patch import apply
from tests.report.probe_ledger import PLANTED

PROBE = "tests/report/probe_ledger.py"
SIGNOFF = "signoff.md"


def child(reports: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv, base = child_pytest(list(args), reports, "--allure-html", "off")
    return subprocess.run(
        argv, cwd=REPO, env={**base, **(env or {})}, capture_output=True, text=True, timeout=60, check=False
    )


def headline(reports: Path) -> str:
    first = (reports / "latest" / SIGNOFF).read_text().splitlines()[0]
    return first.removeprefix("# Story 14.3 acceptance: ")


def test_a_k_selection_is_partial_with_what_it_left_out_and_criteria_in_junit(tmp_path: Path) -> None:
    done = child(tmp_path, "suites/test_config_conformance.py", "-k", "PAI00")

    folder = tmp_path / "latest"
    text = (folder / SIGNOFF).read_text()
    chosen = json.loads((folder / "selection.json").read_text())
    assert done.returncode == 0 and headline(tmp_path) == "PARTIAL: not a sign-off", done.stdout[-2000:]
    left = {cid: sum(cid in t["criteria"] for t in chosen["left_out"]) for cid in ("lint", "ac2", "nfr65")}
    assert left["lint"] > 0 and f"LINT {left['lint']} of " in text and f"NFR65 {left['nfr65']} of " in text
    assert "| Configuration lint: the manifests follow every rule | **not proven** |" in text
    lines = (folder / "outcomes.jsonl").read_text().splitlines()
    assert len(lines) == len(chosen["selected"]) and all(json.loads(line)["called"] for line in lines)
    junit = (folder / "junit.xml").read_text()
    assert junit.count('<property name="criterion" value="lint" />') == len(lines)


def test_a_lint_failure_fails_the_sign_off_and_the_exit_status(tmp_path: Path) -> None:
    manifests = apply(
        [{"file": "paperless-ai/configmap.yaml", "set": "data.CUSTOM_API_KEY", "value": "x"}], tmp_path / "m"
    )

    done = child(tmp_path / "reports", "suites", "-m", "lint", "--manifests", str(manifests))

    text = (tmp_path / "reports" / "latest" / SIGNOFF).read_text()
    assert done.returncode == 1 and headline(tmp_path / "reports") == "SIGN-OFF FAIL", done.stdout[-2000:]
    assert "failed: LINT" in text
    assert "| Configuration lint: the manifests follow every rule | **fail** |" in text
    assert "PAI006" in text.split("## Why tests failed", 1)[1]


def _probe_until_waiting(tmp_path: Path) -> subprocess.Popen[str]:
    ready = tmp_path / "ready"
    argv, env = child_pytest([PROBE], tmp_path / "reports", "--allure-html", "off")
    env.update(PROBE_MODE="hang", PROBE_READY=str(ready))
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    proc = subprocess.Popen(argv, cwd=REPO, env=env, **output)
    deadline = time.monotonic() + 30
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), f"the probe never reached its waiting test: {proc.communicate()[0][-2000:]}"
    return proc


def test_sigterm_mid_run_says_interrupted_with_the_signal_and_the_tests_not_run(tmp_path: Path) -> None:
    proc = _probe_until_waiting(tmp_path)

    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=30)[0]

    text = (tmp_path / "reports" / "latest" / SIGNOFF).read_text()
    assert proc.returncode == 2, output[-2000:]
    assert headline(tmp_path / "reports") == "INTERRUPTED (SIGTERM): 4 tests did not run"
    assert "stopped during tests/report/probe_ledger.py::test_probe_waits_to_be_signalled" in text
    assert "the probe failed on purpose / second line of the reason" in text
    assert "| AC3: with vLLM gone, requests fall back and processing completes | **not proven** |" in text


def test_a_killed_run_is_rebuilt_by_conformance_report_from_outcomes_jsonl(tmp_path: Path) -> None:
    proc = _probe_until_waiting(tmp_path)

    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    folder = (tmp_path / "reports" / "latest").resolve()
    assert not (folder / SIGNOFF).exists()
    command = [str(REPO / "conformance"), "report", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)

    assert done.returncode == 0, done.stderr
    assert headline(tmp_path / "reports") == "INCOMPLETE: the run was killed; rebuilt from outcomes.jsonl"
    text = (folder / SIGNOFF).read_text()
    assert "3 of 7 selected tests finished" in text and "not done: the run was killed" in text


def test_a_secret_in_the_reports_makes_the_headline_fail_and_stays_off_the_page(tmp_path: Path) -> None:
    done = child(tmp_path, PROBE, env={"PROBE_MODE": "secret"})

    folder = tmp_path / "latest"
    assert done.returncode == 1 and headline(tmp_path) == "SIGN-OFF FAIL", done.stdout[-2000:]
    assert "SECRETS FOUND (the run fails): probe key in leaked.log" in (folder / SIGNOFF).read_text()
    assert all(PLANTED not in (folder / name).read_text() for name in (SIGNOFF, "signoff.html"))


@pytest.mark.parametrize(
    "usage",
    [["--keep-reports", "0"], ["--stack-timeout", "startup=nan"], ["--cold-start-budget", "-5"],
     ["--stack", "cluster", "--paperless-ai-dir", "/nowhere"]],
    ids=["keep-reports 0", "timeout nan", "cold-start-budget -5", "a later plugin's usage error"],
)  # fmt: skip
def test_a_usage_error_makes_no_run_folder_and_leaves_latest_alone(tmp_path: Path, usage: list[str]) -> None:
    before = RunFolder.create(tmp_path).root

    done = child(tmp_path, "suites", "-m", "lint", *usage)

    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    assert usage[0] in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([before.name, "latest"])
    assert (tmp_path / "latest").resolve() == before


def test_a_binary_manifest_fails_the_suites_with_the_finding_not_tracebacks(tmp_path: Path) -> None:
    manifests = apply([], tmp_path / "m")
    (manifests / "litellm" / "configmap.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff")

    done = child(
        tmp_path / "reports", "suites/test_config_conformance.py", "suites/test_ac1_routing.py",
        "-k", "readable or raw_vllm", "--manifests", str(manifests),
    )  # fmt: skip

    text = (tmp_path / "reports" / "latest" / SIGNOFF).read_text()
    assert done.returncode == 1 and "Traceback" not in done.stdout and "UnicodeDecodeError" not in done.stdout
    # said twice: once by the lint's readability test, once for every test that needs the stack
    why = text.split("## Why tests failed", 1)[1].split("\n## ", 1)[0]
    assert why.count("litellm/configmap.yaml") == 2 and why.count("binary, not YAML text") == 2, why
