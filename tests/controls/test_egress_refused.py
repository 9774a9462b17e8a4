"""A configuration that points anywhere but loopback is refused by name and reaches nothing.

Before: with ``CUSTOM_BASE_URL: http://10.0.0.5:4000/v1`` the real Paperless-AI sent 116 requests
carrying the master key there; a Redis cache at 10.0.0.5 made LiteLLM open 28 connections and the run
passed; a vLLM ``api_base`` at 10.0.0.5 was silently rewritten to loopback. Each is run here in a
network namespace of its own where 10.0.0.5 answers (an address of its ``lo``, with a listener), so a
leak would connect: the check, not the isolation, must stop it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.controls.runner import REPO
from tests.manifest_patch import patched_manifests

pytestmark = pytest.mark.control


def _namespace_with_elsewhere() -> list[str]:
    """The command prefix for a fresh network namespace where 10.0.0.5 is local, or a skip."""
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        pytest.skip("needs the capability to make a network namespace: no ip or unshare on this machine")
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(
            f"needs the capability to make a network namespace: unshare --net: {probe.stderr.strip()}"
        )
    setup = 'ip link set lo up && ip addr add 10.0.0.5/32 dev lo && exec "$@"'
    return ["unshare", "--net", "--", "bash", "-c", setup, "egress"]


def _cache_at_elsewhere(manifests: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["litellm_settings"]["cache"] = True
        config["litellm_settings"]["cache_params"] = {"type": "redis", "host": "10.0.0.5", "port": 6379}

    patched_manifests(manifests, change)


def _vllm_at_elsewhere(manifests: Path) -> None:
    def change(config: dict[str, Any]) -> None:
        config["model_list"][0]["litellm_params"]["api_base"] = "http://10.0.0.5:8000/v1"

    patched_manifests(manifests, change)


def _paperless_ai_at_elsewhere(manifests: Path) -> None:
    patched_manifests(manifests, lambda config: None)
    path = manifests / "paperless-ai" / "configmap.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["data"]["CUSTOM_BASE_URL"] = "http://10.0.0.5:4000/v1"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


AC1 = "suites/test_ac1_routing.py::"
CASES = [
    (_cache_at_elsewhere, AC1 + "test_a_request_for_the_vllm_group_is_served_by_the_vllm_tier",
     "data.config.yaml: litellm_settings.cache_params.host: LiteLLM would reach '10.0.0.5'"),
    (_vllm_at_elsewhere, AC1 + "test_a_request_for_the_vllm_group_is_served_by_the_vllm_tier",
     "data.config.yaml: model_list[0] (vllm-qwen).litellm_params.api_base: 'http://10.0.0.5:8000/v1' is not"),
    (_paperless_ai_at_elsewhere,
     AC1 + "test_paperless_ai_is_configured_for_the_litellm_gateway[env-over-file]",
     "paperless-ai/configmap.yaml: data.CUSTOM_BASE_URL: Paperless-AI would reach '10.0.0.5'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "selection", "expected"),
    CASES,
    ids=["litellm cache", "vllm api_base", "paperless-ai base url"],
)
def test_an_address_off_this_machine_is_refused_by_name_and_reaches_nothing(
    tmp_path: Path, mutate: Any, selection: str, expected: str
) -> None:
    prefix = _namespace_with_elsewhere()
    mutate(tmp_path / "manifests")

    done = subprocess.run(
        [*prefix, sys.executable, "-m", "tests.controls.probe_egress", str(tmp_path / "manifests"),
         str(tmp_path), selection],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"the probe itself failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])

    (outcome,) = result["outcomes"].values()
    assert sum(result["connections"].values()) == 0, f"reached 10.0.0.5: {result['connections']}"
    assert result["returncode"] == 1 and outcome[0] in ("error", "failed"), outcome
    assert expected in outcome[1], f"expected {expected!r} in:\n{outcome[1]}"
    print(f"[egress] {expected.split(' would')[0].split(' is not')[0]}: refused, 0 connections to 10.0.0.5")
