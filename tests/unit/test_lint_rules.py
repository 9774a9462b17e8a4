"""Each lint rule passes the reference manifests and fails a manifest broken in its way."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.lint import (
    ERROR,
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

# rule -> a patch that breaks it (from the mutant catalog where one exists), and text its message holds
BROKEN: dict[str, tuple[list[dict[str, Any]], str]] = {
    "PAI001": (CATALOG["pai-wrong-provider"], "AI_PROVIDER is 'ollama'"),
    "PAI002": (CATALOG["pai-base-url-at-vllm"], "points at the vllm tier directly"),
    "PAI003": (CATALOG["pai-raw-vllm-model-name"], "raw model name of 'vllm-qwen'"),
    "PAI004": (CATALOG["pai-missing-custom-api-key"], "gets no CUSTOM_API_KEY"),
    "PAI005": (
        CATALOG["pai-llm-model-instead-of-custom-model"],
        "with AI_PROVIDER=custom the model comes from CUSTOM_MODEL",
    ),
    "PAI006": (CATALOG["pai-secret-inline"], "CUSTOM_API_KEY is inline"),
    "PAI007": (
        [{"file": PAI, "remove": "data.AI_PROCESSED_TAG_NAME"}],
        "AI_PROCESSED_TAG_NAME is unset: Paperless-AI silently adds no processed tag",
    ),
    "LLM001": (
        CATALOG["llm-fallback-to-missing-group"],
        "'openai-gpt-4o', which no model_list entry defines",
    ),
    "LLM002": (CATALOG["llm-chain-without-ollama"], "has no Ollama tier"),
    "LLM003": (CATALOG["llm-no-ollama-timeout"], "'ollama-qwen' has no timeout"),
    "LLM004": (CATALOG["llm-vllm-timeout-30s"], "worst-case failover from 'vllm-qwen' is 30.00 s"),
    "LLM005": (CATALOG["llm-num-retries-default"], "num_retries is not set"),
    "LLM006": (CATALOG["llm-ollama-timeout-under-cold-start"], "times out after 30 s"),
    "K8S001": (
        [
            {
                "file": "paperless-ai/deployment.yaml",
                "doc": 1,
                "remove": "spec.template.spec.containers.0.envFrom.1",
            }
        ],
        "does not get secretRef paperless-ai-secrets",
    ),
    "K8S002": (
        [{"file": "paperless-ai/deployment.yaml", "doc": 1, "remove": "spec.template.spec.initContainers"}],
        "no init step writes /app/data/.env",
    ),
    # The Secret is any the Pod loads (discovery follows the reference): only loading none is K8S003's.
    "K8S003": (
        [{"file": "litellm/deployment.yaml", "doc": 0, "remove": "spec.template.spec.containers.0.envFrom"}],
        "LiteLLM's Pod loads no Secret: no master key, no OpenAI key",
    ),
    "K8S004": (
        [
            {
                "file": "litellm/deployment.yaml",
                "doc": 0,
                "set": "spec.template.spec.containers.0.args.1",
                "value": "/etc/other/config.yaml",
            }
        ],
        # The ConfigMap is whichever --config's mount names: a path no mount holds is the finding now.
        "--config /etc/other/config.yaml is not what the Pod mounts: looked for a ConfigMap mounted at that "
        "path (mounts: /etc/litellm (configMap litellm-config))",
    ),
    "K8S008": (
        [
            {
                "file": PAI,
                "set": "data.CUSTOM_BASE_URL",
                "value": "http://gateway.ml.svc.cluster.local:4000/v1",
            }
        ],
        "CUSTOM_BASE_URL http://gateway.ml.svc.cluster.local:4000/v1 does not resolve: looked for the "
        "LiteLLM Service it names (no Service or Helm release)",
    ),
    # information, not an error: a Secret the tree lacks (here: the one the Pod now names) is provided at
    # deploy time, with the keys the configuration needs
    "SEC001": (
        [
            {
                "file": "litellm/deployment.yaml",
                "doc": 0,
                "set": "spec.template.spec.containers.0.envFrom.0.secretRef.name",
                "value": "gateway-keys",
            }
        ],
        "referenced and not in the tree: provided at deploy time; it must hold LITELLM_MASTER_KEY, "
        "OPENAI_API_KEY",
    ),
    # PROCESS_PREDEFINED_DOCUMENTS without TAGS selects nothing (services/paperlessService.js)
    "PAI009": (
        [{"file": PAI, "set": "data.PROCESS_PREDEFINED_DOCUMENTS", "value": "yes"}],
        "TAGS is empty: Paperless-AI 3.0.9 selects no document",
    ),
    # LiteLLM's ~12 s of CPU at its request, against a liveness probe with no startup probe before it
    "K8S009": (
        [
            {
                "file": "litellm/deployment.yaml",
                "doc": 0,
                "remove": "spec.template.spec.containers.0.startupProbe",
            }
        ],
        "its livenessProbe restarts it at ~40 s, before it serves",
    ),
    # a readiness probe on / that an unconfigured Paperless-AI answers with a redirect
    "K8S010": (
        [
            {
                "file": PAI_DEPLOYMENT,
                "doc": 1,
                "set": "spec.template.spec.containers.0.readinessProbe.httpGet.path",
                "value": "/",
            }
        ],
        "GET / answers 302 -> /dashboard",
    ),
    # information: PAPERLESS_URL is read by the RAG service only (3.0.9's env table)
    "PAI008": (
        [
            {
                "file": PAI,
                "set": "data.PAPERLESS_URL",
                "value": "http://paperless-ngx.docs.svc.cluster.local:8000",
            }
        ],
        "read only by the RAG service",
    ),
    "LLM008": (
        [
            {"file": LLM, "set": "data/config.yaml>router_settings.allowed_fails", "value": 1},
            {"file": LLM, "set": "data/config.yaml>router_settings.cooldown_time", "value": 60},
        ],
        "kept in cooldown 60 s: after Gaming Mode ends, requests stay on Ollama up to 60 s",
    ),
    "LLM009": (
        [
            {
                "file": LLM,
                "set": "data/config.yaml>router_settings.fallbacks",
                "value": [{"vllm-qwen": ["openai-gpt4o"]}],
            }
        ],
        "LiteLLM reads only router_settings.fallbacks, so this chain never runs",
    ),
    "LLM007": (
        [{"file": LLM, "set": "data/config.yaml>general_settings.master_key", "value": "sk-1234"}],
        "master key is written in the ConfigMap",
    ),
    "K8S005": (
        [{"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.containers.0.command"}],
        "before PM2: the ConfigMap's RAG_SERVICE_ENABLED='false' has no effect",
    ),
    "K8S006": (
        [
            {"file": PAI_DEPLOYMENT, "doc": 1, "remove": "spec.template.spec.enableServiceLinks"},
            {"file": PAI, "remove": "data.PAPERLESS_AI_PORT"},
        ],
        "set PAPERLESS_AI_PORT=tcp://<cluster IP>:<port> in the Pod",
    ),
    "K8S007": (
        [
            {
                "file": PAI_DEPLOYMENT,
                "doc": 1,
                "set": "spec.template.spec.containers.0.image",
                "value": "clusterzx/paperless-ai:latest",
            }
        ],
        "'clusterzx/paperless-ai:latest' names a tag",
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


def test_every_rule_has_a_failing_manifest() -> None:
    assert {r.id for r in RULES} == set(BROKEN)


def test_the_reference_manifests_pass_every_rule_and_warn_only_of_the_tags_to_pin_at_deploy_time() -> None:
    found = lint(REFERENCE)

    assert beyond_tags(found) == []
    assert {f.key.removeprefix("spec.template.spec.") for f in found} == TAGGED_IMAGES


@pytest.mark.parametrize("rule_id", sorted(BROKEN))
def test_a_manifest_broken_in_the_rules_way_fails_it_naming_file_and_key(
    tmp_path: Path, rule_id: str
) -> None:
    ops, text = BROKEN[rule_id]
    manifests = apply(ops, tmp_path / "manifests")

    found = [f for f in lint(manifests) if f.rule == rule_id]

    assert found, f"{rule_id} did not fire on {ops}"
    assert any(text in f.message for f in found), [f.message for f in found]
    assert all(f.file.startswith(str(manifests)) and f.key and f.fix for f in found)


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


def test_a_config_map_not_mounted_where_config_points_is_k8s003s_and_k8s004s(tmp_path: Path) -> None:
    op = {"file": "litellm/deployment.yaml", "doc": 0, "set": "spec.template.spec.volumes.0",
          "value": {"name": "config", "emptyDir": {}}}  # fmt: skip

    found = {f.rule: f for f in lint(apply([op], tmp_path / "manifests")) if f.severity == ERROR}

    assert set(found) == {"K8S003", "K8S004"}
    assert "no ConfigMap is mounted where --config points" in found["K8S003"].message
    assert "mounts: /etc/litellm (emptyDir None)" in found["K8S004"].message


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
