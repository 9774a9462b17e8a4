"""The Pod templates resolve as Kubernetes resolves them: what each container would be started with."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fixtures.core.errors import ManifestError
from fixtures.pods import DeployTime, Pod, SecretValue, expand, pod
from fixtures.tree import read_tree
from tests.manifest_patch import apply

LITELLM = ("ml", "litellm")
PAPERLESS_AI = ("docs", "paperless-ai")


def value(secret: str, key: str) -> str:
    return f"<{secret}/{key}>"


def resolve(
    root: Path,
    workload: tuple[str, str],
    secret_value: SecretValue = value,
    deploy_time: DeployTime | None = None,
) -> Pod:
    """The Deployment ``workload`` (namespace, name) of the tree at ``root``, resolved."""
    tree = read_tree(root)
    found = tree.get("Deployment", *workload)
    assert found is not None, workload
    return pod(tree, found, secret_value, deploy_time)


def test_the_litellm_container_gets_its_secret_its_env_and_its_config_mount() -> None:
    litellm = resolve(Path("manifests"), LITELLM).container("litellm")

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
    resolved = resolve(Path("manifests"), PAPERLESS_AI)
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

    litellm = resolve(manifests, LITELLM).container("litellm")

    assert "LITELLM_MASTER_KEY" not in litellm.env and "OPENAI_API_KEY" in litellm.env


def test_a_dropped_env_from_drops_its_variables(tmp_path: Path) -> None:
    ops = [{"file": "litellm/deployment.yaml", "remove": "spec.template.spec.containers.0.envFrom"}]

    litellm = resolve(apply(ops, tmp_path), LITELLM).container("litellm")

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

    x = resolve(apply(ops, tmp_path), LITELLM).container("x")

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
        resolve(manifests, LITELLM)
    assert "litellm/deployment.yaml" in str(caught.value) and expected in str(caught.value)


def test_expansion_is_kubernetes_expansion() -> None:
    assert expand("$(A)-$(B)-$$(A)-$", {"A": "1"}) == "1-$(B)-$(A)-$"


def test_the_manifests_the_suite_ships_hold_no_secret_values_it_would_use() -> None:
    docs = yaml.safe_load((Path("manifests") / "litellm" / "secret.yaml").read_text())
    litellm = resolve(Path("manifests"), LITELLM).container("litellm")
    assert all(litellm.env[k] != v for k, v in docs["stringData"].items())


def test_a_secret_the_tree_lacks_is_given_the_runs_values_for_the_keys_provided_at_deploy_time(
    tmp_path: Path,
) -> None:
    manifests = apply([], tmp_path)
    (manifests / "litellm" / "secret.yaml").unlink()
    asked: list[tuple[str, str]] = []

    def deploy_time(namespace: str, name: str) -> tuple[str, ...] | None:
        asked.append((namespace, name))
        return ("LITELLM_MASTER_KEY",)

    litellm = resolve(manifests, LITELLM, deploy_time=deploy_time).container("litellm")

    assert asked == [("ml", "litellm-secrets")]
    assert litellm.env["LITELLM_MASTER_KEY"] == "<litellm-secrets/LITELLM_MASTER_KEY>"
    assert "OPENAI_API_KEY" not in litellm.env and litellm.secret_keys == {"LITELLM_MASTER_KEY"}
    with pytest.raises(ManifestError, match="refers to the Secret 'litellm-secrets', which no manifest"):
        resolve(manifests, LITELLM)  # without deploy-time keys an absent Secret is still an error
    with pytest.raises(ManifestError, match="refers to the Secret 'litellm-secrets'"):
        resolve(manifests, LITELLM, deploy_time=lambda _ns, _name: None)  # None: not provided either


def _mount_config(tmp_path: Path, mount: dict[str, object], volume: dict[str, object]) -> Path:
    base, file = "spec.template.spec", "litellm/deployment.yaml"
    ops = [
        {"file": file, "doc": 0, "set": f"{base}.containers.0.volumeMounts.0", "value": mount},
        {"file": file, "doc": 0, "set": f"{base}.volumes.0", "value": volume},
    ]
    return apply(ops, tmp_path)


def test_a_sub_path_mount_is_that_one_file_at_exactly_its_mount_path(tmp_path: Path) -> None:
    manifests = _mount_config(
        tmp_path,
        {"name": "config", "mountPath": "/app/config.yaml", "subPath": "config.yaml"},
        {"name": "config", "configMap": {"name": "litellm-config"}},
    )

    litellm = resolve(manifests, LITELLM).container("litellm")

    mount, inside = litellm.mount_of("/app/config.yaml") or (None, "")
    assert mount is not None and mount.sub_path == "config.yaml" and inside == "config.yaml"
    assert "model_list" in mount.files[inside]
    assert litellm.mount_of("/app/config.yaml/other") is None, "a subPath mount is no folder"


def test_items_project_a_key_to_the_file_name_they_give_and_no_other_key(tmp_path: Path) -> None:
    manifests = _mount_config(
        tmp_path,
        {"name": "config", "mountPath": "/etc/litellm"},
        {"name": "config", "configMap": {"name": "litellm-config",
                                         "items": [{"key": "config.yaml", "path": "proxy.yaml"}]}},
    )  # fmt: skip

    litellm = resolve(manifests, LITELLM).container("litellm")

    mount, inside = litellm.mount_of("/etc/litellm/proxy.yaml") or (None, "")
    assert mount is not None and inside == "proxy.yaml" and mount.keys == {"proxy.yaml": "config.yaml"}
    assert set(mount.files) == {"proxy.yaml"} and "model_list" in mount.files["proxy.yaml"]
