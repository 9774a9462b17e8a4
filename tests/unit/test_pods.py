"""The Pod templates resolve as Kubernetes resolves them: what each container would be started with."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fixtures.errors import ManifestError
from fixtures.pods import expand, pod
from tests.manifest_patch import apply

LITELLM = Path("litellm/deployment.yaml")
PAPERLESS_AI = Path("paperless-ai/deployment.yaml")


def value(secret: str, key: str) -> str:
    return f"<{secret}/{key}>"


def test_the_litellm_container_gets_its_secret_its_env_and_its_config_mount() -> None:
    litellm = pod(Path("manifests"), LITELLM, value).container("litellm")

    assert litellm.option("--config") == "/etc/litellm/config.yaml" and litellm.option("--port") == "4000"
    assert litellm.env == {
        "LITELLM_MASTER_KEY": "<litellm-secrets/LITELLM_MASTER_KEY>",
        "OPENAI_API_KEY": "<litellm-secrets/OPENAI_API_KEY>",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    assert litellm.secret_keys == {"LITELLM_MASTER_KEY", "OPENAI_API_KEY"}
    mount, inside = litellm.mount_of("/etc/litellm/config.yaml") or (None, "")
    assert mount is not None and mount.source == "litellm-config" and inside == "config.yaml"
    assert "model_list" in mount.files["config.yaml"]
    assert litellm.mount_of("/etc/other/config.yaml") is None


def test_paperless_ai_gets_configmap_and_secret_and_its_init_step_sees_both_as_files() -> None:
    resolved = pod(Path("manifests"), PAPERLESS_AI, value)
    app, (init,) = resolved.container("paperless-ai"), resolved.init_containers

    assert (
        app.env["AI_PROVIDER"] == "custom"
        and app.env["CUSTOM_API_KEY"] == "<paperless-ai-secrets/CUSTOM_API_KEY>"
    )
    assert app.sources["CUSTOM_API_KEY"] == "Secret paperless-ai-secrets (envFrom)"
    assert {m.path for m in init.mounts} == {"/app/data", "/config", "/secrets"}
    secrets = next(m for m in init.mounts if m.path == "/secrets")
    assert secrets.files["API_KEY"] == "<paperless-ai-secrets/API_KEY>"


def test_a_key_the_secret_does_not_list_stays_unset_as_in_the_pod(tmp_path: Path) -> None:
    manifests = apply([{"file": "litellm/secret.yaml", "remove": "stringData.LITELLM_MASTER_KEY"}], tmp_path)

    litellm = pod(manifests, LITELLM, value).container("litellm")

    assert "LITELLM_MASTER_KEY" not in litellm.env and "OPENAI_API_KEY" in litellm.env


def test_a_dropped_env_from_drops_its_variables(tmp_path: Path) -> None:
    ops = [{"file": "litellm/deployment.yaml", "remove": "spec.template.spec.containers.0.envFrom"}]

    litellm = pod(apply(ops, tmp_path), LITELLM, value).container("litellm")

    assert set(litellm.env) == {"LITELLM_LOCAL_MODEL_COST_MAP"}


def test_env_wins_over_env_from_prefixes_apply_and_value_from_resolves(tmp_path: Path) -> None:
    spec = {
        "name": "x",
        "image": "i",
        "envFrom": [{"secretRef": {"name": "litellm-secrets"}, "prefix": "P_"}],
        "env": [
            {"name": "P_OPENAI_API_KEY", "value": "plain"},
            {
                "name": "KEY",
                "valueFrom": {"secretKeyRef": {"name": "litellm-secrets", "key": "LITELLM_MASTER_KEY"}},
            },
            {"name": "GONE", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k", "optional": True}}},
            {"name": "URL", "value": "http://$(KEY)@host/$$(KEY)"},
        ],
        "args": ["--key", "$(KEY)", "$(UNKNOWN)"],
    }
    ops = [{"file": "litellm/deployment.yaml", "set": "spec.template.spec.containers.0", "value": spec}]

    x = pod(apply(ops, tmp_path), LITELLM, value).container("x")

    assert x.env["P_LITELLM_MASTER_KEY"] == "<litellm-secrets/LITELLM_MASTER_KEY>"
    assert x.env["P_OPENAI_API_KEY"] == "plain" and "P_OPENAI_API_KEY" not in x.secret_keys
    assert x.env["KEY"] == "<litellm-secrets/LITELLM_MASTER_KEY>" and "GONE" not in x.env
    assert x.env["URL"] == "http://<litellm-secrets/LITELLM_MASTER_KEY>@host/$(KEY)"
    assert x.args == ["--key", "<litellm-secrets/LITELLM_MASTER_KEY>", "$(UNKNOWN)"]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ({"set": "spec.template.spec.containers.0.envFrom.0.secretRef.name", "value": "litellm-secret"},
         "envFrom[0]: refers to the Secret 'litellm-secret', which no manifest"),
        ({"set": "spec.template.spec.volumes.0.configMap.name", "value": "nope"},
         "volumes[0]: refers to the ConfigMap 'nope'"),
        ({"set": "spec.template.spec.containers.0.env.0",
          "value": {"name": "K", "valueFrom": {"secretKeyRef": {"name": "litellm-secrets", "key": "NOPE"}}}},
         "env[0] K: the Secret 'litellm-secrets' has no key 'NOPE'"),
    ],
    ids=["unknown secret", "unknown configmap", "unknown key"],
)  # fmt: skip
def test_a_reference_the_manifests_cannot_satisfy_is_a_named_error(
    tmp_path: Path, op: dict[str, object], expected: str
) -> None:
    manifests = apply([{"file": "litellm/deployment.yaml", **op}], tmp_path)

    with pytest.raises(ManifestError) as caught:
        pod(manifests, LITELLM, value)
    assert "litellm/deployment.yaml" in str(caught.value) and expected in str(caught.value)


def test_expansion_is_kubernetes_expansion() -> None:
    assert expand("$(A)-$(B)-$$(A)-$", {"A": "1"}) == "1-$(B)-$(A)-$"


def test_the_manifests_the_suite_ships_hold_no_secret_values_it_would_use() -> None:
    docs = yaml.safe_load((Path("manifests") / "litellm" / "secret.yaml").read_text())
    litellm = pod(Path("manifests"), LITELLM, value).container("litellm")
    assert all(litellm.env[k] != v for k, v in docs["stringData"].items())
