"""The local LiteLLM starts as its Deployment says, changed only where a change is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.errors import ManifestError
from fixtures.pods import HOST_ENV
from fixtures.redaction import fingerprint
from fixtures.stack.litellm_pod import litellm_process
from tests.manifest_patch import apply

REFERENCE = Path("manifests")
LOCAL = {"NO_PROXY": "127.0.0.1,localhost"}
DEPLOYMENT = "litellm/deployment.yaml"


def value(secret: str, key: str) -> str:
    return f"run-{secret}-{key}"


def test_the_reference_runs_with_its_own_arguments_and_environment_and_every_change_recorded() -> None:
    spec = litellm_process(REFERENCE, value, Path("/run/litellm/config.yaml"), 4321, LOCAL)

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

    spec = litellm_process(manifests, value, tmp_path / "c.yaml", 1, {})

    assert "LITELLM_MASTER_KEY" not in spec.env


def test_without_env_from_litellm_gets_neither_key(tmp_path: Path) -> None:
    ops = [{"file": DEPLOYMENT, "remove": "spec.template.spec.containers.0.envFrom"}]

    spec = litellm_process(apply(ops, tmp_path), value, tmp_path / "c.yaml", 1, {})

    assert "LITELLM_MASTER_KEY" not in spec.env and "OPENAI_API_KEY" not in spec.env


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ({"set": "spec.template.spec.containers.0.args.1", "value": "/etc/other/config.yaml"},
         "'/etc/other/config.yaml' is not the key 'config.yaml' of the ConfigMap 'litellm-config'"),
        ({"set": "spec.template.spec.containers.0.volumeMounts.0.mountPath", "value": "/config"},
         "'/etc/litellm/config.yaml' is not the key 'config.yaml'"),
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
        litellm_process(manifests, value, tmp_path / "c.yaml", 1, {})
    assert DEPLOYMENT in str(caught.value) and expected in str(caught.value)
