"""Each lint rule fires on a tree broken in its way, with its severity, its message and a fix of its own
(no other rule's advice), and stays silent on a tree that is not (the reference manifests, or where the
reference triggers a rule by design, a fixed variant)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from fixtures.lint import (
    ERROR,
    INFO,
    RULES,
    SWITCHES,
    WARNING,
    Finding,
    failover_budget_s,
    link_variables,
    lint,
    read,
    switch_on,
)
from fixtures.paperless_ai.config import READ_KEYS
from tests.controls.runner import REPO
from tests.manifest_patch import REFERENCE, apply

CATALOG = {
    m["id"]: m["patch"] for m in yaml.safe_load((REPO / "tests/mutants/catalog.yaml").read_text())["mutants"]
}
PAI = "paperless-ai/configmap.yaml"
PAI_DEPLOYMENT = "paperless-ai/deployment.yaml"
LLM = "litellm/configmap.yaml"
LITELLM_DEPLOYMENT = "litellm/deployment.yaml"
FIRST_CONTAINER = "spec.template.spec.containers.0"
# a Downward API variable: valid Kubernetes, which the local stack cannot start
DOWNWARD = {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}


class Trigger(NamedTuple):
    """A tree that triggers one rule: a patch of the reference manifests (the mutant catalog's where it
    has one), text its message holds, the severity the finding must have (error: the Pod or a criterion
    would fail; warning: it depends on the environment; info: advice), and text of the rule's own subject
    its fix names (a fix another rule could have printed names none)."""

    ops: list[dict[str, Any]]
    message: str
    severity: str
    fix: str


# rule -> a tree that triggers it
BROKEN: dict[str, Trigger] = {
    "PAI001": Trigger(
        CATALOG["pai-wrong-provider"], "AI_PROVIDER is 'ollama'", ERROR, "set AI_PROVIDER: custom"
    ),
    # discovery still finds LiteLLM's Service (by the workload it selects): the fix names its address
    "PAI002": Trigger(
        CATALOG["pai-base-url-at-vllm"],
        "points at the vllm tier directly",
        ERROR,
        "set CUSTOM_BASE_URL: http://litellm.ml.svc.cluster.local:4000/v1",
    ),
    "PAI003": Trigger(
        CATALOG["pai-raw-vllm-model-name"],
        "raw model name of 'vllm-qwen'",
        ERROR,
        "set CUSTOM_MODEL: vllm-qwen",
    ),
    "PAI004": Trigger(
        CATALOG["pai-missing-custom-api-key"],
        "gets no CUSTOM_API_KEY",
        ERROR,
        "add CUSTOM_API_KEY (a key LiteLLM accepts: its master key or a virtual key) to the Secret "
        "paperless-ai-secrets",
    ),
    "PAI005": Trigger(
        CATALOG["pai-llm-model-instead-of-custom-model"],
        "with AI_PROVIDER=custom the model comes from CUSTOM_MODEL",
        ERROR,
        "rename LLM_MODEL to CUSTOM_MODEL",
    ),
    "PAI006": Trigger(
        CATALOG["pai-secret-inline"],
        "CUSTOM_API_KEY is inline",
        ERROR,
        "move CUSTOM_API_KEY out of the ConfigMap into the Secret paperless-ai-secrets",
    ),
    "PAI007": Trigger(
        [{"file": PAI, "remove": "data.AI_PROCESSED_TAG_NAME"}],
        "AI_PROCESSED_TAG_NAME is unset: Paperless-AI silently adds no processed tag",
        ERROR,
        "set AI_PROCESSED_TAG_NAME: ai-processed",
    ),
    # information: PAPERLESS_URL is read by the RAG service only (3.0.9's env table)
    "PAI008": Trigger(
        [
            {
                "file": PAI,
                "set": "data.PAPERLESS_URL",
                "value": "http://paperless-ngx.docs.svc.cluster.local:8000",
            }
        ],
        "read only by the RAG service",
        INFO,
        "meant for document chat (RAG)",
    ),
    # PROCESS_PREDEFINED_DOCUMENTS without TAGS selects nothing (services/paperlessService.js)
    "PAI009": Trigger(
        [{"file": PAI, "set": "data.PROCESS_PREDEFINED_DOCUMENTS", "value": "yes"}],
        "TAGS is empty: Paperless-AI 3.0.9 selects no document",
        ERROR,
        "set TAGS to the tag(s) uploads carry",
    ),
    "LLM001": Trigger(
        CATALOG["llm-fallback-to-missing-group"],
        "'openai-gpt-4o', which no model_list entry defines",
        ERROR,
        "define 'openai-gpt-4o' in model_list",
    ),
    "LLM002": Trigger(
        CATALOG["llm-chain-without-ollama"],
        "has no Ollama tier",
        ERROR,
        "put ollama-qwen first among 'vllm-qwen''s fallbacks",
    ),
    "LLM003": Trigger(
        CATALOG["llm-no-ollama-timeout"],
        "'ollama-qwen' has no timeout of its own: a hung tier holds each attempt up to "
        "litellm_settings.request_timeout (120 s)",
        ERROR,
        "set model_list[1].litellm_params.timeout for 'ollama-qwen'",
    ),
    # a 30 s timeout with no retries: the timeout alone is over the budget, the retries are not at fault
    "LLM004": Trigger(
        CATALOG["llm-vllm-timeout-30s"],
        "worst-case failover from 'vllm-qwen' is 30.00 s",
        ERROR,
        "lower 'vllm-qwen''s litellm_params.timeout under 5 s",
    ),
    "LLM005": Trigger(
        CATALOG["llm-num-retries-default"],
        "num_retries is not set",
        ERROR,
        "set router_settings.num_retries explicitly",
    ),
    "LLM006": Trigger(
        CATALOG["llm-ollama-timeout-under-cold-start"],
        "times out after 30 s",
        ERROR,
        "raise 'ollama-qwen''s litellm_params.timeout to at least 120 s",
    ),
    "LLM007": Trigger(
        [{"file": LLM, "set": "data/config.yaml>general_settings.master_key", "value": "sk-1234"}],
        "master key is written in the ConfigMap",
        ERROR,
        "write master_key: os.environ/LITELLM_MASTER_KEY and put the key in the Secret litellm-secrets",
    ),
    "LLM008": Trigger(
        [
            {"file": LLM, "set": "data/config.yaml>router_settings.allowed_fails", "value": 1},
            {"file": LLM, "set": "data/config.yaml>router_settings.cooldown_time", "value": 60},
        ],
        "kept in cooldown 60 s: after Gaming Mode ends, requests stay on Ollama up to 60 s",
        ERROR,
        "set cooldown_time to at most 30 s, or leave allowed_fails unset",
    ),
    "LLM009": Trigger(
        [
            {
                "file": LLM,
                "set": "data/config.yaml>router_settings.fallbacks",
                "value": [{"vllm-qwen": ["openai-gpt4o"]}],
            }
        ],
        "LiteLLM reads only router_settings.fallbacks, so this chain never runs",
        ERROR,
        "keep the chain in one section",
    ),
    "K8S001": Trigger(
        [{"file": PAI_DEPLOYMENT, "doc": 1, "remove": f"{FIRST_CONTAINER}.envFrom.1"}],
        "does not get secretRef paperless-ai-secrets",
        ERROR,
        "add envFrom: - secretRef: {name: paperless-ai-secrets}",
    ),
    "K8S002": Trigger(
        [{"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.initContainers"}],
        "no init step writes /app/data/.env",
        ERROR,
        "add an init container that writes /app/data/.env",
    ),
    # The Secret is any the Pod loads (discovery follows the reference): only loading none is K8S003's.
    "K8S003": Trigger(
        [{"file": LITELLM_DEPLOYMENT, "doc": 0, "remove": f"{FIRST_CONTAINER}.envFrom"}],
        "LiteLLM's Pod loads no Secret: no master key, no OpenAI key",
        ERROR,
        "add envFrom: - secretRef: {name: litellm-secrets}",
    ),
    # The ConfigMap is whichever --config's mount names: a path no mount holds is the finding, and its fix
    # is the path where the config's key is mounted.
    "K8S004": Trigger(
        [
            {
                "file": LITELLM_DEPLOYMENT,
                "doc": 0,
                "set": f"{FIRST_CONTAINER}.args.1",
                "value": "/etc/other/config.yaml",
            }
        ],
        "--config /etc/other/config.yaml is not what the Pod mounts: looked for a ConfigMap mounted at that "
        "path (mounts: /etc/litellm (configMap litellm-config))",
        ERROR,
        "pass --config /etc/litellm/config.yaml",
    ),
    "K8S005": Trigger(
        [{"file": PAI_DEPLOYMENT, "doc": 1, "remove": f"{FIRST_CONTAINER}.command"}],
        "before PM2: the ConfigMap's RAG_SERVICE_ENABLED='false' has no effect",
        ERROR,
        'set command: ["pm2-runtime", "ecosystem.config.js"]',
    ),
    "K8S006": Trigger(
        [
            {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"},
            {"file": PAI, "remove": "data.PAPERLESS_AI_PORT"},
        ],
        "set PAPERLESS_AI_PORT=tcp://<cluster IP>:<port> in the Pod",
        ERROR,
        "set enableServiceLinks: false",
    ),
    # a warning: a tag can move, what runs then depends on the registry
    "K8S007": Trigger(
        [
            {
                "file": PAI_DEPLOYMENT,
                "doc": 1,
                "set": f"{FIRST_CONTAINER}.image",
                "value": "clusterzx/paperless-ai:latest",
            }
        ],
        "'clusterzx/paperless-ai:latest' names a tag",
        WARNING,
        "pin it as clusterzx/paperless-ai:latest@sha256:<digest>",
    ),
    "K8S008": Trigger(
        [
            {
                "file": PAI,
                "set": "data.CUSTOM_BASE_URL",
                "value": "http://gateway.ml.svc.cluster.local:4000/v1",
            }
        ],
        "CUSTOM_BASE_URL http://gateway.ml.svc.cluster.local:4000/v1 does not resolve: looked for the "
        "LiteLLM Service it names (no Service or Helm release)",
        ERROR,
        "set CUSTOM_BASE_URL to a cluster address of LiteLLM's Service in the tree",
    ),
    # a warning: LiteLLM's ~12 s of CPU at its request against a liveness probe with no startup probe
    # before it, which depends on the node's load
    "K8S009": Trigger(
        [{"file": LITELLM_DEPLOYMENT, "doc": 0, "remove": f"{FIRST_CONTAINER}.startupProbe"}],
        "its livenessProbe restarts it at ~40 s, before it serves",
        WARNING,
        "add a startupProbe on its liveness path allowing at least 48 s",
    ),
    # a warning: a readiness probe on / that an unconfigured Paperless-AI answers with a redirect
    "K8S010": Trigger(
        [
            {
                "file": PAI_DEPLOYMENT,
                "doc": 1,
                "set": f"{FIRST_CONTAINER}.readinessProbe.httpGet.path",
                "value": "/",
            }
        ],
        "GET / answers 302 -> /dashboard",
        WARNING,
        "probe /health",
    ),
    # information, not an error: a Secret the tree lacks (here: the one the Pod now names) is provided at
    # deploy time, with the keys the configuration needs
    "SEC001": Trigger(
        [
            {
                "file": LITELLM_DEPLOYMENT,
                "doc": 0,
                "set": f"{FIRST_CONTAINER}.envFrom.0.secretRef.name",
                "value": "gateway-keys",
            }
        ],
        "referenced and not in the tree: provided at deploy time; it must hold LITELLM_MASTER_KEY, "
        "OPENAI_API_KEY",
        INFO,
        "created at deploy time with these keys",
    ),
}
# The reference names its images by tag (their digests were not verified offline): K8S007 warns of
# each, the owner pins them at deploy time. Nothing else may be found in it.
TAGGED_IMAGES = {
    "containers[litellm].image",
    "initContainers[write-dotenv].image",
    "containers[paperless-ai].image",
    "containers[paperless-ngx].image",
    "containers[redis].image",
}


def beyond_tags(findings: list[Finding]) -> list[Finding]:
    """``findings`` without the reference's K8S007 warnings on its tagged images."""
    return [f for f in findings if not (f.rule == "K8S007" and _tagged(f))]


def _tagged(finding: Finding) -> bool:
    return finding.severity == WARNING and finding.key.removeprefix("spec.template.spec.") in TAGGED_IMAGES


# Other branches of the rules, each with its own severity and fix: (rule, tree, message, severity, fix).
BRANCHES: dict[str, tuple[str, Trigger]] = {
    "K8S003 the config's ConfigMap not mounted": (
        "K8S003",
        Trigger(
            [
                {
                    "file": LITELLM_DEPLOYMENT,
                    "doc": 0,
                    "set": "spec.template.spec.volumes.0",
                    "value": {"name": "config", "emptyDir": {}},
                }
            ],
            "LiteLLM's container does not mount the ConfigMap 'litellm-config'",
            ERROR,
            "mount the ConfigMap litellm-config in LiteLLM's container",
        ),
    ),
    "K8S004 no --config": (
        "K8S004",
        Trigger(
            [{"file": LITELLM_DEPLOYMENT, "doc": 0, "remove": f"{FIRST_CONTAINER}.args"}],
            "LiteLLM's container passes no --config",
            ERROR,
            "pass --config /etc/litellm/config.yaml",
        ),
    ),
    "K8S004 a subPath mount": (
        "K8S004",
        Trigger(
            [
                {
                    "file": LITELLM_DEPLOYMENT,
                    "doc": 0,
                    "set": f"{FIRST_CONTAINER}.volumeMounts.0",
                    "value": {"name": "config", "mountPath": "/app/config.yaml", "subPath": "config.yaml"},
                }
            ],
            "--config /etc/litellm/config.yaml is not what the Pod mounts",
            ERROR,
            "pass --config /app/config.yaml",
        ),
    ),
    # valid Kubernetes the local stack cannot start: said as unchecked, not as a wrong --config
    "K8S004 a container the local stack cannot resolve": (
        "K8S004",
        Trigger(
            [{"file": LITELLM_DEPLOYMENT, "doc": 0, "set": f"{FIRST_CONTAINER}.env", "value": [DOWNWARD]}],
            "whether LiteLLM reads the reviewed config cannot be checked",
            WARNING,
            "make LiteLLM's container resolvable",
        ),
    ),
    "K8S005 a container that does not resolve": (
        "K8S005",
        Trigger(
            [{"file": PAI_DEPLOYMENT, "doc": 1, "set": f"{FIRST_CONTAINER}.env", "value": [DOWNWARD]}],
            "cannot be checked: Paperless-AI's container does not resolve",
            WARNING,
            "so that whether the command honours RAG_SERVICE_ENABLED can be checked",
        ),
    ),
    "K8S005 RAG on without the start script": (
        "K8S005",
        Trigger(
            [{"file": PAI, "set": "data.RAG_SERVICE_ENABLED", "value": "true"}],
            "which starts no RAG service",
            WARNING,
            'set RAG_SERVICE_ENABLED: "false"',
        ),
    ),
    "K8S006 a container that does not resolve": (
        "K8S006",
        Trigger(
            [
                {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"},
                {"file": PAI_DEPLOYMENT, "doc": 1, "set": f"{FIRST_CONTAINER}.env", "value": [DOWNWARD]},
            ],
            "cannot be checked: Paperless-AI's container does not resolve",
            WARNING,
            "so that which variables a Service link sets in Paperless-AI can be checked",
        ),
    ),
    "K8S006 the ConfigMap's own port keeps the link out": (
        "K8S006",
        Trigger(
            [{"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"}],
            "only the Pod's own PAPERLESS_AI_PORT keeps the link's value out",
            WARNING,
            "set enableServiceLinks: false",
        ),
    ),
    "K8S008 PAPERLESS_API_URL": (
        "K8S008",
        Trigger(
            [
                {
                    "file": PAI,
                    "set": "data.PAPERLESS_API_URL",
                    "value": "http://docs.docs.svc.cluster.local:8000/api",
                }
            ],
            "PAPERLESS_API_URL http://docs.docs.svc.cluster.local:8000/api does not resolve",
            ERROR,
            "set PAPERLESS_API_URL to a cluster address of Paperless-ngx's Service",
        ),
    ),
    # the owner's PORT "so a Service-injected *_PORT variable cannot win" (examples/home-lab-14.3)
    "PAI005 PORT": (
        "PAI005",
        Trigger(
            [{"file": PAI, "set": "data.PORT", "value": "3000"}],
            "the Node server listens on PAPERLESS_AI_PORT",
            WARNING,
            "remove PORT: Paperless-AI reads the port it listens on from PAPERLESS_AI_PORT",
        ),
    ),
    "PAI005 LLM_MODEL beside CUSTOM_MODEL": (
        "PAI005",
        Trigger(
            [{"file": PAI, "set": "data.LLM_MODEL", "value": "vllm-qwen"}],
            "not read by any file of Paperless-AI 3.0.9",
            WARNING,
            "remove LLM_MODEL: Paperless-AI reads its model from CUSTOM_MODEL",
        ),
    ),
    "PAI007 tagging off": (
        "PAI007",
        Trigger(
            [
                {"file": PAI, "remove": "data.AI_PROCESSED_TAG_NAME"},
                {"file": PAI, "set": "data.ACTIVATE_TAGGING", "value": "no"},
            ],
            "falls back to 'ai-processed'",
            WARNING,
            "set AI_PROCESSED_TAG_NAME: ai-processed",
        ),
    ),
    # information: with TAGS, only documents carrying one are classified (and a tag Paperless-ngx does
    # not know selects nothing: services/paperlessService.js, "None of the specified tags were found")
    "PAI009 with tags": (
        "PAI009",
        Trigger(
            [
                {"file": PAI, "set": "data.PROCESS_PREDEFINED_DOCUMENTS", "value": "yes"},
                {"file": PAI, "set": "data.TAGS", "value": "inbox, scans"},
            ],
            "only documents tagged inbox, scans are classified",
            INFO,
            "every upload carries one of TAGS (inbox, scans) and each of these tags exists in Paperless-ngx",
        ),
    ),
    "LLM002 no fallbacks": (
        "LLM002",
        Trigger(
            [{"file": LLM, "remove": "data/config.yaml>litellm_settings.fallbacks"}],
            "'vllm-qwen' has no fallbacks",
            ERROR,
            "add litellm_settings.fallbacks: [{vllm-qwen: [ollama-qwen, openai-gpt4o]}]",
        ),
    ),
    "LLM007 the Secret lacks the variable master_key names": (
        "LLM007",
        Trigger(
            [
                {
                    "file": LLM,
                    "set": "data/config.yaml>general_settings.master_key",
                    "value": "os.environ/GATEWAY_KEY",
                }
            ],
            "no Secret provides GATEWAY_KEY: LiteLLM 1.108.7 then has no master key and refuses to start",
            ERROR,
            "add GATEWAY_KEY (the master key) to the Secret litellm-secrets",
        ),
    ),
    # a warning: the two chains are the same today, only the reviewer of the ignored one is misled
    "LLM009 the same chain twice": (
        "LLM009",
        Trigger(
            [
                {
                    "file": LLM,
                    "set": "data/config.yaml>router_settings.fallbacks",
                    "value": [{"vllm-qwen": ["ollama-qwen", "openai-gpt4o"]}],
                }
            ],
            "(the two are the same today)",
            WARNING,
            "keep the chain in one section",
        ),
    ),
    # the Secret the Pod loads, by its own name
    "PAI004 a Secret of another name": (
        "PAI004",
        Trigger(
            [
                {"file": "paperless-ai/secret.yaml", "set": "metadata.name", "value": "pai-keys"},
                {"file": "paperless-ai/secret.yaml", "remove": "stringData.CUSTOM_API_KEY"},
                {
                    "file": PAI_DEPLOYMENT,
                    "doc": 1,
                    "set": f"{FIRST_CONTAINER}.envFrom.1.secretRef.name",
                    "value": "pai-keys",
                },
                {
                    "file": PAI_DEPLOYMENT,
                    "doc": 1,
                    "set": "spec.template.spec.volumes.2.secret.secretName",
                    "value": "pai-keys",
                },
            ],
            "gets no CUSTOM_API_KEY (the Secret holds only ['API_KEY', 'PAPERLESS_API_TOKEN'])",
            ERROR,
            "to the Secret pai-keys",
        ),
    ),
}


def _pinned() -> list[dict[str, Any]]:
    """Ops pinning every image of the reference by a digest."""
    ops: list[dict[str, Any]] = []
    for path in sorted(REFERENCE.rglob("*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            spec = ((((doc or {}).get("spec") or {}).get("template") or {}).get("spec")) or {}
            for kind in ("initContainers", "containers"):
                for number, container in enumerate(spec.get(kind) or []):
                    ops.append({
                        "file": str(path.relative_to(REFERENCE)),
                        "doc": index,
                        "set": f"spec.template.spec.{kind}.{number}.image",
                        "value": f"{container['image']}@sha256:{'0' * 64}",
                    })  # fmt: skip
    return ops


# rule -> a tree that does not trigger it: the reference itself, but where the reference triggers a rule
# by design. Only K8S007 does (a warning: its images are tags, pinned by digest at deploy time), so its
# clean tree is the reference with every image pinned. SEC001 (information) does not fire on the
# reference: it holds its Secrets.
CLEAN: dict[str, list[dict[str, Any]]] = {rule_id: [] for rule_id in BROKEN} | {"K8S007": _pinned()}


def test_every_registered_rule_has_a_tree_that_triggers_it_and_one_that_does_not() -> None:
    registered = {r.id for r in RULES}

    assert registered == set(BROKEN) == set(CLEAN)
    assert {rule for rule, _ in BRANCHES.values()} <= registered


def test_the_reference_manifests_pass_every_rule_and_warn_only_of_the_tags_to_pin_at_deploy_time() -> None:
    found = lint(REFERENCE)

    assert beyond_tags(found) == []
    assert {f.key.removeprefix("spec.template.spec.") for f in found} == TAGGED_IMAGES


def _triggered(rule_id: str, trigger: Trigger, manifests: Path) -> list[Finding]:
    found = [f for f in lint(manifests) if f.rule == rule_id]
    assert found, f"{rule_id} did not fire on {trigger.ops}"
    own = [f for f in found if trigger.message in f.message]
    assert own, [f.message for f in found]
    assert all(f.file.startswith(str(manifests)) and f.key and f.message and f.fix for f in found)
    return own


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_a_tree_broken_in_the_rules_way_triggers_it_with_its_severity_and_its_own_fix(
    tmp_path: Path, rule_id: str
) -> None:
    trigger = BROKEN[rule_id]

    own = _triggered(rule_id, trigger, apply(trigger.ops, tmp_path / "manifests"))

    assert {f.severity for f in own} == {trigger.severity}
    assert all(trigger.fix in f.fix for f in own), [f.fix for f in own]


@pytest.mark.parametrize("branch", sorted(BRANCHES))
def test_each_branch_of_a_rule_has_its_severity_and_its_own_fix(tmp_path: Path, branch: str) -> None:
    rule_id, trigger = BRANCHES[branch]

    own = _triggered(rule_id, trigger, apply(trigger.ops, tmp_path / "manifests"))

    assert {f.severity for f in own} == {trigger.severity}
    assert all(trigger.fix in f.fix for f in own), [f.fix for f in own]


@pytest.mark.parametrize("rule_id", sorted(CLEAN))
def test_a_tree_that_does_not_break_the_rule_does_not_trigger_it(tmp_path: Path, rule_id: str) -> None:
    manifests = apply(CLEAN[rule_id], tmp_path / "manifests") if CLEAN[rule_id] else REFERENCE

    assert [f.line() for f in lint(manifests) if f.rule == rule_id] == []


def _sentences(fix: str) -> set[str]:
    """A fix's sentences without their asides (parentheses) and the names of the tree: what another rule
    printing the same advice would share."""
    bare = re.sub(r"\s*\([^()]*\)", "", fix)
    return {s.strip(" .:,").lower() for s in re.split(r";\s+|\.\s+", bare) if s.strip(" .:,")}


def test_no_two_rules_share_a_fix(tmp_path: Path) -> None:
    """Every finding of every tree above (each rule's, each branch's, and what else fires there) and of
    the owner-style example tree: a fix sentence is one rule's only (the K8S004 bug once printed
    K8S003's fix, and PAI006 once repeated K8S001's)."""
    from tests.unit.test_example_tree import TREE

    trees = [TREE, *(
        apply(trigger.ops, tmp_path / name.replace(" ", "-"))
        for name, trigger in [*BROKEN.items(), *((n, t) for n, (_, t) in BRANCHES.items())]
    )]  # fmt: skip
    said: dict[str, dict[str, str]] = {}  # sentence -> rule -> the fix it is part of
    for tree in trees:
        for f in lint(tree):
            assert f.severity in (ERROR, WARNING, INFO) and f.fix.strip(), f.line()
            for sentence in _sentences(f.fix):
                said.setdefault(sentence, {})[f.rule] = f.fix

    shared = {sentence: rules for sentence, rules in said.items() if len(rules) > 1}
    assert shared == {}
    assert {rule for rules in said.values() for rule in rules} >= {r.id for r in RULES}


def _paperless_ai_with(tmp_path: Path, **data: str | None) -> Path:
    """The reference manifests with these ConfigMap keys set (``None``: removed)."""
    ops = [
        {"file": PAI, "remove": f"data.{key}"}
        if value is None
        else {"file": PAI, "set": f"data.{key}", "value": value}
        for key, value in data.items()
    ]
    return apply(ops, tmp_path / "manifests")


def _pai007(manifests: Path) -> list[Finding]:
    return [f for f in lint(manifests) if f.rule == "PAI007"]


@pytest.mark.parametrize(
    ("key", "value", "on"),
    [
        # config/config.js's parser: yes / true (any case) / 1; unset or empty -> the default; no trimming
        ("ACTIVATE_TAGGING", "yes", True),
        ("ACTIVATE_TAGGING", "true", True),
        ("ACTIVATE_TAGGING", "TRUE", True),
        ("ACTIVATE_TAGGING", "Yes", True),
        ("ACTIVATE_TAGGING", "1", True),
        ("ACTIVATE_TAGGING", "", True),
        ("ACTIVATE_TAGGING", None, True),
        ("ACTIVATE_TAGGING", "no", False),
        ("ACTIVATE_TAGGING", "on", False),
        ("ACTIVATE_TAGGING", " yes", False),
        ("ACTIVATE_CUSTOM_FIELDS", None, True),
        ("ACTIVATE_CUSTOM_FIELDS", "", True),
        ("EXTERNAL_API_ENABLED", None, False),
        ("EXTERNAL_API_ENABLED", "true", True),
        # compared to exactly 'yes' where it is decided
        ("ADD_AI_PROCESSED_TAG", "yes", True),
        ("ADD_AI_PROCESSED_TAG", "YES", False),
        ("ADD_AI_PROCESSED_TAG", "true", False),
        ("ADD_AI_PROCESSED_TAG", "1", False),
        ("ADD_AI_PROCESSED_TAG", None, False),
        ("RESTRICT_TO_EXISTING_TAGS", "true", False),
        # server.js: empty means 'true', then exactly 'true'
        ("RAG_SERVICE_ENABLED", "", True),
        ("RAG_SERVICE_ENABLED", "yes", False),
        ("RAG_SERVICE_ENABLED", "false", False),
    ],
)
def test_switches_read_as_paperless_ai_reads_them(key: str, value: str | None, on: bool) -> None:
    assert switch_on({} if value is None else {key: value}, key) is on


def test_every_switch_is_a_variable_paperless_ai_reads() -> None:
    assert set(SWITCHES) <= READ_KEYS


def test_the_processed_tag_without_a_name_names_the_file_and_key(tmp_path: Path) -> None:
    manifests = _paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME=None)

    (found,) = _pai007(manifests)

    assert found.severity == ERROR and found.file == str(manifests / PAI)
    assert found.key == "data.AI_PROCESSED_TAG_NAME" and "ADD_AI_PROCESSED_TAG is 'yes'" in found.message
    assert "AI_PROCESSED_TAG_NAME: ai-processed" in found.fix


@pytest.mark.parametrize(("name", "shown"), [("", "is empty"), ("  ", "is blank ('  ')")])
def test_an_empty_processed_tag_name_is_no_name(tmp_path: Path, name: str, shown: str) -> None:
    (found,) = _pai007(_paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME=name))

    assert found.severity == ERROR and shown in found.message


def test_a_blank_processed_tag_name_has_no_fallback_even_with_tagging_off(tmp_path: Path) -> None:
    manifests = _paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME="  ", ACTIVATE_TAGGING="no")

    assert [f.severity for f in _pai007(manifests)] == [ERROR]


@pytest.mark.parametrize("tagging", ["yes", "true", "TRUE", "1", "", None])
def test_tagging_on_as_paperless_ai_parses_it_makes_a_nameless_processed_tag_an_error(
    tmp_path: Path, tagging: str | None
) -> None:
    manifests = _paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME=None, ACTIVATE_TAGGING=tagging)

    assert [f.severity for f in _pai007(manifests)] == [ERROR]


@pytest.mark.parametrize("tagging", ["no", "false", "0", " yes"])
def test_with_tagging_off_a_nameless_processed_tag_falls_back_to_a_warning(
    tmp_path: Path, tagging: str
) -> None:
    manifests = _paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME=None, ACTIVATE_TAGGING=tagging)

    (found,) = _pai007(manifests)

    assert found.severity == WARNING and "falls back to 'ai-processed'" in found.message


@pytest.mark.parametrize("switch", ["no", "true", "YES", "1", " yes", None])
def test_the_processed_tag_is_on_only_when_exactly_yes(tmp_path: Path, switch: str | None) -> None:
    manifests = _paperless_ai_with(tmp_path, AI_PROCESSED_TAG_NAME=None, ADD_AI_PROCESSED_TAG=switch)

    assert _pai007(manifests) == []


@pytest.mark.parametrize(
    "key",
    [
        "CONTENT_MAX_LENGTH",
        "EXTERNAL_API_ENABLED",
        "EXTERNAL_API_URL",
        "EXTERNAL_API_METHOD",
        "EXTERNAL_API_HEADERS",
        "EXTERNAL_API_BODY",
        "EXTERNAL_API_TIMEOUT",
        "EXTERNAL_API_TRANSFORM",
        "PROCESS_ONLY_NEW_DOCUMENTS",
    ],
)
def test_a_key_paperless_ai_reads_is_not_called_unread(tmp_path: Path, key: str) -> None:
    manifests = _paperless_ai_with(tmp_path, **{key: "x"})

    assert [f for f in lint(manifests) if f.rule == "PAI005"] == []


def test_the_failover_budget_counts_retries_and_back_off() -> None:
    assert failover_budget_s(3, 0) == 3
    assert failover_budget_s(3, 2) == pytest.approx(3 * 3 + (1.0 + 0.75) + (2.0 + 0.75))


@pytest.mark.parametrize(
    ("timeout", "retries", "fix"),
    [
        (30, 0, "lower 'vllm-qwen''s litellm_params.timeout under 5 s (the reference: 3 s): a hung "
         "'vllm-qwen' then costs one attempt, 3 s"),
        (3, None, "set num_retries: 0: a hung 'vllm-qwen' then costs one attempt, 3 s"),
        (30, 1, "lower 'vllm-qwen''s litellm_params.timeout under 5 s (the reference: 3 s) and set "
         "num_retries: 0: a hung 'vllm-qwen' then costs one attempt, 3 s"),
    ],
    ids=["the timeout alone", "the retries alone (the owner's 3 s)", "both"],
)  # fmt: skip
def test_llm004s_fix_names_only_what_the_config_needs(
    tmp_path: Path, timeout: int, retries: int | None, fix: str
) -> None:
    """The owner's tree has the 3 s timeout already: the fix once told him to lower it to 3 s."""
    config = "data/config.yaml>"
    ops: list[dict[str, Any]] = [
        {"file": LLM, "set": f"{config}model_list.0.litellm_params.timeout", "value": timeout},
        *(
            {"file": LLM, "remove": f"{config}{section}.num_retries"}
            if retries is None
            else {"file": LLM, "set": f"{config}{section}.num_retries", "value": retries}
            for section in ("litellm_settings", "router_settings")
        ),
    ]

    (found,) = [f for f in lint(apply(ops, tmp_path / "manifests")) if f.rule == "LLM004"]

    assert found.fix == fix


def test_llm003_names_what_bounds_a_tier_without_a_timeout(tmp_path: Path) -> None:
    """LiteLLM 1.108.7's Router gives an attempt litellm_settings.request_timeout, else
    router_settings.timeout, else litellm.request_timeout's 6000 s (test_litellm_settings holds the
    installed release to it); never the 600 s the message once said."""
    no_timeout = {"file": LLM, "remove": "data/config.yaml>model_list.1.litellm_params.timeout"}
    no_cap = {"file": LLM, "remove": "data/config.yaml>litellm_settings.request_timeout"}
    router = {"file": LLM, "set": "data/config.yaml>router_settings.timeout", "value": 90}

    def message(*ops: dict[str, Any]) -> str:
        found = [f for f in lint(apply(list(ops), tmp_path / str(len(ops)))) if f.rule == "LLM003"]
        return found[0].message

    assert message(no_timeout).endswith("up to litellm_settings.request_timeout (120 s)")
    assert message(no_timeout, no_cap).endswith("up to LiteLLM's default (6000 s)")
    assert message(no_timeout, no_cap, router).endswith("up to router_settings.timeout (90 s)")


def test_a_paperless_ai_pod_without_a_secret_is_k8s001s_not_said_again_by_pai006(tmp_path: Path) -> None:
    manifests = apply(BROKEN["K8S001"].ops, tmp_path / "manifests")

    rules = [f.rule for f in lint(manifests) if f.key == "spec.template.spec.containers[].envFrom"]

    assert rules == ["K8S001"]


def test_the_cold_start_budget_is_configurable(tmp_path: Path) -> None:
    assert [f.rule for f in beyond_tags(lint(REFERENCE, cold_start_budget_s=180))] == ["LLM006"]
    assert beyond_tags(lint(REFERENCE, cold_start_budget_s=120)) == []
    assert beyond_tags(lint(REFERENCE, cold_start_budget_s=90)) == []


def test_an_unreadable_manifest_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    manifests = apply([], tmp_path / "manifests")
    (manifests / PAI).write_text("data: [unclosed")

    found = read(manifests).unreadable

    assert [f.rule for f in found] == ["MAN001"] and "invalid YAML" in found[0].message


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "conformance"), "lint", *args], capture_output=True, text=True, check=False
    )


def test_the_command_prints_one_line_per_finding_and_exits_1_on_errors(tmp_path: Path) -> None:
    broken = apply(CATALOG["llm-num-retries-default"], tmp_path / "manifests")

    clean, dirty = _cli(str(REFERENCE)), _cli(str(broken))

    assert clean.returncode == 0 and clean.stdout.splitlines()[-1].startswith("0 error(s), 5 warning(s)")
    assert dirty.returncode == 1
    lines = [line for line in dirty.stdout.splitlines() if line.startswith(("LLM", "PAI"))]
    assert sorted(line.split()[0] for line in lines) == ["LLM004", "LLM005"]
    assert all(
        " error " in line and "configmap.yaml:data.config.yaml: " in line and "| fix: " in line
        for line in lines
    )


def test_the_command_speaks_json_for_ci(tmp_path: Path) -> None:
    broken = apply(CATALOG["pai-wrong-provider"], tmp_path / "manifests")

    answer = _cli(str(broken), "--format", "json")

    body = json.loads(answer.stdout)
    # Not custom: PAI001. CUSTOM_BASE_URL still names LiteLLM's Service, which discovery follows whatever
    # the provider (the gateway the tree deploys), so no reference is unresolved (no K8S008).
    errors = [(f["rule"], f["key"]) for f in body["findings"] if f["severity"] == ERROR]
    assert answer.returncode == 1 and body["errors"] == 1
    assert errors == [("PAI001", "data.AI_PROVIDER")]


def test_the_command_refuses_a_missing_folder_with_exit_2(tmp_path: Path) -> None:
    answer = _cli(str(tmp_path / "nowhere"))

    assert answer.returncode == 2 and "no such directory" in answer.stderr


# --- bad input: a finding with file and reason, said once, fast, in text and JSON -----------------


def _binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)


def _not_utf8(path: Path) -> None:
    path.write_bytes("kind: ConfigMap\ndata: {note: caf\xe9}\n".encode("latin-1"))


def _oversized(path: Path) -> None:
    with path.open("wb") as out:  # sparse: 50 MB on paper, nothing on disk, refused before any read
        out.truncate(50 * 1024 * 1024)


def _looping(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(path.name)


BAD_INPUT = {
    "binary": (_binary, "binary, not YAML text"),
    "not UTF-8": (_not_utf8, "not UTF-8 text (byte 0xe9"),
    "oversized": (_oversized, "52,428,800 bytes, over the 1,000,000-byte limit"),
    "a symlink loop": (_looping, "a symlink loop"),
}


@pytest.mark.parametrize("where", [LLM, "extra.yaml"], ids=["the gateway's ConfigMap", "a file beside it"])
@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_is_one_finding_with_file_and_reason_in_under_a_second(
    tmp_path: Path, kind: str, where: str
) -> None:
    manifests = apply([], tmp_path / "manifests")
    spoil, reason = BAD_INPUT[kind]
    spoil(manifests / where)

    started = time.monotonic()
    found = [f for f in lint(manifests) if f.rule == "MAN001"]

    assert time.monotonic() - started < 1
    assert [(f.file, f.message.startswith(reason)) for f in found] == [(str(manifests / where), True)], found


def test_the_command_reports_a_binary_manifest_as_json_with_exit_1(tmp_path: Path) -> None:
    manifests = apply([], tmp_path / "manifests")
    _binary(manifests / "extra.yaml")

    answer = _cli(str(manifests), "--format", "json")

    body = json.loads(answer.stdout)
    assert answer.returncode == 1 and "Traceback" not in answer.stderr
    errors = [(f["rule"], f["file"]) for f in body["findings"] if f["severity"] == ERROR]
    assert errors == [("MAN001", str(manifests / "extra.yaml"))]


@pytest.mark.parametrize("budget", ["-5", "nan", "inf", "0"])
def test_the_command_refuses_a_cold_start_budget_that_is_not_positive_with_exit_2(budget: str) -> None:
    answer = _cli(str(REFERENCE), f"--cold-start-budget={budget}")

    assert answer.returncode == 2 and "argument --cold-start-budget" in answer.stderr


def test_a_cooldown_without_allowed_fails_or_within_the_budget_is_no_finding(tmp_path: Path) -> None:
    from tests.manifest_patch import apply

    cooldown = "data/config.yaml>router_settings.cooldown_time"
    only_time = [{"file": LLM, "set": cooldown, "value": 60}]
    within = [
        {"file": LLM, "set": "data/config.yaml>router_settings.allowed_fails", "value": 1},
        {"file": LLM, "set": cooldown, "value": 20},
    ]

    assert not [f for f in lint(apply(only_time, tmp_path / "a")) if f.rule == "LLM008"]
    assert not [f for f in lint(apply(within, tmp_path / "b")) if f.rule == "LLM008"]
    assert [f for f in lint(apply(within, tmp_path / "c"), recovery_budget_s=10) if f.rule == "LLM008"]


def test_a_chain_set_twice_the_same_is_a_warning_and_the_model_follows_router_settings(
    tmp_path: Path,
) -> None:
    from fixtures.discovery import load_gateway
    from tests.manifest_patch import apply

    chain = [{"vllm-qwen": ["ollama-qwen", "openai-gpt4o"]}]
    same = apply(
        [{"file": LLM, "set": "data/config.yaml>router_settings.fallbacks", "value": chain}], tmp_path / "a"
    )
    other = [{"vllm-qwen": ["openai-gpt4o"]}]
    differs = apply(
        [{"file": LLM, "set": "data/config.yaml>router_settings.fallbacks", "value": other}], tmp_path / "b"
    )

    assert [f.severity for f in lint(same) if f.rule == "LLM009"] == [WARNING]
    assert load_gateway(same).fallbacks_from == "router_settings"
    assert load_gateway(REFERENCE).fallbacks_from == "litellm_settings"
    # Never merged: the chain is router_settings' alone, as LiteLLM runs it.
    assert load_gateway(differs).chain == ("vllm-qwen", "openai-gpt4o")


def _k8s(rule_id: str, ops: list[dict[str, Any]], tmp_path: Path) -> list[Finding]:
    return [f for f in lint(apply(ops, tmp_path / "manifests")) if f.rule == rule_id]


def test_the_images_start_script_with_rag_on_is_what_the_switch_says_and_no_finding(tmp_path: Path) -> None:
    ops = [
        {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.containers.0.command"},
        {"file": PAI, "set": "data.RAG_SERVICE_ENABLED", "value": "true"},
    ]

    assert _k8s("K8S005", ops, tmp_path) == []


@pytest.mark.parametrize("value", [None, "true"], ids=["unset (server.js: true)", "true"])
def test_rag_on_without_the_start_script_warns_that_no_rag_service_runs(
    tmp_path: Path, value: str | None
) -> None:
    op = (
        {"file": PAI, "remove": "data.RAG_SERVICE_ENABLED"}
        if value is None
        else {"file": PAI, "set": "data.RAG_SERVICE_ENABLED", "value": value}
    )

    (found,) = _k8s("K8S005", [op], tmp_path)

    assert found.severity == WARNING and found.key == "data.RAG_SERVICE_ENABLED"
    assert "pm2-runtime ecosystem.config.js, which starts no RAG service" in found.message


def test_the_start_script_named_as_the_command_is_the_images_default_too(tmp_path: Path) -> None:
    op = {
        "file": PAI_DEPLOYMENT,
        "doc": 1,
        "set": "spec.template.spec.containers.0.command",
        "value": ["/app/start-services.sh"],
    }

    (found,) = _k8s("K8S005", [op], tmp_path)

    assert found.severity == ERROR and "the 1Gi memory limit" in found.message


def test_service_links_with_the_port_set_by_the_configmap_only_warn(tmp_path: Path) -> None:
    op = {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"}

    (found,) = _k8s("K8S006", [op], tmp_path)

    assert found.severity == WARNING and "only the Pod's own PAPERLESS_AI_PORT keeps" in found.message


def test_a_services_links_are_the_variables_kubernetes_sets() -> None:
    service = {"spec": {"ports": [{"name": "http", "port": 3000}]}}

    assert link_variables("paperless-ai", service) == {
        "PAPERLESS_AI_SERVICE_HOST",
        "PAPERLESS_AI_SERVICE_PORT",
        "PAPERLESS_AI_SERVICE_PORT_HTTP",
        "PAPERLESS_AI_PORT",
        "PAPERLESS_AI_PORT_3000_TCP",
        "PAPERLESS_AI_PORT_3000_TCP_PROTO",
        "PAPERLESS_AI_PORT_3000_TCP_PORT",
        "PAPERLESS_AI_PORT_3000_TCP_ADDR",
    }
    assert link_variables("paperless-ai", {"spec": {"clusterIP": "None", "ports": [{"port": 3000}]}}) == set()


def test_an_image_pinned_by_digest_is_no_finding(tmp_path: Path) -> None:
    digest = "sha256:" + "0" * 64
    op = {
        "file": PAI_DEPLOYMENT,
        "doc": 1,
        "set": "spec.template.spec.containers.0.image",
        "value": f"clusterzx/paperless-ai:3.0.9@{digest}",
    }

    found = _k8s("K8S007", [op], tmp_path)

    assert "containers[paperless-ai].image" not in {f.key.removeprefix("spec.template.spec.") for f in found}
    assert all(f.severity == WARNING for f in found) and len(found) == len(TAGGED_IMAGES) - 1


def test_a_container_the_lint_cannot_resolve_is_said_by_k8s005_and_k8s006_not_passed(tmp_path: Path) -> None:
    """A ``fieldRef`` is valid Kubernetes that the local stack cannot run: the two rules that read the
    resolved container say they could not check, instead of yielding nothing."""
    ops = [
        {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"},
        {
            "file": PAI_DEPLOYMENT,
            "doc": 1,
            "set": "spec.template.spec.containers.0.env",
            "value": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
        },
    ]

    for rule_id in ("K8S005", "K8S006"):
        (found,) = _k8s(rule_id, ops, tmp_path / rule_id)
        assert found.severity == WARNING and "cannot be checked" in found.message, found
        assert "POD_IP" in found.message or "fieldRef" in found.message, found.message


def test_a_volume_mount_without_a_path_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    op = {
        "file": PAI_DEPLOYMENT,
        "doc": 1,
        "set": "spec.template.spec.containers.0.volumeMounts",
        "value": [{"name": "data"}],
    }

    # Discovery resolves Paperless-AI's Pod now: a mount Kubernetes would reject is unreadable input (MAN001).
    (found,) = [f for f in lint(apply([op], tmp_path / "manifests")) if f.severity == ERROR]

    assert found.rule == "MAN001" and "no mountPath" in found.message
    assert found.file.endswith(PAI_DEPLOYMENT) and found.key.endswith("volumeMounts[0]")


def test_a_renamed_container_is_still_read_as_paperless_ais(tmp_path: Path) -> None:
    ops = [
        {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"},
        {"file": PAI_DEPLOYMENT, "doc": 1, "set": "spec.template.spec.containers.0.name", "value": "app"},
    ]

    (found,) = _k8s("K8S006", ops, tmp_path)

    assert "only the Pod's own PAPERLESS_AI_PORT keeps" in found.message


def _renamed(old: str, new: str, where: list[tuple[str, int | None, str]]) -> list[dict[str, Any]]:
    """Ops renaming ``old`` to ``new`` at each (file, document, key)."""
    return [{"file": f, **({"doc": d} if d is not None else {}), "set": k, "value": new} for f, d, k in where]


def test_configmaps_and_secrets_of_any_name_are_followed_by_reference_not_a_finding(tmp_path: Path) -> None:
    # K8S001/K8S003 checked fixed names; discovery follows the references now, so a consistent rename
    # is clean, while a Pod that loads no Secret at all still fails (BROKEN K8S001/K8S003).
    pod = "spec.template.spec"
    ops = [
        *_renamed("paperless-ai-config", "pai-settings", [(PAI, None, "metadata.name"),
            (PAI_DEPLOYMENT, 1, f"{pod}.containers.0.envFrom.0.configMapRef.name"),
            (PAI_DEPLOYMENT, 1, f"{pod}.volumes.1.configMap.name")]),
        *_renamed("paperless-ai-secrets", "pai-keys", [("paperless-ai/secret.yaml", None, "metadata.name"),
            (PAI_DEPLOYMENT, 1, f"{pod}.containers.0.envFrom.1.secretRef.name"),
            (PAI_DEPLOYMENT, 1, f"{pod}.volumes.2.secret.secretName")]),
        *_renamed("litellm-secrets", "gateway-keys", [("litellm/secret.yaml", None, "metadata.name"),
            ("litellm/deployment.yaml", 0, f"{pod}.containers.0.envFrom.0.secretRef.name")]),
        *_renamed("litellm-config", "gateway-config", [(LLM, None, "metadata.name"),
            ("litellm/deployment.yaml", 0, f"{pod}.volumes.0.configMap.name")]),
    ]  # fmt: skip

    assert beyond_tags(lint(apply(ops, tmp_path / "manifests"))) == []


def test_a_config_map_not_mounted_is_k8s003s_and_the_config_path_k8s004s_each_with_its_own_fix(
    tmp_path: Path,
) -> None:
    _, trigger = BRANCHES["K8S003 the config's ConfigMap not mounted"]

    found = {f.rule: f for f in lint(apply(trigger.ops, tmp_path / "manifests")) if f.severity == ERROR}

    assert set(found) == {"K8S003", "K8S004"}
    assert "does not mount the ConfigMap 'litellm-config'" in found["K8S003"].message
    assert "mounts: /etc/litellm (emptyDir None)" in found["K8S004"].message
    assert found["K8S003"].fix.startswith("mount the ConfigMap litellm-config")
    assert found["K8S004"].fix.startswith("pass --config the path of the config's key as mounted")


@pytest.mark.parametrize("branch", ["K8S004 a subPath mount", "K8S004 no --config"])
def test_a_config_map_mounted_where_config_does_not_point_is_k8s004s_alone(
    tmp_path: Path, branch: str
) -> None:
    """The ConfigMap is in the Pod: K8S003 (mount it) would be wrong advice; K8S004 names the path."""
    _, trigger = BRANCHES[branch]

    found = [f for f in lint(apply(trigger.ops, tmp_path / "manifests")) if f.severity == ERROR]

    assert [f.rule for f in found] == ["K8S004"] and "None" not in found[0].message


@pytest.mark.parametrize(
    ("url", "fires"),
    [("http://litellm.ml.svc.cluster.local:4000/v1", False), ("http://10.0.0.5:4000/v1", True)],
    ids=["the LiteLLM Service", "an address of no Service"],
)
def test_with_another_provider_pai002_judges_the_url_itself(tmp_path: Path, url: str, fires: bool) -> None:
    # discovery follows CUSTOM_BASE_URL only for AI_PROVIDER=custom; PAI002 follows the URL itself then
    manifests = _paperless_ai_with(tmp_path, AI_PROVIDER="ollama", CUSTOM_BASE_URL=url)

    found = [f for f in lint(manifests) if f.rule == "PAI002"]

    assert bool(found) is fires and all("is not LiteLLM's /v1" in f.message for f in found)


def test_a_downward_api_variable_hides_no_reference_of_the_pipeline(tmp_path: Path) -> None:
    """A ``fieldRef`` cannot run locally, but it is valid Kubernetes: every other rule still checks."""
    ops = [
        {"file": PAI_DEPLOYMENT, "doc": 1, "set": "spec.template.spec.containers.0.env",
         "value": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]},
        {"file": PAI, "set": "data.AI_PROVIDER", "value": "ollama"},
    ]  # fmt: skip

    found = lint(apply(ops, tmp_path / "manifests"))

    assert "MAN001" not in {f.rule for f in found} and "PAI001" in {f.rule for f in found}


# --- K8S009 / K8S010: probes against what the applications do --------------------------------------


def test_k8s009_a_liveness_probe_that_kills_litellm_before_its_start_at_its_request_is_named(
    tmp_path: Path,
) -> None:
    ops = [
        {
            "file": "litellm/deployment.yaml",
            "doc": 0,
            "remove": "spec.template.spec.containers.0.startupProbe",
        }
    ]
    (found,) = _k8s("K8S009", ops, tmp_path)

    assert found.severity == WARNING and "~48 s" in found.message and "~40 s" in found.message
    assert "startupProbe" in found.fix


def test_k8s009_a_startup_probe_covering_the_start_is_no_finding() -> None:
    assert [f for f in lint(REFERENCE) if f.rule == "K8S009"] == []


def test_k8s009_computes_the_owners_restart_from_his_probe_and_request() -> None:
    from fixtures.lint.k8s_rules import LITELLM_START_CPU_S, cpu_cores, restart_after_s

    probe = {"initialDelaySeconds": 15, "periodSeconds": 30, "failureThreshold": 3}
    assert (cpu_cores("100m"), cpu_cores("1"), cpu_cores(None)) == (0.1, 1.0, None)
    assert restart_after_s(probe) == 75.0 and LITELLM_START_CPU_S / 0.1 == 120.0
    assert restart_after_s({}) == 20.0  # the kubelet's defaults: 0 + 10 x (3 - 1)


def test_k8s010_a_readiness_probe_on_slash_is_named_and_on_health_is_not(tmp_path: Path) -> None:
    path = "spec.template.spec.containers.0.readinessProbe.httpGet.path"
    op = {"file": PAI_DEPLOYMENT, "doc": 1, "set": path, "value": "/"}
    (found,) = _k8s("K8S010", [op], tmp_path)

    assert found.severity == WARNING and "302 -> /dashboard" in found.message and "/health" in found.fix
    assert [f for f in lint(REFERENCE) if f.rule == "K8S010"] == []


def test_k8s010s_claims_are_what_paperless_ai_3_0_9s_server_does() -> None:
    """The lines K8S010 cites, read from the installed release: / redirects, /health checks setup."""
    from fixtures.paperless_ai.service import default_install

    try:
        server = (default_install() / "server.js").read_text(encoding="utf-8").splitlines()
    except Exception as exc:  # not installed: the claim cannot be checked here
        pytest.skip(f"needs the installed Paperless-AI 3.0.9 ({exc})")
    root, health = server[479], server[529]  # server.js:480 and :530, as the finding cites them
    assert root.startswith("app.get('/',") and "res.redirect('/dashboard')" in server[481]
    assert health.startswith("app.get('/health',")
    body = "\n".join(server[530:540])
    assert "isConfigured()" in body and "res.status(503)" in body
