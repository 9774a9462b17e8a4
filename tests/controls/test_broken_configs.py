"""Negative controls: a broken configuration must make the right conformance test fail.

Each control is a small declarative change to the reference manifests (LiteLLM's config, Paperless-AI's
ConfigMap, or a stale persistent data/.env); the live suites run on it in a child pytest, and the
control passes only when the expected tests fail (not error: the harness must not crash) with a
message that names the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.controls.runner import run_suites
from tests.manifest_patch import patched_manifests, patched_paperless_ai

pytestmark = pytest.mark.control

AC3 = "suites/test_ac3_gaming_mode.py"
NFR65 = "suites/test_failover_timing.py"
GAMING = "test_in_gaming_mode_requests_for_the_vllm_group_are_served_by_ollama"
AC1 = "suites/test_ac1_routing.py"
AC2 = "suites/test_ac2_classification.py"
DRIFT = "suites/test_config_drift.py"
CONFIGURED = "test_paperless_ai_is_configured_for_the_litellm_gateway"
STORED = "test_every_golden_document_is_stored_as_classified_by_the_available_tier"


@dataclass(frozen=True)
class Control:
    id: str
    manifests: Callable[[Path], Path]  # builds the broken manifests folder at the given path
    selection: list[str]
    must_fail: dict[str, str]  # test name -> text its failure message must contain


def _litellm(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    return lambda target: patched_manifests(target, change)


def _paperless(
    data: dict[str, str | None] | None = None, dotenv: dict[str, str] | None = None
) -> Callable[[Path], Path]:
    return lambda target: patched_paperless_ai(target, data, dotenv)


# What the story's volume still held: the setup wizard's file from the days of a direct Ollama.
STALE_DOTENV = {
    "AI_PROVIDER": "ollama",
    "OLLAMA_API_URL": "http://ollama.ml.svc.cluster.local:11434",
    "OLLAMA_MODEL": "qwen2.5:3b",
    "PAPERLESS_API_URL": "http://paperless-ngx.docs.svc.cluster.local:8000/api",
    "PAPERLESS_USERNAME": "admin",
}


def _chain_without_ollama(config: dict[str, Any]) -> None:
    config["litellm_settings"]["fallbacks"] = [{"vllm-qwen": ["openai-gpt4o"]}]


def _tier_timeout(index: int, seconds: float) -> Callable[[dict[str, Any]], None]:
    """Set the timeout of model_list[index] (0: vLLM, 1: Ollama), streamed requests included."""

    def change(config: dict[str, Any]) -> None:
        config["model_list"][index]["litellm_params"].update(timeout=seconds, stream_timeout=seconds)

    return change


def _retries_left_at_default(config: dict[str, Any]) -> None:
    for section in ("litellm_settings", "router_settings"):
        (config.get(section) or {}).pop("num_retries", None)


CONTROLS = [
    Control(
        "chain_without_ollama",
        _litellm(_chain_without_ollama),
        [AC3, "-k", "served_by_ollama"],
        {
            f"{GAMING}[plain]": "headers say openai",
            f"{GAMING}[streamed]": "headers say openai",
        },
    ),
    Control(
        "vllm_timeout_30s",
        _litellm(_tier_timeout(0, 30)),
        [NFR65, "-k", "hung"],
        {"test_failover_from_vllm_takes_under_5_s[hung]": "hung:"},
    ),
    Control(
        "num_retries_left_at_default",
        _litellm(_retries_left_at_default),
        [NFR65, "-k", "hung"],
        {"test_failover_from_vllm_takes_under_5_s[hung]": "hung:"},
    ),
    Control(
        "ollama_timeout_shorter_than_cold_start",
        _litellm(_tier_timeout(1, 30)),
        [AC3, "-k", "cold_start"],
        {"test_an_ollama_cold_start_that_fits_the_tier_timeout_is_waited_for": "headers say openai"},
    ),
    Control(
        "configmap_sets_llm_model",
        _paperless({"LLM_MODEL": "qwen2.5:3b"}),
        [DRIFT, "-k", "only_variables"],
        {"test_the_configmap_holds_only_variables_paperless_ai_reads": "data.LLM_MODEL: Paperless-AI has no"},
    ),
    Control(
        "stale_data_env_names_ollama",
        _paperless(dotenv=STALE_DOTENV),
        [DRIFT, AC1, "-k", "data_env or configured_for"],
        {
            "test_the_persistent_data_env_names_the_same_gateway_as_the_configmap": "AI_PROVIDER: the Config",
            f"{CONFIGURED}[data-env-file]": "AI_PROVIDER is 'ollama'",
        },
    ),
    Control(
        "custom_base_url_points_at_vllm",
        _paperless({"CUSTOM_BASE_URL": "http://vllm-api.ml.svc.cluster.local:8000/v1"}),
        [AC1, "-k", "configured_for"],
        {
            f"{CONFIGURED}[env-over-file]": "CUSTOM_BASE_URL is",
            f"{CONFIGURED}[data-env-file]": "CUSTOM_BASE_URL is",
        },
    ),
    Control(
        "processed_tag_switched_off",
        _paperless({"ADD_AI_PROCESSED_TAG": "no"}),
        [AC2, "-k", "all-tiers-up"],
        {f"{STORED}[all-tiers-up]": "tags: expected"},
    ),
]


@pytest.mark.parametrize("control", CONTROLS, ids=[c.id for c in CONTROLS])
def test_a_broken_configuration_makes_the_expected_tests_fail(tmp_path: Path, control: Control) -> None:
    manifests = control.manifests(tmp_path / "manifests")

    run = run_suites(control.selection, manifests, tmp_path)

    assert run.returncode == 1, (
        f"{control.id}: expected test failures (exit 1), got {run.returncode}:\n{run.output}"
    )
    assert not run.errors(), f"{control.id}: the harness errored in {sorted(run.errors())}:\n{run.output}"
    missed = set(control.must_fail) - run.failed()
    assert not missed, f"{control.id}: survived {sorted(missed)}; failed were {sorted(run.failed())}"
    for name, cause in control.must_fail.items():
        message = run.outcomes[name].message
        assert cause in message, f"{control.id}: {name} failed without naming the cause {cause!r}:\n{message}"


def _no_vllm_group(config: dict[str, Any]) -> None:
    config["model_list"][0]["model_name"] = "gpu-qwen"


def _callback_that_does_not_exist(config: dict[str, Any]) -> None:
    config["litellm_settings"]["callbacks"] = ["no_such_module.handler"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_no_vllm_group, "data.config.yaml: model_list: no model group 'vllm-qwen'"),
        (None, "litellm/configmap.yaml: file not found"),
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
    assert "LiteLLM: exited with code" in outcome.message and "last lines of LiteLLM's log" in outcome.message
    assert "no_such_module" in outcome.message, outcome.message
