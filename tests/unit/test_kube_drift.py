"""The tree against what runs (``fixtures.stack.kube.drift``), on a fake API holding the owner's objects.

``owner_cluster()`` holds what ``examples/home-lab-14.3`` says: its manifests as applied, the Helm
releases as their charts render them (Paperless-ngx ``paperless-paperless-ngx``, Ollama ``ollama``),
``vllm-server`` behind ``vllm-api``, ``paperless-ai-svc``, and the hand-made Secrets. Each test
changes one thing the way an owner would (``kubectl edit``, ``kubectl set image``, ``gpu-mode``) and
expects exactly that one difference; no test output may carry a secret value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fixtures.discovery import discover
from fixtures.stack.kube.cluster import ClusterStack
from fixtures.stack.kube.drift import ABSENT, PRESENT, Drift, dotenv_drift, find_drift, load
from fixtures.topology import Topology
from tests.unit.test_kube_stack import DOTENV, OWNER_TREE, FakeCluster, FakeForward, make_stack, owner_cluster


@pytest.fixture(scope="module")
def topology() -> Topology:
    return discover(OWNER_TREE)


@pytest.fixture
def cluster() -> FakeCluster:
    return owner_cluster()


def drift(topology: Topology, cluster: FakeCluster) -> list[Drift]:
    found = find_drift(topology, cluster)  # type: ignore[arg-type]  # the fake speaks the Cluster protocol
    assert found.skipped == [], found.skipped
    return found.drift


def test_no_drift_when_the_cluster_holds_what_the_tree_says(topology: Topology, cluster: FakeCluster) -> None:
    assert drift(topology, cluster) == []
    assert dotenv_drift(topology, DOTENV) == []


def test_a_changed_configmap_value_is_one_drift(topology: Topology, cluster: FakeCluster) -> None:
    cluster.objects[("ConfigMap", "docs", "paperless-ai-config")]["data"]["SCAN_INTERVAL"] = "*/5 * * * *"

    assert drift(topology, cluster) == [
        Drift(
            "Paperless-AI",
            "ConfigMap docs/paperless-ai-config",
            "SCAN_INTERVAL",
            "*/30 * * * *",
            "*/5 * * * *",
        )
    ]


def test_a_key_added_in_the_cluster_is_drift_too_envfrom_loads_it(
    topology: Topology, cluster: FakeCluster
) -> None:
    cluster.objects[("ConfigMap", "docs", "paperless-ai-config")]["data"]["CUSTOM_MODEL"] = "ollama-qwen"

    assert drift(topology, cluster) == [
        Drift("Paperless-AI", "ConfigMap docs/paperless-ai-config", "CUSTOM_MODEL", None, "ollama-qwen")
    ]


def test_a_changed_image_tag_is_one_drift(topology: Topology, cluster: FakeCluster) -> None:
    vllm = cluster.objects[("Deployment", "ml", "vllm-server")]
    vllm["spec"]["template"]["spec"]["containers"][0]["image"] = "vllm/vllm-openai:v0.6.3"

    assert drift(topology, cluster) == [
        Drift(
            "vLLM (vllm-qwen)",
            "Deployment ml/vllm-server",
            "container vllm image",
            "vllm/vllm-openai:v0.5.5",
            "vllm/vllm-openai:v0.6.3",
        )
    ]


def test_replicas_0_in_the_cluster_against_1_in_the_tree_is_one_drift(
    topology: Topology, cluster: FakeCluster
) -> None:
    cluster.scale("ml", "vllm-server", 0)  # left in Gaming Mode (gpu-mode gaming)

    assert drift(topology, cluster) == [
        Drift("vLLM (vllm-qwen)", "Deployment ml/vllm-server", "spec.replicas", "1", "0")
    ]


def test_a_missing_secret_key_is_one_drift_and_no_secret_value_is_shown(
    topology: Topology, cluster: FakeCluster
) -> None:
    del cluster.secrets[("docs", "paperless-ai-secrets")]["CUSTOM_API_KEY"]

    found = drift(topology, cluster)

    assert found == [
        Drift("Paperless-AI", "Secret docs/paperless-ai-secrets", "CUSTOM_API_KEY", PRESENT, ABSENT)
    ]
    text = json.dumps([d.__dict__ for d in found])
    assert all(v not in text for s in cluster.secrets.values() for v in s.values())


def test_a_service_selector_changed_in_the_cluster_is_one_drift(
    topology: Topology, cluster: FakeCluster
) -> None:
    cluster.objects[("Service", "docs", "paperless-ai-svc")]["spec"]["selector"] = {"app": "paperless-ai"}

    assert drift(topology, cluster) == [
        Drift(
            "Paperless-AI",
            "Service docs/paperless-ai-svc",
            "spec.selector",
            "app.kubernetes.io/instance=paperless-ai,app.kubernetes.io/name=paperless-ai",
            "app=paperless-ai",
        )
    ]


def test_a_helm_releases_values_are_compared_with_the_deployment_its_service_selects(
    topology: Topology, cluster: FakeCluster
) -> None:
    # the chart names its Deployment its own way: found through the release's Service, not by name
    ngx = cluster.objects.pop(("Deployment", "docs", "paperless-paperless-ngx"))
    ngx["metadata"]["name"] = "paperless-paperless-ngx-web"
    container = ngx["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "ghcr.io/paperless-ngx/paperless-ngx:2.13.5"
    env = {e["name"]: e for e in container["env"]}
    env["PAPERLESS_OCR_LANGUAGE"]["value"] = "eng"
    env["PAPERLESS_DBPASS"]["value"] = "the-real-db-password"  # set with --set: never compared or shown
    cluster.add(ngx)
    cluster.objects[("Deployment", "ml", "ollama")]["spec"]["replicas"] = 0

    found = drift(topology, cluster)

    ngx_obj = "Deployment docs/paperless-paperless-ngx-web (Helm values values-homelab.yaml)"
    assert found == [
        Drift(
            "Ollama (ollama-qwen)",
            "Deployment ml/ollama (Helm values values-homelab.yaml)",
            "replicas",
            "1",
            "0",
        ),
        Drift(
            "Paperless-ngx",
            ngx_obj,
            "image",
            "ghcr.io/paperless-ngx/paperless-ngx:latest",
            container["image"],
        ),
        Drift("Paperless-ngx", ngx_obj, "env PAPERLESS_OCR_LANGUAGE", "deu+eng", "eng"),
    ]
    assert "the-real-db-password" not in json.dumps([d.__dict__ for d in found])


def test_a_helm_releases_service_absent_from_the_cluster_is_named(
    topology: Topology, cluster: FakeCluster
) -> None:
    del cluster.objects[("Service", "ml", "ollama")]

    assert drift(topology, cluster) == [
        Drift("Ollama (ollama-qwen)", "Service ml/ollama", "(object)", "(the Helm release's)", ABSENT)
    ]


def test_litellms_config_is_compared_parsed_by_path_and_an_inline_key_is_never_shown(
    topology: Topology, cluster: FakeCluster
) -> None:
    data = cluster.objects[("ConfigMap", "ml", "litellm-config")]["data"]
    config = yaml.safe_load(data["config.yaml"])
    config["model_list"][0]["litellm_params"].update(timeout=10, api_key="sk-live-1")
    data["config.yaml"] = yaml.safe_dump(config, indent=4)  # re-dumped: no comments, other layout

    found = drift(topology, cluster)

    cm, where = "ConfigMap ml/litellm-config", "config.yaml: model_list[0].litellm_params"
    assert found == [
        Drift("LiteLLM", cm, f"{where}.api_key", "(set, not shown)", "(differs, not shown)"),
        Drift("LiteLLM", cm, f"{where}.timeout", "3", "10"),
    ]
    assert "sk-none" not in json.dumps([d.__dict__ for d in found]) and "sk-live-1" not in str(found)


def test_a_workload_renamed_in_the_cluster_is_found_by_its_service_and_named(
    topology: Topology, cluster: FakeCluster
) -> None:
    vllm = cluster.objects.pop(("Deployment", "ml", "vllm-server"))
    vllm["metadata"]["name"] = "qwen-awq"
    cluster.add(vllm)

    assert drift(topology, cluster) == [
        Drift("vLLM (vllm-qwen)", "Deployment ml/vllm-server", "metadata.name", "vllm-server", "qwen-awq")
    ]


def test_paperless_ais_data_env_against_its_configmap_as_in_story_14_3(topology: Topology) -> None:
    # The Pod first came up as "AI provider: ollama": the persistent file overrode the setup check.
    text = (
        "AI_PROVIDER=ollama\nOLLAMA_API_URL=http://ollama:11434\nCUSTOM_API_KEY=sk-in-the-file-0123456789\n"
    )

    found = dotenv_drift(topology, text)

    obj = "Deployment docs/paperless-ai data/.env"
    assert found == [
        Drift("Paperless-AI", obj, "AI_PROVIDER", "custom", "ollama"),
        Drift("Paperless-AI", obj, "CUSTOM_BASE_URL", "http://litellm.ml.svc.cluster.local:4000/v1", None),
        Drift(
            "Paperless-AI",
            obj,
            "PAPERLESS_API_URL",
            "http://paperless-paperless-ngx.docs.svc.cluster.local:8000/api",
            None,
        ),
    ]
    assert "sk-in-the-file" not in str(found)
    assert dotenv_drift(topology, None) == [], "not readable: skipped, not guessed"


def test_the_cluster_stack_writes_drift_json_and_exposes_it(tmp_path: Path, cluster: FakeCluster) -> None:
    cluster.scale("ml", "vllm-server", 0)
    cluster.files[("docs", "/app/data/.env")] = DOTENV.replace("AI_PROVIDER=custom", "AI_PROVIDER=ollama")
    forwards: dict[str, FakeForward] = {}
    stack = make_stack(tmp_path, cluster, forwards, flavour="cluster", manifests=OWNER_TREE)
    assert isinstance(stack, ClusterStack)

    stack.start()

    found = stack.drift()
    assert [(d.object, d.key, d.tree, d.cluster) for d in found] == [
        ("Deployment ml/vllm-server", "spec.replicas", "1", "0"),
        ("Deployment docs/paperless-ai data/.env", "AI_PROVIDER", "custom", "ollama"),
    ]
    path = stack.run.root / "drift.json"
    assert load(path) == found and json.loads(path.read_text())["skipped"] == []
    assert "sk-owner" not in path.read_text() and "t" * 40 not in path.read_text()


def test_what_the_cluster_cannot_read_is_listed_as_skipped_not_raised(
    tmp_path: Path, topology: Topology, cluster: FakeCluster
) -> None:
    def forbidden(namespace: str) -> list[dict[str, object]]:
        raise PermissionError(f"deployments.apps is forbidden in {namespace}")

    cluster.deployments = forbidden  # type: ignore[method-assign,assignment]
    cluster.files.clear()

    found = find_drift(topology, cluster)  # type: ignore[arg-type]

    assert found.drift == [] and any("forbidden" in s for s in found.skipped)
    stack = make_stack(tmp_path, cluster, {}, flavour="cluster", manifests=OWNER_TREE)
    stack.start()
    assert (
        "Paperless-AI data/.env: not readable from the cluster" in (stack.run.root / "drift.json").read_text()
    )
