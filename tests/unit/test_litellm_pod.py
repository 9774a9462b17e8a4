"""The local LiteLLM starts as its Deployment says, changed only where a change is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.core.errors import ManifestError
from fixtures.core.redaction import fingerprint
from fixtures.discovery import discover
from fixtures.litellm.pod import litellm_process
from fixtures.pods import HOST_ENV
from tests.manifest_patch import apply

REFERENCE = Path("manifests")
LOCAL = {"NO_PROXY": "127.0.0.1,localhost"}
DEPLOYMENT = "litellm/deployment.yaml"


def value(secret: str, key: str) -> str:
    return f"run-{secret}-{key}"


def test_the_reference_runs_with_its_own_arguments_and_environment_and_every_change_recorded() -> None:
    spec = litellm_process(discover(REFERENCE), value, Path("/run/litellm/config.yaml"), 4321, LOCAL)

    assert spec.argv == ["--config", "/run/litellm/config.yaml", "--host", "127.0.0.1", "--port", "4321"]
    assert spec.env["LITELLM_MASTER_KEY"] == "run-litellm-secrets-LITELLM_MASTER_KEY"
    assert (
        spec.env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True" and spec.env["NO_PROXY"] == "127.0.0.1,localhost"
    )
    effective = spec.effective()
    changed = {change["what"] for change in effective["changes"]}
    pod_env = effective["pod"]["env"]
    for key, shown in effective["env"].items():  # equal to the Pod's, or a recorded change
        assert shown == pod_env.get(key) or f"env {key}" in changed, key
    assert {"--config", "--host", "--port", "entrypoint"} <= changed
    assert effective["env"]["LITELLM_MASTER_KEY"] == fingerprint("run-litellm-secrets-LITELLM_MASTER_KEY")
    assert "run-litellm-secrets" not in str(effective), "a secret value in effective.json"
    assert set(spec.env) <= {*pod_env, *HOST_ENV, *LOCAL}


def test_without_the_key_in_the_secret_litellm_gets_no_master_key_as_in_the_pod(tmp_path: Path) -> None:
    manifests = apply([{"file": "litellm/secret.yaml", "remove": "stringData.LITELLM_MASTER_KEY"}], tmp_path)

    spec = litellm_process(discover(manifests), value, tmp_path / "c.yaml", 1, {})

    assert "LITELLM_MASTER_KEY" not in spec.env


def test_without_env_from_litellm_gets_neither_key(tmp_path: Path) -> None:
    ops = [{"file": DEPLOYMENT, "remove": "spec.template.spec.containers.0.envFrom"}]

    spec = litellm_process(discover(apply(ops, tmp_path)), value, tmp_path / "c.yaml", 1, {})

    assert "LITELLM_MASTER_KEY" not in spec.env and "OPENAI_API_KEY" not in spec.env


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        # The ConfigMap is found by following --config now (any name): where it leads nowhere, the
        # error says what discovery looked for and which mounts the Pod has.
        ({"set": "spec.template.spec.containers.0.args.1", "value": "/etc/other/config.yaml"},
         "--config /etc/other/config.yaml does not resolve: looked for a ConfigMap mounted at that path "
         "(mounts: /etc/litellm (configMap litellm-config))"),
        ({"set": "spec.template.spec.containers.0.volumeMounts.0.mountPath", "value": "/config"},
         "--config /etc/litellm/config.yaml does not resolve: looked for a ConfigMap mounted at that path "
         "(mounts: /config (configMap litellm-config))"),
        ({"set": "spec.template.spec.containers.0.args", "value": ["--port", "4000"]},
         "no --config: LiteLLM would run without the reviewed configuration"),
        ({"set": "spec.template.spec.containers.0.command", "value": ["sh", "-c", "sleep 1"]},
         "only the litellm command can run locally"),
    ],
    ids=["config elsewhere", "mounted elsewhere", "no --config", "another command"],
)  # fmt: skip
def test_a_pod_that_would_not_read_the_reviewed_config_is_a_named_error(
    tmp_path: Path, op: dict[str, object], expected: str
) -> None:
    manifests = apply([{"file": DEPLOYMENT, "doc": 0, **op}], tmp_path)

    with pytest.raises(ManifestError) as caught:
        litellm_process(discover(manifests), value, tmp_path / "c.yaml", 1, {})
    assert DEPLOYMENT in str(caught.value) and expected in str(caught.value)


def test_a_config_map_of_another_name_mounted_by_sub_path_is_the_config_it_reads(tmp_path: Path) -> None:
    """The ConfigMap and its key are whatever the --config mount names (discovery follows it)."""
    base = "spec.template.spec.containers.0"
    ops = [
        {"file": "litellm/configmap.yaml", "set": "metadata.name", "value": "gateway"},
        {"file": DEPLOYMENT, "doc": 0, "set": f"{base}.args.1", "value": "/app/config.yaml"},
        {"file": DEPLOYMENT, "doc": 0, "set": f"{base}.volumeMounts.0",
         "value": {"name": "config", "mountPath": "/app/config.yaml", "subPath": "config.yaml"}},
        {"file": DEPLOYMENT, "doc": 0, "set": "spec.template.spec.volumes.0.configMap.name",
         "value": "gateway"},
    ]  # fmt: skip
    topology = discover(apply(ops, tmp_path))

    spec = litellm_process(topology, value, tmp_path / "c.yaml", 1, {})

    assert topology.config_map is not None and topology.config_map.name == "gateway"
    assert spec.argv[:2] == ["--config", str(tmp_path / "c.yaml")]
    assert {"what": "--config", "pod": "/app/config.yaml", "local": str(tmp_path / "c.yaml")} in spec.changes
