"""The Kubernetes stacks' logic against a fake API: apply order, waits, Gaming Mode, restore, cleanup.

No cluster runs on this machine. ``FakeCluster`` keeps Deployments, their ready replicas (which
move one step per read, as a controller would) and the Services in front of them; ``FakeForward``
stands in for ``kubectl port-forward``. What is proven is the stack's own behaviour; that the
manifests are valid is proven by tests/unit/test_k8s_manifests.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.errors import ComponentError, OptionError, WaitTimeout
from fixtures.k8s.api import Rollout
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability
from fixtures.stack.cluster import ClusterStack
from fixtures.stack.kind import PLACEHOLDER, KindStack
from fixtures.stack.kube import KubeStack
from fixtures.stack.names import Names
from fixtures.timeouts import Timeouts
from tests.controls.runner import REPO

SERVICES = {  # Service -> the Deployment behind it, as the manifests select them
    ("ml", "litellm"): "litellm",
    ("ml", "vllm-api"): "vllm-server",
    ("ml", "ollama"): "ollama",
    ("ml", "openai-standin"): "openai-standin",
    ("docs", "paperless-ngx"): "paperless-ngx",
}


@dataclass
class FakeCluster:
    deployments: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)
    applied: list[dict[str, Any]] = field(default_factory=list)
    secrets: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    never_ready: set[str] = field(default_factory=set)
    start_replicas: dict[str, int] = field(default_factory=dict)

    def apply(self, obj: dict[str, Any]) -> None:
        self.applied.append(obj)
        meta = obj["metadata"]
        if obj["kind"] == "Deployment":
            replicas = self.start_replicas.get(meta["name"], obj["spec"].get("replicas", 1))
            self.deployments[(meta["namespace"], meta["name"])] = {"replicas": replicas, "ready": 0}
        if obj["kind"] == "Secret":
            self.secrets[(meta["namespace"], meta["name"])] = dict(obj.get("stringData") or {})

    def _step(self, namespace: str, name: str) -> dict[str, int]:
        state = self.deployments[(namespace, name)]
        if name not in self.never_ready and state["ready"] != state["replicas"]:
            state["ready"] += 1 if state["ready"] < state["replicas"] else -1
        return state

    def rollout(self, namespace: str, deployment: str) -> Rollout:
        state = self._step(namespace, deployment)
        return Rollout(state["replicas"], state["ready"], state["replicas"], True)

    def replicas(self, namespace: str, deployment: str) -> int:
        return self.deployments[(namespace, deployment)]["replicas"]

    def scale(self, namespace: str, deployment: str, replicas: int) -> None:
        self.deployments[(namespace, deployment)]["replicas"] = replicas

    def ready_endpoints(self, namespace: str, service: str) -> int:
        return self._step(namespace, SERVICES[(namespace, service)])["ready"]

    def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        return self.secrets.get((namespace, name), {}).get(key)

    def patch_secret(self, namespace: str, name: str, values: dict[str, str]) -> None:
        self.secrets.setdefault((namespace, name), {}).update(values)

    def restart(self, namespace: str, deployment: str) -> None:
        pass

    def pod_logs(self, namespace: str, tail: int) -> dict[str, str]:
        return {f"{namespace}/vllm-server-abc/vllm": "ImagePullBackOff? no: the fake's log line"}

    def events(self, namespace: str) -> list[str]:
        return [f"Warning {namespace}: Readiness probe failed: connection refused"]


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
    **kwargs: Any,
) -> KubeStack:
    def forward(namespace: str, service: str, port: int) -> FakeForward:
        forwards[service] = FakeForward(namespace, service, port)
        return forwards[service]

    timeouts = Timeouts(startup=2, request=2, classification=2, teardown=1, settle=2)
    run = RunFolder.create(tmp_path / "reports")
    if flavour == "kind":
        return KindStack(
            cluster,  # type: ignore[arg-type]  # the fake speaks the Cluster protocol
            REPO / "manifests",
            run,
            timeouts,
            forward,  # type: ignore[arg-type]  # and FakeForward the PortForward one
            poll_s=0.001,
            fetch_token=lambda url, user, password: f"token-for-{user}",
            **kwargs,
        )
    return ClusterStack(
        cluster,  # type: ignore[arg-type]
        REPO / "manifests",
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
    assert all(s["ready"] == s["replicas"] for s in cluster.deployments.values()), cluster.deployments
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
    cluster.deployments[("ml", "vllm-server")] = {"replicas": 1, "ready": 1}
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
    assert cluster.deployments == {}, "nothing may be scaled on its behalf"
