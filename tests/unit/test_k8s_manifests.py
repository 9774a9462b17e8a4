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

from fixtures.errors import ManifestError
from fixtures.k8s.render import key, render
from fixtures.manifests import CONFIG_KEY
from tests.controls.runner import REPO

MANIFESTS = REPO / "manifests"
KUBERNETES = "1.33.0"  # the kindest/node version the kind stack pins


def by_key(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key(o): o for o in objects}


@pytest.mark.parametrize("overlay", [None, "kind"], ids=["base (real cluster)", "kind"])
def test_every_object_is_valid_against_the_kubernetes_schema(overlay: str | None) -> None:
    objects = render(MANIFESTS, overlay)
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{key(obj)}: {exc.message}")

    assert len(objects) >= 17 and not problems, "\n".join(problems)


def test_a_misspelt_field_is_rejected_by_the_strict_schema() -> None:
    deployment = by_key(render(MANIFESTS))["Deployment/ml/litellm"]
    deployment["spec"]["replica"] = 1  # sic: the kind of typo a reviewer misses

    with pytest.raises(kubernetes_validate.ValidationError, match="replica"):
        kubernetes_validate.validate(deployment, KUBERNETES, strict=True)


def test_objects_come_in_apply_order() -> None:
    kinds = [o["kind"] for o in render(MANIFESTS, "kind")]

    assert kinds[:2] == ["Namespace", "Namespace"]
    assert kinds.index("Deployment") > max(i for i, k in enumerate(kinds) if k in ("Secret", "ConfigMap"))


def test_the_kind_overlay_adds_the_mock_tiers_named_like_the_real_ones_and_patches_only_the_cloud_tier() -> (
    None
):
    base, kind = by_key(render(MANIFESTS)), by_key(render(MANIFESTS, "kind"))

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
    objects = by_key(render(MANIFESTS, "kind"))
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


def test_the_litellm_image_is_the_version_of_the_python_pin() -> None:
    pin = re.search(r"^litellm\[proxy\]==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    image = by_key(render(MANIFESTS))["Deployment/ml/litellm"]["spec"]["template"]["spec"]["containers"][0][
        "image"
    ]

    assert pin is not None and image.endswith(f":v{pin.group(1)}"), (
        f"image {image} vs pin {pin and pin.group(1)}"
    )


def test_paperless_ai_gets_configmap_and_secret_as_env_a_volume_and_an_init_step_writing_data_env() -> None:
    spec = by_key(render(MANIFESTS))["Deployment/docs/paperless-ai"]["spec"]["template"]["spec"]
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
        render(tmp_path / "m", "kind")


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
        render(tmp_path / "m", "kind")
    assert "overlay.yaml" in str(caught.value) and expected in str(caught.value)
