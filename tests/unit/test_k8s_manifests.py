"""The complete reference deployment: valid against Kubernetes 1.33's schema, offline, and coherent.

No cluster runs here: every object of the base and of the kind overlay is validated with
kubernetes-validate's bundled OpenAPI schemas (strict: unknown fields fail), and what ties the
objects together (names, ports, image pins, the init step) is checked by reading them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from fixtures.core.errors import ManifestError
from fixtures.litellm.config import CONFIG_KEY
from fixtures.stack.factory import KIND_NODE_IMAGE, KIND_RELEASE
from fixtures.stack.kube.render import key, render_manifests
from tests.controls.runner import REPO

MANIFESTS = REPO / "manifests"
NODE_VERSION = re.search(r":v(\d+)\.(\d+)\.(\d+)@", KIND_NODE_IMAGE)
# kubernetes-validate bundles one schema per minor release (x.y.0): the minor of the kind node image
KUBERNETES = f"{NODE_VERSION.group(1)}.{NODE_VERSION.group(2)}.0" if NODE_VERSION else "unpinned"
# kind v0.29.0's default node image: its pkg/apis/config/defaults/image.go at the tag v0.29.0
KIND_V0_29_0_DEFAULT = (
    "kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f"
)
# The LiteLLM image of the Python pin's version (the same release as the cosign-signed primary image)
LITELLM_REPOSITORY = "litellm/litellm"
# Oldest acceptable release per image, and why: a floor, so an upgrade passes and a downgrade fails.
FLOORS = {
    "busybox": ((1, 37, 0), "1.36.x left the official image library on 2026-05-22: no longer rebuilt"),
    "redis": ((7, 4, 11), "the newest 7.4 patch in the official library (2026-08-18 security release); "
              "7.4.1 lacks every later 7.4 security fix (CVE-2025-49844, fixed in 7.4.6)"),
}  # fmt: skip


def by_key(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key(o): o for o in objects}


@pytest.mark.parametrize("overlay", [None, "kind"], ids=["base (real cluster)", "kind"])
def test_every_object_is_valid_against_the_kubernetes_schema(overlay: str | None) -> None:
    objects = render_manifests(MANIFESTS, overlay)
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{key(obj)}: {exc.message}")

    assert len(objects) >= 17 and not problems, "\n".join(problems)


def test_a_misspelt_field_is_rejected_by_the_strict_schema() -> None:
    deployment = by_key(render_manifests(MANIFESTS))["Deployment/ml/litellm"]
    deployment["spec"]["replica"] = 1  # sic: the kind of typo a reviewer misses

    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_objects_come_in_apply_order() -> None:
    kinds = [o["kind"] for o in render_manifests(MANIFESTS, "kind")]

    assert kinds[:2] == ["Namespace", "Namespace"]
    assert kinds.index("Deployment") > max(i for i, k in enumerate(kinds) if k in ("Secret", "ConfigMap"))


def test_the_kind_overlay_adds_the_mock_tiers_named_like_the_real_ones_and_patches_only_the_cloud_tier() -> (
    None
):
    base, kind = by_key(render_manifests(MANIFESTS)), by_key(render_manifests(MANIFESTS, "kind"))

    added = sorted(set(kind) - set(base))
    assert added == sorted(
        [
            "Deployment/ml/vllm-server",
            "Service/ml/vllm-api",
            "Deployment/ml/ollama",
            "Service/ml/ollama",
            "Deployment/ml/openai-standin",
            "Service/ml/openai-standin",
        ]
    )
    config = yaml.safe_load(kind["ConfigMap/ml/litellm-config"]["data"]["config.yaml"])
    base_config = yaml.safe_load(base["ConfigMap/ml/litellm-config"]["data"]["config.yaml"])
    assert config["model_list"][2]["litellm_params"]["api_base"].startswith("http://openai-standin.ml.svc")
    assert "api_base" not in base_config["model_list"][2]["litellm_params"], (
        "the base must reach the real cloud"
    )
    base_config["model_list"][2]["litellm_params"]["api_base"] = config["model_list"][2]["litellm_params"][
        "api_base"
    ]
    assert base_config == config, "the overlay may change the cloud tier's address and nothing else"


def test_every_tier_address_in_the_kind_config_is_a_service_with_that_port() -> None:
    objects = by_key(render_manifests(MANIFESTS, "kind"))
    config = yaml.safe_load(objects["ConfigMap/ml/litellm-config"]["data"]["config.yaml"])
    for entry in config["model_list"]:
        url = urlsplit(entry["litellm_params"]["api_base"])
        name, namespace = url.hostname.split(".")[:2]  # type: ignore[union-attr]
        service = objects.get(f"Service/{namespace}/{name}")
        assert service is not None, (
            f"{CONFIG_KEY}: {entry['model_name']} points at {url.netloc}: no such Service"
        )
        assert url.port in [p["port"] for p in service["spec"]["ports"]], (
            f"{key(service)} has no port {url.port}"
        )


def test_the_litellm_image_is_the_signed_primary_one_of_the_version_of_the_python_pin() -> None:
    pin = re.search(r"^litellm\[proxy\]==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    image = by_key(render_manifests(MANIFESTS))["Deployment/ml/litellm"]["spec"]["template"]["spec"][
        "containers"
    ][0]["image"]

    assert pin is not None and image.split("@")[0] == f"{LITELLM_REPOSITORY}:v{pin.group(1)}", (
        f"image {image} vs pin {pin and pin.group(1)}"
    )


def test_the_kind_node_image_is_kind_v0_29_0s_default_by_digest_and_its_minor_is_the_schemas() -> None:
    assert KIND_RELEASE == "v0.29.0" and KIND_NODE_IMAGE == KIND_V0_29_0_DEFAULT
    assert KUBERNETES == "1.33.0"


def test_every_deployment_behind_a_service_has_a_readiness_probe_on_a_port_of_its_own() -> None:
    objects = render_manifests(MANIFESTS, "kind")
    selected = [
        o["spec"]["selector"] for o in objects if o["kind"] == "Service" and o["spec"].get("selector")
    ]
    missing = []
    for obj in objects:
        labels = obj["spec"]["template"]["metadata"]["labels"] if obj["kind"] == "Deployment" else None
        if not labels or not any(s.items() <= labels.items() for s in selected):
            continue
        for container in obj["spec"]["template"]["spec"]["containers"]:
            probe = container.get("readinessProbe") or {}
            port = (probe.get("httpGet") or probe.get("tcpSocket") or {}).get("port")
            ports = {p.get("name") for p in container.get("ports") or []} | {
                p["containerPort"] for p in container.get("ports") or []
            }
            if port not in ports:
                missing.append(f"{key(obj)} container {container['name']}: readinessProbe {probe or 'none'}")

    assert not missing, "a Service sends traffic before the app listens:\n" + "\n".join(missing)


def test_paperless_ai_is_ready_when_its_health_route_answers_which_needs_no_login() -> None:
    (app,) = by_key(render_manifests(MANIFESTS))["Deployment/docs/paperless-ai"]["spec"]["template"]["spec"][
        "containers"
    ]

    # 3.0.9: routes/setup.js lists /health among PUBLIC_ROUTES and answers it from SQLite alone
    assert app["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert {"name": "http", "containerPort": 3000} in app["ports"]


@pytest.mark.parametrize("repository", sorted(FLOORS))
def test_no_image_is_older_than_its_floor(repository: str) -> None:
    floor, why = FLOORS[repository]
    found = [
        c["image"]
        for o in render_manifests(MANIFESTS)
        if o["kind"] == "Deployment"
        for kind in ("initContainers", "containers")
        for c in o["spec"]["template"]["spec"].get(kind) or []
        if c["image"].split("@")[0].rsplit(":", 1)[0] == repository
    ]

    assert found, f"no {repository} image in the manifests"
    for image in found:
        tag = image.split("@")[0].rsplit(":", 1)[1]
        version = tuple(int(part) for part in re.findall(r"\d+", tag)[:3])
        assert version >= floor, f"{image}: older than {'.'.join(map(str, floor))}: {why}"


def test_paperless_ai_gets_configmap_and_secret_as_env_a_volume_and_an_init_step_writing_data_env() -> None:
    spec = by_key(render_manifests(MANIFESTS))["Deployment/docs/paperless-ai"]["spec"]["template"]["spec"]
    (app,) = spec["containers"]
    (init,) = spec["initContainers"]

    assert {"paperless-ai-config", "paperless-ai-secrets"} == {
        (ref.get("configMapRef") or ref.get("secretRef"))["name"] for ref in app["envFrom"]
    }
    assert {"name": "data", "mountPath": "/app/data"} in app["volumeMounts"]
    assert "/app/data/.env" in init["command"][-1] and {m["mountPath"] for m in init["volumeMounts"]} >= {
        "/app/data",
        "/config",
        "/secrets",
    }


def test_an_overlay_patch_on_a_missing_object_names_it(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MANIFESTS, tmp_path / "m")
    (tmp_path / "m" / "kind" / "overlay.yaml").write_text(
        "resources: [tiers.yaml]\npatches:\n  - {target: ConfigMap/ml/nope, set: data.x, value: y}\n"
    )

    with pytest.raises(ManifestError, match=r"patches\[0\].*ConfigMap/ml/nope"):
        render_manifests(tmp_path / "m", "kind")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (b"\x00\x01binary", "binary, not YAML text"),
        (b"resources: tiers.yaml\n", "resources: must be a list"),
        (b"resources: [../../etc/passwd]\n", "resources[0]: '../../etc/passwd': not a file inside"),
        (b"patches: [{target: ConfigMap/ml/litellm-config}]\n", "patches[0]: needs target and exactly one"),
        (b"patches: [just-a-string]\n", "patches[0]: needs target and exactly one"),
        (b"a: [\n", "invalid YAML"),
        (b"- 1\n- 2\n", "one mapping with resources/patches"),
    ],
    ids=[
        "binary",
        "resources not a list",
        "resource outside",
        "patch without op",
        "patch not a mapping",
        "broken yaml",
        "a list",
    ],
)
def test_a_broken_overlay_spec_is_a_named_error_not_a_traceback(
    tmp_path: Path, spec: bytes, expected: str
) -> None:
    import shutil

    shutil.copytree(MANIFESTS, tmp_path / "m")
    (tmp_path / "m" / "kind" / "overlay.yaml").write_bytes(spec)

    with pytest.raises(ManifestError) as caught:
        render_manifests(tmp_path / "m", "kind")
    assert "overlay.yaml" in str(caught.value) and expected in str(caught.value)
