"""Before anything starts, every address in every rendered configuration is loopback, or refused by name.

Only the cluster names of the manifests' own Services are translated (and recorded); an IP, a
public host or a cache/database elsewhere is a named error, never rewritten.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fixtures.core.errors import ManifestError
from fixtures.discovery import load_gateway
from fixtures.egress import Address, cluster_service, found_in, host_of, is_loopback, refuse_outside
from fixtures.litellm.render import render_litellm_config
from fixtures.paperless_ai.config import render_paperless_ai_env
from tests.manifest_patch import patched_manifests

ADDRESSES = {
    "vllm": "http://127.0.0.1:1001",
    "ollama": "http://127.0.0.1:1002",
    "openai": "http://127.0.0.1:1003",
}


@pytest.mark.parametrize(
    ("key", "value", "host"),
    [
        ("api_base", "http://10.0.0.5:8000/v1", "10.0.0.5"),
        ("x", "redis://user:pw@cache.example:6379/0", "cache.example"),
        ("cache_params.host", "10.0.0.5", "10.0.0.5"),
        ("redis_host", "10.0.0.5:6379", "10.0.0.5"),
        ("PAPERLESS_DBHOST", "db.internal", "db.internal"),
        ("host", "[::1]:6379", "::1"),
        ("model", "hosted_vllm/Qwen/Qwen2.5-7B-Instruct-AWQ", None),  # not an address key, no scheme
        ("port", "6379", None),
        ("database", "paperless", None),  # "database" is a name, not a host
        ("host", "not a host name", None),
    ],
)
def test_an_address_is_found_by_its_shape_and_its_keys_name(key: str, value: str, host: str | None) -> None:
    assert host_of(key, value) == host


def test_addresses_are_found_at_any_depth_and_environment_references_are_resolved() -> None:
    config = {
        "litellm_settings": {"cache_params": {"type": "redis", "host": "os.environ/REDIS_HOST"}},
        "callbacks": [{"langfuse_host": "https://cloud.example"}],
        "general_settings": {"database_url": "os.environ/UNSET"},
    }
    found = list(found_in(config, {"REDIS_HOST": "10.0.0.5"}))
    assert [(a.key, a.host) for a in found] == [
        ("litellm_settings.cache_params.host (= env REDIS_HOST)", "10.0.0.5"),
        ("callbacks[0].langfuse_host", "cloud.example"),
    ]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.53", "localhost", "::1", "[::1]"])
def test_loopback_is_loopback(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.5", "0.0.0.0", "example.com", "litellm.ml.svc.cluster.local", ""])
def test_everything_else_is_not(host: str) -> None:
    assert not is_loopback(host)


def test_only_a_service_in_the_manifests_namespaces_is_a_cluster_service() -> None:
    assert cluster_service("vllm-api.ml.svc.cluster.local", ("ml", "docs")) == "vllm-api.ml"
    assert cluster_service("redis.docs.svc", ("ml", "docs")) == "redis.docs"
    assert cluster_service("vllm.other.svc.cluster.local", ("ml", "docs")) is None
    assert cluster_service("10.0.0.5", ("ml", "docs")) is None


def test_a_refusal_names_file_key_and_host_and_never_a_password(tmp_path: Path) -> None:
    database = Address(
        "general_settings.database_url", "postgresql://llm:hunter2@10.0.0.5/litellm", "10.0.0.5"
    )
    with pytest.raises(ManifestError) as caught:
        refuse_outside("LiteLLM", tmp_path / "c.yaml", [database])
    message = str(caught.value)
    assert "c.yaml" in message and "general_settings.database_url" in message and "'10.0.0.5'" in message
    assert "hunter2" not in message and "(credentials)@10.0.0.5" in message


def _cache_elsewhere(config: dict[str, Any]) -> None:
    config["litellm_settings"]["cache"] = True
    config["litellm_settings"]["cache_params"] = {"type": "redis", "host": "10.0.0.5", "port": 6379}


def _vllm_at_an_ip(config: dict[str, Any]) -> None:
    config["model_list"][0]["litellm_params"]["api_base"] = "http://10.0.0.5:8000/v1"


def _callback_elsewhere(config: dict[str, Any]) -> None:
    config["litellm_settings"]["callback_settings"] = {"otel": {"endpoint": "http://collector.example:4318"}}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (_cache_elsewhere, "litellm_settings.cache_params.host"),
        (_vllm_at_an_ip, "model_list[0] (vllm-qwen).litellm_params.api_base"),
        (_callback_elsewhere, "litellm_settings.callback_settings.otel.endpoint"),
    ],
    ids=["redis cache at 10.0.0.5", "vllm api_base at 10.0.0.5 (was rewritten)", "callback endpoint"],
)
def test_litellm_config_reaching_anything_but_loopback_is_refused_not_rewritten(
    tmp_path: Path, change: Any, key: str
) -> None:
    with pytest.raises(ManifestError, match=re.escape(f"configmap.yaml: data.config.yaml: {key}")):
        render_litellm_config(load_gateway(patched_manifests(tmp_path, change)), ADDRESSES)


def test_paperless_ai_urls_are_mapped_only_for_services_the_stack_runs() -> None:
    configmap = {
        "CUSTOM_BASE_URL": "http://10.0.0.5:4000/v1",
        "PAPERLESS_API_URL": "http://litellm.ml.svc.cluster.local:4000",
    }
    values, changes = render_paperless_ai_env(
        configmap, {"litellm.ml.svc.cluster.local:4000": "http://127.0.0.1:5"}, {}
    )
    assert values["PAPERLESS_API_URL"] == "http://127.0.0.1:5" and len(changes) == 1
    with pytest.raises(ManifestError, match=r"data.CUSTOM_BASE_URL: Paperless-AI would reach '10.0.0.5'"):
        refuse_outside("Paperless-AI", Path("paperless-ai/configmap.yaml"), found_in({"data": values}))
