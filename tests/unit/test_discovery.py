"""Discovery: the pipeline found in a tree of any layout by following references as Pods and Services do.

On a copy of the reference ``manifests/`` and on our own example tree ``examples/home-lab-14.3`` (raw
manifests beside Helm values, a ``subPath`` mount, Secrets kept out of git, CRDs of other tools).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fixtures.core.errors import ManifestError
from fixtures.discovery import (
    discover,
    gateway,
    load_gateway,
    load_paperless_ai_dotenv,
    paperless_ai_settings,
    require,
)
from fixtures.pods import pod
from fixtures.topology import Topology
from fixtures.tree import read_tree
from tests.manifest_patch import REFERENCE, apply

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "home-lab-14.3" / "applications"
PAI = "paperless-ai/configmap.yaml"


def row(topology: Topology, component: str) -> dict[str, str]:
    (found,) = [r for r in topology.rows() if r["component"] == component]
    return found


@pytest.fixture(scope="module")
def example() -> Topology:
    return discover(EXAMPLE)


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    return apply([], tmp_path / "manifests")


# --- the reference, copied ---------------------------------------------------------------------


def test_the_reference_reaches_litellm_through_custom_base_url_and_its_config_through_the_mount(
    reference: Path,
) -> None:
    topology = discover(reference)

    assert row(topology, "Paperless-AI") == {
        "component": "Paperless-AI",
        "object": "Deployment docs/paperless-ai",
        "file": "paperless-ai/deployment.yaml",
        "via": "runs the image clusterzx/paperless-ai:3.0.9",
    }
    litellm = row(topology, "LiteLLM")
    assert litellm["object"] == "Deployment ml/litellm" and litellm["file"] == "litellm/deployment.yaml"
    assert litellm["via"] == "CUSTOM_BASE_URL -> Service ml/litellm -> Deployment ml/litellm"
    assert topology.litellm_address == "litellm.ml.svc.cluster.local:4000"
    config = row(topology, "LiteLLM config")
    assert config["object"] == "ConfigMap ml/litellm-config key config.yaml"
    assert config["file"] == "litellm/configmap.yaml" and topology.config_key == "config.yaml"
    ngx = row(topology, "Paperless-ngx")
    assert ngx["object"] == "Deployment docs/paperless-ngx" and ngx["file"] == "paperless-ngx/deployment.yaml"
    assert topology.unresolved == [] and topology.deploy_time == {}


def test_the_references_tiers_are_outside_its_base_so_their_flavour_is_the_provider(reference: Path) -> None:
    topology = discover(reference)

    assert [(t.group, t.flavour, t.target) for t in topology.tiers] == [
        ("vllm-qwen", "vllm", None),
        ("ollama-qwen", "ollama", None),
        ("openai-gpt4o", "openai", None),
    ]
    vllm = topology.tier("vllm-qwen")
    assert vllm is not None and "not in the tree" in vllm.how and "hosted_vllm" in vllm.how
    assert load_gateway(reference).tiers == ("vllm", "ollama", "openai")


def test_the_overlays_resources_are_left_out_of_the_index(reference: Path) -> None:
    tree = read_tree(reference)

    assert tree.get("Deployment", "ml", "vllm-server") is None
    assert tree.get("Service", "ml", "vllm-api") is None
    assert dict((p.relative_to(reference).as_posix(), why) for p, why in tree.ignored) == {
        "kind/overlay.yaml": "an overlay (its resources are not the base deployment)",
        "kind/tiers.yaml": "a resource of an overlay (not the base deployment)",
    }


def test_secrets_the_tree_lacks_are_provided_at_deploy_time_with_the_keys_the_configuration_needs(
    reference: Path,
) -> None:
    (reference / "litellm" / "secret.yaml").unlink()
    (reference / "paperless-ai" / "secret.yaml").unlink()

    topology = discover(reference)

    assert topology.deploy_time == {
        ("ml", "litellm-secrets"): ("LITELLM_MASTER_KEY", "OPENAI_API_KEY"),
        ("docs", "paperless-ai-secrets"): ("API_KEY", "CUSTOM_API_KEY", "PAPERLESS_API_TOKEN"),
    }
    rows = [r for r in topology.rows() if r["component"] == "Secret (provided at deploy time)"]
    assert [(r["object"], r["file"], r["via"]) for r in rows] == [
        (
            "Secret docs/paperless-ai-secrets",
            "(not in the tree)",
            "keys: API_KEY, CUSTOM_API_KEY, PAPERLESS_API_TOKEN",
        ),
        ("Secret ml/litellm-secrets", "(not in the tree)", "keys: LITELLM_MASTER_KEY, OPENAI_API_KEY"),
    ]


def test_a_custom_base_url_at_a_host_the_tree_lacks_is_unresolved_naming_the_file(reference: Path) -> None:
    url = "http://gateway.ml.svc.cluster.local:4000/v1"
    apply([{"file": PAI, "set": "data.CUSTOM_BASE_URL", "value": url}], reference)

    topology = discover(reference)

    (entry,) = topology.unresolved
    assert entry.reference == f"CUSTOM_BASE_URL {url}"
    assert entry.file == str(reference / "paperless-ai" / "deployment.yaml")
    assert "no Service or Helm release" in entry.looked_for and entry.file in entry.line()
    assert topology.litellm is not None and "not reached from Paperless-AI" in topology.litellm.via
    with pytest.raises(ManifestError, match=r"CUSTOM_BASE_URL http://gateway\.ml.* does not resolve"):
        require(topology, "CUSTOM_BASE_URL")


def test_a_paperless_api_url_at_a_host_the_tree_lacks_is_unresolved(reference: Path) -> None:
    url = "http://docs-web.docs:8000/api"
    apply([{"file": PAI, "set": "data.PAPERLESS_API_URL", "value": url}], reference)

    topology = discover(reference)

    assert [(u.reference, Path(u.file).name) for u in topology.unresolved] == [
        (f"PAPERLESS_API_URL {url}", "deployment.yaml")
    ]
    assert topology.paperless_ngx is None and row(topology, "Paperless-ngx")["object"] == "(not found)"


def test_a_tree_with_no_paperless_ai_is_a_manifest_error_saying_what_was_looked_for(reference: Path) -> None:
    (reference / "paperless-ai" / "deployment.yaml").unlink()

    with pytest.raises(ManifestError, match=r"no Paperless-AI in the tree: looked for a Deployment whose "
                       r"container runs a Paperless-AI image in 3 workloads"):  # fmt: skip
        discover(reference)
    with pytest.raises(ManifestError, match=r"looked for the Deployment 'classifier'"):
        discover(REFERENCE, "classifier")


def test_a_duplicate_object_is_recorded_and_the_first_kept(reference: Path) -> None:
    (reference / "zz-copies").mkdir()
    original = (reference / "litellm" / "configmap.yaml").read_text()
    (reference / "zz-copies" / "gateway.yaml").write_text(original.replace("timeout: 3", "timeout: 30"))

    tree = read_tree(reference)

    ((kept, also),) = tree.duplicates
    assert kept.ref == also.ref == "ConfigMap ml/litellm-config"
    assert (
        kept.file == reference / "litellm/configmap.yaml"
        and also.file == reference / "zz-copies/gateway.yaml"
    )
    assert tree.get("ConfigMap", "ml", "litellm-config") is kept
    assert load_gateway(reference).require("vllm-qwen").timeout == 3


def test_helm_values_are_known_by_their_shape_not_their_file_name(tmp_path: Path) -> None:
    (tmp_path / "anything.yml").write_text(
        "image: {repository: ollama/ollama, tag: '0.5'}\nservice: {port: 1}\n"
    )
    (tmp_path / "one-key.yaml").write_text("image: ollama/ollama\n")  # one chart key: not enough
    (tmp_path / "kustomization.yaml").write_text("resources: [a.yaml]\npatches: []\n")

    tree = read_tree(tmp_path)

    (values,) = tree.helm_values
    assert values.file == tmp_path / "anything.yml" and values.image == "ollama/ollama:0.5"
    assert values.service_port == 1 and tree.objects == {}
    assert {p.name: why for p, why in tree.ignored} == {
        "one-key.yaml": "document 0: neither a Kubernetes object nor Helm values",
        "kustomization.yaml": "an overlay (its resources are not the base deployment)",
    }


def test_other_tools_crds_and_readme_files_change_nothing(reference: Path) -> None:
    before = discover(reference).rows()
    (reference / "README.md").write_text("# notes: {not yaml\n- [ also: not\n")
    meta = {"name": "litellm", "namespace": "ml"}
    crds = [
        {"apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": meta,
         "spec": {"routes": [{"services": [{"name": "vllm-api", "port": 8000}]}]}},
        {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": meta,
         "spec": {"secretName": "litellm-tls"}},
    ]  # fmt: skip
    (reference / "litellm" / "route.yaml").write_text(yaml.safe_dump_all(crds))

    topology = discover(reference)

    assert topology.rows() == before
    assert topology.tree.get("IngressRoute", "ml", "litellm") is not None  # indexed, never followed
    assert all(p.suffix != ".md" for p, _ in topology.tree.ignored)


# --- the example tree (ours: raw manifests and Helm values, as an owner's repository has them) --------


def test_the_example_reaches_litellm_and_its_config_through_a_sub_path_mount(example: Topology) -> None:
    assert row(example, "Paperless-AI")["object"] == "Deployment docs/paperless-ai"
    assert row(example, "LiteLLM")["via"] == "CUSTOM_BASE_URL -> Service ml/litellm -> Deployment ml/litellm"
    assert row(example, "LiteLLM config") == {
        "component": "LiteLLM config",
        "object": "ConfigMap ml/litellm-config key config.yaml",
        "file": "litellm/configmap.yaml",
        "via": "the --config mount",
    }
    litellm = example.require_litellm()
    assert litellm.workload is not None and litellm.container is not None
    resolved = pod(example.tree, litellm.workload, lambda _s, _k: "", lambda _ns, _n: ())
    container = resolved.container(litellm.container)
    mount, inside = container.mount_of(container.option("--config") or "") or (None, "")
    assert container.option("--config") == "/app/config.yaml"
    assert mount is not None and mount.sub_path == "config.yaml" and inside == "config.yaml"
    assert gateway(example).key == "data.config.yaml"


def test_the_examples_vllm_group_is_the_vllm_deployment_serving_what_its_args_say(example: Topology) -> None:
    tier = example.tier("vllm-qwen")

    assert tier is not None and tier.flavour == "vllm" and tier.target is not None
    assert tier.how == ("api_base http://vllm-api.ml.svc.cluster.local:8000/v1 -> Service ml/vllm-api "
                        "-> Deployment ml/vllm-server")  # fmt: skip
    assert tier.target.object == "Deployment ml/vllm-server" and tier.target.container == "vllm"
    assert tier.served == ("Qwen/Qwen2.5-7B-Instruct-AWQ",) and tier.max_model_len == 8192
    assert row(example, "model group vllm-qwen")["file"] == "vllm/deployment.yaml"


def test_the_examples_ollama_group_is_helm_values_and_its_openai_group_the_public_endpoint(
    example: Topology,
) -> None:
    ollama, openai = example.tier("ollama-qwen"), example.tier("openai-gpt4o")

    assert ollama is not None and ollama.flavour == "ollama" and ollama.target is not None
    assert ollama.target.values is not None and ollama.target.image == "ollama/ollama:latest"
    assert row(example, "model group ollama-qwen")["object"] == "Helm values"
    assert row(example, "model group ollama-qwen")["file"] == "ollama/values-homelab.yaml"
    assert openai is not None and openai.target is None
    assert (openai.model, openai.api_base, openai.flavour) == ("gpt-4o-mini", None, "openai")
    assert "no api_base: LiteLLM's provider for 'gpt-4o-mini' is openai" in openai.how
    assert gateway(example).tiers == ("vllm", "ollama", "openai")


def test_the_examples_paperless_ngx_is_a_helm_release_named_release_dash_chart(example: Topology) -> None:
    ngx = example.paperless_ngx

    assert ngx is not None and ngx.component == "paperless-ngx" and ngx.values is not None
    assert ngx.via == (
        "PAPERLESS_API_URL -> Helm release 'paperless-paperless-ngx' (paperless/values-homelab.yaml)"
    )
    assert row(example, "Paperless-ngx")["object"] == "Helm values"
    assert example.paperless_ngx_address == "paperless-paperless-ngx.docs.svc.cluster.local:8000"
    assert ngx.values.env["PAPERLESS_REDIS"] == "redis://redis:6379"


def test_the_examples_secrets_are_provided_at_deploy_time_its_settings_hold_none(example: Topology) -> None:
    assert example.deploy_time == {
        ("ml", "litellm-secrets"): ("LITELLM_MASTER_KEY", "OPENAI_API_KEY"),
        ("docs", "paperless-ai-secrets"): ("API_KEY", "CUSTOM_API_KEY", "PAPERLESS_API_TOKEN"),
    }
    settings, source = paperless_ai_settings(example)
    assert source == EXAMPLE / "paperless-ai" / "configmap.yaml"
    assert settings["LLM_MODEL"] == "vllm-qwen" and "CUSTOM_MODEL" not in settings
    assert not {"API_KEY", "CUSTOM_API_KEY", "PAPERLESS_API_TOKEN"} & settings.keys()
    assert example.unresolved == []


def test_the_examples_readmes_and_crds_are_not_the_pipeline(example: Topology) -> None:
    objects = " ".join(r["object"] for r in example.rows())

    for other in ("IngressRoute", "Certificate", "Middleware", "gotenberg", "tika", "n8n"):
        assert other not in objects
    assert example.tree.ignored == [] and example.tree.duplicates == []
    assert {v.file.parent.name for v in example.tree.helm_values} == {"n8n", "ollama", "paperless"}
    assert load_paperless_ai_dotenv(example) is None  # no data.env seeded beside the workload


def test_a_seeded_dotenv_beside_paperless_ai_is_read(reference: Path) -> None:
    (reference / "paperless-ai" / "data.env").write_text("AI_PROVIDER=ollama\nCUSTOM_MODEL=m\n")

    assert load_paperless_ai_dotenv(discover(reference)) == {"AI_PROVIDER": "ollama", "CUSTOM_MODEL": "m"}


def test_every_secret_the_local_stack_generates_is_in_the_end_of_run_scan(tmp_path: Path) -> None:
    from fixtures.core.run import Run
    from fixtures.core.timeouts import Timeouts
    from fixtures.report.run_folder import RunFolder
    from fixtures.stack.local.stack import LocalStack

    stack = LocalStack(EXAMPLE, Run(RunFolder(tmp_path)), Timeouts())
    try:
        groq = stack.secret_value("litellm-secrets", "GROQ_API_KEY")
        token = stack.paperless._generate("JWT_SECRET")
        scanned = set(stack.secrets().values())
    finally:
        stack.stop()

    assert {groq, token, stack.master_key, stack.openai_key} <= scanned


def test_the_report_says_which_uploads_the_predefined_documents_setting_leaves_unclassified() -> None:
    from fixtures.stack.local.paperless import documents_selected

    owner = {"PROCESS_PREDEFINED_DOCUMENTS": "yes", "TAGS": "pre-process"}
    assert "only documents tagged pre-process" in str(documents_selected(owner))
    assert "classifies no document" in str(documents_selected({"PROCESS_PREDEFINED_DOCUMENTS": "yes"}))
    assert documents_selected({"PROCESS_PREDEFINED_DOCUMENTS": "no", "TAGS": "x"}) is None
