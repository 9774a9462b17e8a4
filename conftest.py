"""Root conftest: the plugin that carries the fixtures, and the suite's command-line options."""

from __future__ import annotations

import pytest

from fixtures.criteria import COLD_START_BUDGET_S, RECOVERY_BUDGET_S
from fixtures.report.run_folder import keep_count
from fixtures.timeouts import seconds_option, timeout_option

pytest_plugins = ["fixtures.report.hooks", "fixtures.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Story 14.3 conformance suite")
    group.addoption(
        "--stack",
        choices=("local", "kind", "cluster"),
        default="local",
        help="how the stack is stood up: local processes (default), a kind cluster, or an existing cluster",
    )
    group.addoption(
        "--manifests",
        default="manifests",
        metavar="DIR",
        help="the configuration to check and run (default: manifests/); point it at your GitOps folder",
    )
    group.addoption(
        "--reports",
        default=None,
        metavar="DIR",
        help="where each run's report folder is written; DIR/latest points at the newest (default: reports/; "
        "a run of only the project's own tests/: a folder in the system's temporary directory)",
    )
    group.addoption(
        "--stack-timeout",
        action="append",
        default=[],
        type=timeout_option,
        metavar="KIND=SECONDS",
        help="override a named timeout (startup, request, classification, teardown, settle); repeatable",
    )
    group.addoption(  # the first spelling; pytest-timeout's own option has the same name
        "--timeout",
        dest="deprecated_timeout",
        action="append",
        default=[],
        type=timeout_option,
        metavar="KIND=SECONDS",
        help="deprecated: use --stack-timeout (pytest-timeout's option is also called --timeout)",
    )
    group.addoption(
        "--paperless-ai-dir",
        default=None,
        metavar="DIR",
        help="an installed Paperless-AI (server.js + node_modules) to run with node; default: "
        "$PAPERLESS_AI_DIR, else the pinned release that `make setup` installs",
    )
    group.addoption(
        "--record-answers",
        default=None,
        metavar="FILE",
        help="right after the stack is up, ask each tier of the chain (through LiteLLM) to classify each "
        "golden document and write the answers to FILE (meant for --stack cluster with the real tiers)",
    )
    group.addoption(
        "--replay-answers",
        default=None,
        metavar="FILE",
        help="--stack local: the mock tiers answer the golden documents as FILE (from --record-answers) says",
    )
    group.addoption(
        "--cold-start-budget",
        type=seconds_option,
        default=COLD_START_BUDGET_S,
        metavar="S",
        help=f"seconds the Ollama tier's timeout must cover, for the lint (default {COLD_START_BUDGET_S:g})",
    )
    group.addoption(
        "--litellm-version",
        default=None,
        metavar="V",
        help="--stack local: run LiteLLM release V instead of the pin (installed beforehand with "
        "`python -m fixtures.upgrade_gate.release V` or `make litellm-matrix`)",
    )
    group.addoption(
        "--resilience-profile",
        choices=("short", "full"),
        default="short",
        help="the resilience module's load: short (10 requests/s, ~3 s phases) or full (20/s, ~6 s)",
    )
    group.addoption(
        "--recovery-budget",
        type=seconds_option,
        default=RECOVERY_BUDGET_S,
        metavar="S",
        help=f"seconds after Gaming Mode ends within which traffic must be back on vLLM (default "
        f"{RECOVERY_BUDGET_S:g})",
    )
    group.addoption(
        "--keep-reports",
        type=keep_count,
        default=20,
        metavar="N",
        help="run folders kept in --reports, oldest removed first (default 20)",
    )
    group.addoption(
        "--allure-html",
        choices=("auto", "off"),
        default="auto",
        help="build reports/latest/allure.html with Allure 3 at the end of the run (auto: when installed)",
    )
    # --keep-cluster and --kubeconfig come with pytest-kind and mean the same here.
    group.addoption("--context", default=None, help="--stack cluster: kubeconfig context (default: current)")
    group.addoption(
        "--allow-disruption",
        action="store_true",
        help="--stack cluster: allow scaling the real vLLM to 0 (Gaming Mode); always restored",
    )
    group.addoption(
        "--k8s-name",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="--stack kind/cluster: a namespace, Deployment or Service name other than the story's",
    )
