"""Broken input and components that do not come up: a clear error at session start, never a hang.

Misconfigurations the conformance tests must *fail* on are the mutant catalog's job
(``tests/mutants/``); here the input is unusable, and every test must *error* with the file and key,
or with the dying component's last log lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.controls.runner import run_suites
from tests.manifest_patch import apply, patched_manifests

pytestmark = pytest.mark.control


def _no_vllm_group(config: dict[str, Any]) -> None:
    config["model_list"][0]["model_name"] = "gpu-qwen"


def _callback_that_does_not_exist(config: dict[str, Any]) -> None:
    config["litellm_settings"]["callbacks"] = ["no_such_module.handler"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_no_vllm_group, "data.config.yaml: model_list: no model group 'vllm-qwen'"),
        (None, "empty: the manifests folder does not exist"),
    ],
    ids=["no vllm-qwen group", "missing manifest"],
)
def test_broken_input_fails_at_session_start_naming_file_and_key(
    tmp_path: Path, change, expected: str
) -> None:
    manifests = patched_manifests(tmp_path / "manifests", change) if change else tmp_path / "empty"

    run = run_suites(["suites/test_ac1_routing.py"], manifests, tmp_path, timeout=60)

    assert run.returncode == 1 and run.errors() and not run.failed(), run.output
    assert all(expected in o.message for o in run.outcomes.values()), f"expected {expected!r}:\n{run.output}"


def test_a_gateway_that_dies_at_start_is_reported_with_its_last_log_lines(tmp_path: Path) -> None:
    manifests = patched_manifests(tmp_path / "manifests", _callback_that_does_not_exist)

    run = run_suites(["suites/test_ac1_routing.py", "-k", "raw_vllm"], manifests, tmp_path, timeout=120)

    (outcome,) = run.outcomes.values()
    assert outcome.result == "error", run.output
    assert "LiteLLM: exited" in outcome.message and "last lines of LiteLLM's log" in outcome.message
    assert "no_such_module" in outcome.message, outcome.message


def test_a_litellm_pod_reading_its_config_from_elsewhere_stops_the_run_naming_deployment_and_key(
    tmp_path: Path,
) -> None:
    op = {"file": "litellm/deployment.yaml", "doc": 0, "set": "spec.template.spec.containers.0.args.1",
          "value": "/etc/other/config.yaml"}  # fmt: skip
    manifests = apply([op], tmp_path / "manifests")

    run = run_suites(["suites/test_ac1_routing.py", "-k", "raw_vllm"], manifests, tmp_path, timeout=60)

    (outcome,) = run.outcomes.values()
    assert outcome.result == "error", run.output
    expected = (
        "litellm/deployment.yaml: Deployment ml/litellm container litellm: --config /etc/other/config.yaml"
    )
    assert expected in outcome.message and "does not resolve" in outcome.message, outcome.message
    assert "mounts: /etc/litellm (configMap litellm-config)" in outcome.message, outcome.message
