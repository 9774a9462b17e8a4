"""The Kubernetes stacks' logic against a fake API: apply order, waits, Gaming Mode, restore, cleanup.

No cluster runs on this machine. ``FakeCluster`` keeps Deployments, their ready replicas (which
move one step per read, as a controller would) and the Services in front of them; ``FakeForward``
stands in for ``kubectl port-forward``. What is proven is the stack's own behaviour; that the
manifests are valid is proven by tests/unit/test_k8s_manifests.py.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.core.errors import ComponentError, OptionError, WaitTimeout
from fixtures.core.run import Run
from fixtures.core.timeouts import Timeouts
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability
from fixtures.stack.kube.api import Rollout
from fixtures.stack.kube.cluster import ClusterStack
from fixtures.stack.kube.kind import PLACEHOLDER, KindStack
from fixtures.stack.kube.names import Names
from fixtures.stack.kube.stack import KubeStack
from tests.controls.runner import REPO

OWNER_TREE = REPO / "examples" / "home-lab-14.3" / "applications"


def _labels(obj: dict[str, Any], *path: str) -> dict[str, str]:
    for step in path:
        obj = obj.get(step) or {}
    return {str(k): str(v) for k, v in obj.items()}


@dataclass
class FakeCluster:
    """The API server over objects as it serialises them (camelCase, as in a manifest). A controller
    moves each Deployment's ready Pods one step per read of its rollout or endpoints; a Pod outlives
    its endpoint by ``linger`` further reads (Terminating), as a real one does for its grace period."""

    objects: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)  # (kind, ns, name)
    state: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # ready, pods, linger
    applied: list[dict[str, Any]] = field(default_factory=list)
    secrets: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    never_ready: set[str] = field(default_factory=set)
    start_replicas: dict[str, int] = field(default_factory=dict)
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (namespace, path) -> text in its Pod
    scaled: list[tuple[str, str, int]] = field(default_factory=list)
    linger: int = 1

    def add(self, obj: dict[str, Any], ready: bool = True) -> dict[str, Any]:
        """An object as if it had been running for a while (``ready``) or just created."""
        meta = obj["metadata"]
        stored = copy.deepcopy(obj)
        stored["metadata"].setdefault("namespace", "default")
        self.objects[(obj["kind"], stored["metadata"]["namespace"], meta["name"])] = stored
        if obj["kind"] == "Deployment":
            count = stored["spec"].setdefault("replicas", 1) if ready else 0
            self.state[(stored["metadata"]["namespace"], meta["name"])] = {
                "ready": count,
                "pods": count,
                "t": 0,
            }
        if obj["kind"] == "Secret":
            values = {**(obj.get("data") or {}), **(obj.get("stringData") or {})}
            self.secrets[(stored["metadata"]["namespace"], meta["name"])] = dict(values)
        return stored

    def apply(self, obj: dict[str, Any]) -> None:
        self.applied.append(obj)
        if obj["kind"] == "Deployment":
            obj = copy.deepcopy(obj)
            obj["spec"]["replicas"] = self.start_replicas.get(
                obj["metadata"]["name"], obj["spec"].get("replicas", 1)
            )
        self.add(obj, ready=False)

    def _deployment(self, namespace: str, name: str) -> dict[str, Any]:
        return self.objects[("Deployment", namespace, name)]  # KeyError: the API's 404

    def _step(self, namespace: str, name: str) -> dict[str, int]:
        state, wanted = self.state[(namespace, name)], self._deployment(namespace, name)["spec"]["replicas"]
        if name in self.never_ready:
            return state
        if state["pods"] > max(state["ready"], wanted):  # Terminating: gone ``linger`` reads later
            state["t"] += 1
            if state["t"] > self.linger:
                state["pods"], state["t"] = state["pods"] - 1, 0
        if state["ready"] < wanted:
            state["ready"] += 1
            state["pods"] = max(state["pods"], state["ready"])
        elif state["ready"] > wanted:
            state["ready"] -= 1
        return state

    def rollout(self, namespace: str, deployment: str) -> Rollout:
        state, wanted = self._step(namespace, deployment), self.replicas(namespace, deployment)
        return Rollout(wanted, state["ready"], wanted, True)

    def replicas(self, namespace: str, deployment: str) -> int:
        return int(self._deployment(namespace, deployment)["spec"]["replicas"])

    def scale(self, namespace: str, deployment: str, replicas: int) -> None:
        self._deployment(namespace, deployment)["spec"]["replicas"] = replicas
        self.scaled.append((namespace, deployment, replicas))

    def _selected(self, namespace: str, selector: dict[str, str]) -> list[str]:
        return [
            name
            for (kind, ns, name), obj in self.objects.items()
            if kind == "Deployment" and ns == namespace and selector
            and selector.items() <= _labels(obj, "spec", "template", "metadata", "labels").items()
        ]  # fmt: skip

    def ready_endpoints(self, namespace: str, service: str) -> int:
        selector = _labels(self.objects[("Service", namespace, service)], "spec", "selector")
        return sum(self._step(namespace, name)["ready"] for name in self._selected(namespace, selector))

    def pods(self, namespace: str, selector: dict[str, str]) -> list[str]:
        selected = self._selected(namespace, selector)
        return [f"{name}-{i}" for name in selected for i in range(self.state[(namespace, name)]["pods"])]

    def deployments(self, namespace: str) -> list[dict[str, Any]]:
        found = self.objects.items()
        return [copy.deepcopy(o) for (kind, ns, _), o in found if (kind, ns) == ("Deployment", namespace)]

    def service(self, namespace: str, name: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.objects.get(("Service", namespace, name)))

    def configmap(self, namespace: str, name: str) -> dict[str, str] | None:
        found = self.objects.get(("ConfigMap", namespace, name))
        return None if found is None else {str(k): str(v) for k, v in (found.get("data") or {}).items()}

    def configmap_data(self, namespace: str, name: str) -> dict[str, str]:
        return self.configmap(namespace, name) or {}

    def secret_keys(self, namespace: str, name: str) -> list[str] | None:
        found = self.secrets.get((namespace, name))
        return None if found is None else sorted(found)

    def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        return self.secrets.get((namespace, name), {}).get(key)

    def secret_data(self, namespace: str, name: str) -> dict[str, str]:
        return dict(self.secrets.get((namespace, name), {}))

    def patch_secret(self, namespace: str, name: str, values: dict[str, str]) -> None:
        self.secrets.setdefault((namespace, name), {}).update(values)

    def read_file(self, namespace: str, selector: dict[str, str], container: str, path: str) -> str | None:
        return self.files.get((namespace, path)) if self.pods(namespace, selector) else None

    def restart(self, namespace: str, deployment: str) -> None:
        pass

    def pod_logs(self, namespace: str, tail: int) -> dict[str, str]:
        return {f"{namespace}/vllm-server-abc/vllm": "ImagePullBackOff? no: the fake's log line"}

    def events(self, namespace: str) -> list[str]:
        return [f"Warning {namespace}: Readiness probe failed: connection refused"]


def _helm_deployment(
    namespace: str, name: str, labels: dict[str, str], container: dict[str, Any]
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": {"helm.sh/chart": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": {**labels, "app.kubernetes.io/part-of": "home-lab"}},
                         "spec": {"containers": [container]}},
        },
    }  # fmt: skip


def _service(namespace: str, name: str, labels: dict[str, str], port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": labels, "ports": [{"name": "http", "port": port}]},
    }


# What the owner's Pod data/.env says when it agrees with the ConfigMap (the hand-edited file of story
# 14.3 set AI_PROVIDER=custom and the gateway; a CUSTOM_API_KEY is there too, its value never shown).
DOTENV = (
    "PAPERLESS_API_URL=http://paperless-paperless-ngx.docs.svc.cluster.local:8000/api\n"
    "AI_PROVIDER=custom\nCUSTOM_BASE_URL=http://litellm.ml.svc.cluster.local:4000/v1\n"
    "CUSTOM_API_KEY=sk-owner-dotenv-value-0123456789\nSCAN_INTERVAL=*/30 * * * *\n"
)


def owner_cluster() -> FakeCluster:
    """A cluster holding what the owner's tree says (``examples/home-lab-14.3``): its own manifests as
    applied, the two Helm releases as their charts render them (Ollama ``ollama``; Paperless-ngx
    release ``paperless``, so Service and Deployment ``paperless-paperless-ngx``), and the Secrets
    made by hand with the keys the configuration needs."""
    from fixtures.discovery import discover

    cluster = FakeCluster()
    topology = discover(OWNER_TREE)
    for obj in topology.tree.of_kind("Deployment", "Service", "ConfigMap"):
        cluster.add(obj.doc)
    values = {v.file.parent.name: v for v in topology.tree.helm_values}
    ollama = {"app.kubernetes.io/name": "ollama", "app.kubernetes.io/instance": "ollama"}
    env = [{"name": k, "value": v} for k, v in values["ollama"].env.items()]
    container = {"name": "ollama", "image": values["ollama"].image, "env": env}
    cluster.add(_helm_deployment("ml", "ollama", ollama, container))
    cluster.add(_service("ml", "ollama", ollama, 11434))
    ngx = {"app.kubernetes.io/name": "paperless-ngx", "app.kubernetes.io/instance": "paperless"}
    env = [{"name": k, "value": v} for k, v in values["paperless"].env.items()]
    container = {"name": "paperless-paperless-ngx", "image": values["paperless"].image, "env": env}
    cluster.add(_helm_deployment("docs", "paperless-paperless-ngx", ngx, container))
    cluster.add(_service("docs", "paperless-paperless-ngx", ngx, 8000))
    cluster.secrets[("ml", "litellm-secrets")] = {
        "LITELLM_MASTER_KEY": "sk-owner-master",
        "OPENAI_API_KEY": "sk-o",
    }
    cluster.secrets[("docs", "paperless-ai-secrets")] = {
        "PAPERLESS_API_TOKEN": "t" * 40, "CUSTOM_API_KEY": "sk-owner-master", "API_KEY": "k" * 32
    }  # fmt: skip
    cluster.files[("docs", "/app/data/.env")] = DOTENV
    return cluster


@dataclass
class FakeForward:
    namespace: str
    service: str
    port: int
    starts: int = 0
    stops: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{20000 + self.port % 1000}"

    def start(self, timeout: float) -> FakeForward:
        self.starts += 1
        return self

    def restart(self, timeout: float) -> None:
        self.stop()
        self.start(timeout)

    def stop(self) -> None:
        self.stops += 1


@pytest.fixture
def forwards() -> dict[str, FakeForward]:
    return {}


def make_stack(
    tmp_path: Path,
    cluster: FakeCluster,
    forwards: dict[str, FakeForward],
    flavour: str = "kind",
    manifests: Path = REPO / "manifests",
    **kwargs: Any,
) -> KubeStack:
    def forward(namespace: str, service: str, port: int) -> FakeForward:
        forwards[service] = FakeForward(namespace, service, port)
        return forwards[service]

    timeouts = Timeouts(startup=2, request=2, classification=2, teardown=1, settle=2)
    run = Run(RunFolder.create(tmp_path / "reports"))
    if flavour == "kind":
        return KindStack(
            cluster,  # type: ignore[arg-type]  # the fake speaks the Cluster protocol
            manifests,
            run,
            timeouts,
            forward,  # type: ignore[arg-type]  # and FakeForward the PortForward one
            poll_s=0.001,
            fetch_token=lambda url, user, password: f"token-for-{user}",
            **kwargs,
        )
    return ClusterStack(
        cluster,  # type: ignore[arg-type]
        manifests,
        run,
        timeouts,
        forward,  # type: ignore[arg-type]
        poll_s=0.001,
        **kwargs,
    )


def test_kind_applies_in_order_with_this_runs_secrets_and_waits_for_every_rollout(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster()
    stack = make_stack(tmp_path, cluster, forwards)

    stack.start()

    kinds = [o["kind"] for o in cluster.applied]
    assert kinds[:2] == ["Namespace", "Namespace"] and kinds.index("Deployment") > kinds.index("Secret")
    assert all(s["ready"] == cluster.replicas(*key) for key, s in cluster.state.items()), cluster.state
    values = [v for secret in cluster.secrets.values() for v in secret.values()]
    assert PLACEHOLDER not in values, "a placeholder Secret value reached the cluster"
    litellm = cluster.secrets[("ml", "litellm-secrets")]
    assert (
        cluster.secrets[("docs", "paperless-ai-secrets")]["CUSTOM_API_KEY"] == litellm["LITELLM_MASTER_KEY"]
    )
    assert stack.gateway.key == litellm["LITELLM_MASTER_KEY"]
    assert set(forwards) == {"litellm", "vllm-api", "ollama", "openai-standin", "paperless-ngx"}
    assert cluster.secrets[("docs", "paperless-ai-secrets")]["PAPERLESS_API_TOKEN"] == "token-for-admin"
    assert set(stack.secrets()) >= {"LiteLLM master key", "OpenAI key", "Paperless-AI API key"}


def test_gaming_mode_scales_vllm_to_0_until_no_endpoint_then_restores_the_original_count(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster(start_replicas={"vllm-server": 2})
    stack = make_stack(tmp_path, cluster, forwards)
    stack.start()

    with stack.gaming_mode():
        assert cluster.replicas("ml", "vllm-server") == 0 and not stack.is_up("vllm")

    assert cluster.replicas("ml", "vllm-server") == 2 and stack.is_up("vllm")
    assert [(t.replicas_from, t.replicas_to) for t in stack.transitions] == [(2, 0), (0, 2)]
    assert forwards["vllm-api"].starts == 2, "the port-forward must follow the new pod"


def test_a_failing_test_body_still_gets_vllm_restored(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster()
    stack = make_stack(tmp_path, cluster, forwards)
    stack.start()

    with pytest.raises(AssertionError), stack.gaming_mode():
        raise AssertionError("the test failed inside Gaming Mode")

    assert cluster.replicas("ml", "vllm-server") == 1


def test_stop_restores_a_tier_left_scaled_and_records_both_transitions(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster(start_replicas={"vllm-server": 3})
    stack = make_stack(tmp_path, cluster, forwards)
    stack.start()
    stack.scale("vllm", 0)  # then Ctrl-C: no context manager got to restore it

    stack.stop()

    assert cluster.replicas("ml", "vllm-server") == 3
    assert all(f.stops >= 1 for f in forwards.values())
    recorded = (stack.run.root / "disruptions.json").read_text()
    assert '"replicas_from": 3' in recorded and '"replicas_to": 3' in recorded


def test_a_rollout_that_never_gets_ready_times_out_naming_it_with_events_and_logs(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster(never_ready={"vllm-server"})
    stack = make_stack(tmp_path, cluster, forwards)

    with pytest.raises(WaitTimeout) as caught:
        stack.start()

    message = str(caught.value)
    assert "Deployment ml/vllm-server to roll out" in message
    assert "Readiness probe failed" in message and "the fake's log line" in message


def test_the_cluster_stack_reads_the_key_from_the_secret_and_scales_only_with_allow_disruption(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster(secrets={("ml", "litellm-secrets"): {"LITELLM_MASTER_KEY": "sk-from-the-cluster"}})
    cluster.add(owner_cluster().objects[("Deployment", "ml", "vllm-server")])
    stack = make_stack(tmp_path, cluster, forwards, flavour="cluster")

    stack.start()

    assert stack.gateway.key == "sk-from-the-cluster" and cluster.applied == [], (
        "a real cluster is never applied to"
    )
    assert Capability.DISRUPTION not in stack.capabilities and Capability.JOURNALS not in stack.capabilities
    with pytest.raises(ComponentError, match="needs --allow-disruption"):
        stack.scale("vllm", 0)
    assert cluster.replicas("ml", "vllm-server") == 1
    allowed = make_stack(tmp_path, cluster, forwards, flavour="cluster", allow_disruption=True)
    assert Capability.DISRUPTION in allowed.capabilities


def test_a_cluster_without_the_litellm_key_is_named(tmp_path: Path, forwards: dict[str, FakeForward]) -> None:
    stack = make_stack(tmp_path, FakeCluster(), forwards, flavour="cluster")

    with pytest.raises(ComponentError, match="LITELLM_MASTER_KEY in Secret ml/litellm-secrets"):
        stack.start()


def test_names_can_be_changed_one_by_one_and_a_wrong_key_is_refused() -> None:
    names = Names.from_options(["vllm_deployment=vllm", "vllm_port=8001"])

    assert names.tier("vllm") == ("vllm", "vllm-api", 8001) and names.ml_namespace == "ml"
    with pytest.raises(OptionError, match="--k8s-name"):
        Names.from_options(["gpu=vllm"])


def test_the_paperless_side_comes_from_the_cluster_and_a_failed_warm_up_is_kept_not_raised(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster()
    stack = make_stack(tmp_path, cluster, forwards)
    stack.start()
    cluster.configmap_data = lambda ns, name: {"AI_PROVIDER": "custom", "CUSTOM_MODEL": "vllm-qwen"}  # type: ignore[method-assign]
    cluster.secret_data = lambda ns, name: {"API_KEY": "k" * 32, "PAPERLESS_API_TOKEN": "t" * 40}  # type: ignore[method-assign]

    pipeline = stack.pipeline()

    assert pipeline.env == {
        "AI_PROVIDER": "custom",
        "CUSTOM_MODEL": "vllm-qwen",
        "API_KEY": "k" * 32,
        "PAPERLESS_API_TOKEN": "t" * 40,
    }
    assert pipeline.litellm_v1 == "http://litellm.ml.svc.cluster.local:4000/v1"
    assert pipeline.ai.real and stack.unique_uploads
    assert pipeline.warmup_problem and "scan/now" in pipeline.warmup_problem, "nothing listens in this test"
    assert stack.secrets()["Paperless token"] == "t" * 40
    assert stack.pipeline() is pipeline


def test_on_a_real_cluster_the_cloud_tier_cannot_be_taken_away(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster_stack = make_stack(tmp_path, FakeCluster(), forwards, flavour="cluster", allow_disruption=True)
    kind_stack = make_stack(tmp_path, FakeCluster(), forwards)

    assert cluster_stack.can_scale("vllm") and not cluster_stack.can_scale("openai")
    assert kind_stack.can_scale("openai")


def test_the_paperless_names_follow_k8s_name_too(tmp_path: Path, forwards: dict[str, FakeForward]) -> None:
    cluster = FakeCluster(secrets={("ml", "litellm-secrets"): {"LITELLM_MASTER_KEY": "sk-from-the-cluster"}})
    read: list[tuple[str, str]] = []
    cluster.configmap_data = lambda ns, name: read.append((ns, name)) or {}  # type: ignore[method-assign]
    cluster.secret_data = lambda ns, name: read.append((ns, name)) or {}  # type: ignore[method-assign]
    names = Names.from_options(
        ["docs_namespace=archive", "paperless_ai_configmap=pai-env", "paperless_ai_secret=pai-keys",
         "paperless_ngx_service=ngx", "paperless_ngx_port=80", "paperless_ai_service=pai"]
    )  # fmt: skip
    stack = make_stack(tmp_path, cluster, forwards, flavour="cluster", names=names)
    stack.start()

    stack.pipeline()

    assert read == [("archive", "pai-env"), ("archive", "pai-keys")]
    assert (forwards["ngx"].namespace, forwards["ngx"].port) == ("archive", 80)
    assert forwards["pai"].port == 3000 and "paperless-ngx" not in forwards


def test_scaling_the_cloud_tier_of_a_real_cluster_is_refused_naming_why(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = FakeCluster(secrets={("ml", "litellm-secrets"): {"LITELLM_MASTER_KEY": "sk-from-the-cluster"}})
    stack = make_stack(tmp_path, cluster, forwards, flavour="cluster", allow_disruption=True)
    stack.start()

    with pytest.raises(ComponentError, match="cloud tier is not a Deployment of this cluster"):
        stack.scale("openai", 0)
    assert cluster.scaled == [], "nothing may be scaled on its behalf"


# --- the owner's tree and cluster (examples/home-lab-14.3, shared/owner/home-lab.md) ---------------


def test_names_default_to_what_the_tree_says_and_k8s_name_still_wins() -> None:
    from fixtures.discovery import discover

    topology = discover(OWNER_TREE)
    names = Names.from_topology(topology)

    assert names.tier("vllm") == ("vllm-server", "vllm-api", 8000)
    assert names.tier("ollama") == ("ollama", "ollama", 11434)  # a Helm release: its Service's name
    assert (names.litellm_service, names.litellm_port, names.litellm_secret) == (
        "litellm",
        4000,
        "litellm-secrets",
    )
    assert (names.paperless_ngx_service, names.paperless_ngx_port) == ("paperless-paperless-ngx", 8000)
    assert (names.paperless_ai_deployment, names.paperless_ai_service, names.paperless_ai_port) == (
        "paperless-ai",
        "paperless-ai-svc",
        3000,
    )
    assert (names.paperless_ai_configmap, names.paperless_ai_secret) == (
        "paperless-ai-config",
        "paperless-ai-secrets",
    )
    assert (names.ml_namespace, names.docs_namespace) == ("ml", "docs")
    overridden = Names.from_topology(topology, ["paperless_ngx_service=ngx", "vllm_port=8001"])
    assert (overridden.paperless_ngx_service, overridden.vllm_port) == ("ngx", 8001)
    assert overridden.vllm_service == "vllm-api" and overridden.overrides() == [
        "vllm_port=8001",
        "paperless_ngx_service=ngx",
    ]
    assert Names.from_topology(None) == Names(), "without a tree: the reference deployment's names"


def owner_stack(
    tmp_path: Path, cluster: FakeCluster, forwards: dict[str, FakeForward], **kwargs: Any
) -> KubeStack:
    return make_stack(
        tmp_path, cluster, forwards, flavour="cluster", manifests=OWNER_TREE, allow_disruption=True, **kwargs
    )


def test_gaming_mode_scales_what_the_vllm_service_selects_not_a_deployment_of_that_name(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = owner_cluster()
    # The live Deployment behind vllm-api has another name than the tree's; a stale one keeps the name.
    real = cluster.objects.pop(("Deployment", "ml", "vllm-server"))
    real["metadata"]["name"], real["spec"]["replicas"] = "qwen-awq", 2
    cluster.add(real)
    stale = copy.deepcopy(real)
    stale["metadata"]["name"], stale["spec"]["replicas"] = "vllm-server", 1
    stale["spec"]["selector"]["matchLabels"] = {"app": "vllm-server-old"}
    stale["spec"]["template"]["metadata"]["labels"] = {"app": "vllm-server-old"}
    cluster.add(stale)
    stack = owner_stack(tmp_path, cluster, forwards)
    stack.start()

    with stack.gaming_mode():
        assert cluster.replicas("ml", "qwen-awq") == 0 and cluster.replicas("ml", "vllm-server") == 1
        assert not stack.is_up("vllm")

    assert cluster.replicas("ml", "qwen-awq") == 2 and stack.is_up("vllm"), "exactly the count it had"
    assert [(d, n) for _, d, n in cluster.scaled] == [("qwen-awq", 0), ("qwen-awq", 2)]
    moves = stack.transitions
    assert [(t.deployment, t.replicas_from, t.replicas_to) for t in moves] == [
        ("qwen-awq", 2, 0),
        ("qwen-awq", 0, 2),
    ]
    assert "the live Service ml/vllm-api selects app=vllm-server" in moves[0].found_by


def test_gaming_mode_waits_until_no_pod_of_it_is_left_not_only_until_the_endpoints_went(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = owner_cluster()
    cluster.linger = 4  # a vLLM Pod takes its grace period to free the GPU after leaving the endpoints
    stack = owner_stack(tmp_path, cluster, forwards)
    stack.start()

    with stack.gaming_mode():
        assert cluster.pods("ml", {"app": "vllm-server"}) == [], "a terminating Pod still holds the GPU"
        assert cluster.ready_endpoints("ml", "vllm-api") == 0

    assert cluster.replicas("ml", "vllm-server") == 1


def test_a_pod_that_never_goes_times_out_naming_the_deployment_and_the_pod_and_is_restored(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = owner_cluster()
    cluster.linger = 10_000  # stuck Terminating (a finalizer, a dead node)
    stack = owner_stack(tmp_path, cluster, forwards)
    stack.start()

    with pytest.raises(WaitTimeout) as caught, stack.gaming_mode():
        pass

    assert "no Pod of Deployment ml/vllm-server left" in str(caught.value)
    assert "vllm-server-0" in str(caught.value)
    stack.stop()
    assert cluster.replicas("ml", "vllm-server") == 1, "restored after the failed scale-down"


def test_a_selector_matching_two_deployments_is_refused_unless_k8s_name_says_which(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = owner_cluster()
    canary = copy.deepcopy(cluster.objects[("Deployment", "ml", "vllm-server")])
    canary["metadata"]["name"], canary["spec"]["replicas"] = "vllm-canary", 0  # parked, same Pod labels
    cluster.add(canary)
    stack = owner_stack(tmp_path, cluster, forwards)
    stack.start()

    with pytest.raises(
        ComponentError, match=r"2 Deployments of ml carry those Pod labels \(vllm-server, vllm-canary\)"
    ):
        stack.scale("vllm", 0)
    assert cluster.scaled == [], "nothing is scaled on a guess"

    names = Names.from_options(["vllm_deployment=vllm-server"])
    named = owner_stack(tmp_path, cluster, forwards, names=names)
    named.start()
    with named.gaming_mode():
        assert cluster.replicas("ml", "vllm-server") == 0 and cluster.pods("ml", {"app": "vllm-server"}) == []
    assert cluster.replicas("ml", "vllm-server") == 1 and cluster.replicas("ml", "vllm-canary") == 0
    assert named.transitions[0].found_by == "--k8s-name vllm_deployment=vllm-server"


def test_the_cluster_stack_on_the_owner_tree_reaches_its_services_by_the_trees_names(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    cluster = owner_cluster()
    stack = owner_stack(tmp_path, cluster, forwards)
    stack.start()

    stack.pipeline()

    assert stack.gateway.key == "sk-owner-master" and cluster.applied == []
    assert {"litellm", "paperless-paperless-ngx", "paperless-ai-svc"} <= set(forwards)
    assert (forwards["paperless-ai-svc"].namespace, forwards["paperless-ai-svc"].port) == ("docs", 3000)
    topology = (stack.run.root / "topology.json").read_text()
    assert "Deployment ml/vllm-server" in topology


def test_kind_applies_litellms_config_with_the_runs_marker_on_every_chain_group(
    tmp_path: Path, forwards: dict[str, FakeForward]
) -> None:
    import json

    import yaml

    from fixtures.doubles.tiers.journal import VIA_HEADER

    cluster = FakeCluster()
    stack = make_stack(tmp_path, cluster, forwards)
    stack.start()

    assert stack.via_marker and stack.via_marker.startswith("litellm-")
    applied = next(
        o for o in cluster.applied if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "litellm-config"
    )
    config = yaml.safe_load(applied["data"]["config.yaml"])
    headers = {e["model_name"]: e["litellm_params"].get("extra_headers") for e in config["model_list"]}
    assert set(stack.config.chain) <= set(headers)
    assert all(headers[group] == {VIA_HEADER: stack.via_marker} for group in stack.config.chain), headers
    # the overlay's change is still there: the marker is added, nothing else of the config moves
    assert (
        config["model_list"][2]["litellm_params"]["api_base"]
        == "http://openai-standin.ml.svc.cluster.local:8080/v1"
    )
    recorded = json.loads((stack.run.root / "litellm" / "changes.json").read_text())
    assert [c["after"] for c in recorded["changes"]] == [f"{VIA_HEADER}: {stack.via_marker}"] * len(headers)
    assert all(
        c["key"].startswith("ConfigMap ml/litellm-config data.config.yaml: model_list[")
        for c in recorded["changes"]
    )


def test_without_the_live_service_the_trees_selector_finds_the_workload() -> None:
    from fixtures.discovery import discover
    from fixtures.stack.kube.gaming_mode import find_workload, tree_service

    cluster = owner_cluster()
    del cluster.objects[("Service", "ml", "vllm-api")]  # e.g. a token that may not read Services
    in_tree = tree_service(discover(OWNER_TREE), "vllm")

    found = find_workload(cluster, "vllm", "ml", "vllm-api", in_tree, None)  # type: ignore[arg-type]

    assert (found.deployment, found.pod_labels) == ("vllm-server", {"app": "vllm-server"})
    assert found.found_by.startswith("Service ml/vllm-api of the tree selects app=vllm-server")
    with pytest.raises(ComponentError, match="neither in the cluster nor in the tree"):
        find_workload(cluster, "vllm", "ml", "vllm-api", None, None)  # type: ignore[arg-type]
