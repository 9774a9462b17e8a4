"""The command-line options: declared once (``fixtures.core.options.add_options``), parsed once into a typed
``Options`` (``Options.from_config``), which the session's Run carries; nothing reads one by name."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, cast

import pytest

from fixtures.budgets import COLD_START_BUDGET_S, RECOVERY_BUDGET_S
from fixtures.core.errors import OptionError
from fixtures.core.options import Options, add_options, options_of
from fixtures.core.timeouts import Timeouts
from fixtures.report.hooks import run_of

REPO = Path(__file__).resolve().parents[2]
HERE = str(Path(__file__).resolve().parent)  # what the config is "run" on: below the root conftest


def config_of(*args: str) -> pytest.Config:
    """A pytest config parsed from ``args`` (root conftest and plugins loaded, nothing configured)."""
    return pytest.Config.fromdictargs({}, [*args, "--rootdir", str(REPO), HERE])


class _Declared:
    """Stands in for pytest's parser: records each option's ``dest`` as argparse would derive it."""

    def __init__(self) -> None:
        self.dests: list[str] = []

    def getgroup(self, name: str, description: str = "") -> _Declared:
        return self

    def addoption(self, *names: str, **attrs: Any) -> None:
        self.dests.append(attrs.get("dest") or names[0].removeprefix("--").replace("-", "_"))


def test_each_declared_option_fills_a_field_of_its_own_and_each_field_has_an_option() -> None:
    declared = _Declared()
    add_options(cast(pytest.Parser, declared))

    fields = {f.name for f in dataclasses.fields(Options) if f.init}
    pytest_kinds = {"kubeconfig", "keep_cluster"}  # declared by pytest-kind, honoured by the stacks
    assert len(declared.dests) == len(set(declared.dests)) == 17
    assert set(declared.dests) == fields - pytest_kinds


def test_no_option_given_parses_to_the_defaults_of_options() -> None:
    options = Options.from_config(config_of())

    assert options == Options()
    assert options.manifests == Path("manifests") and options.reports is None
    assert (options.cold_start_budget, options.recovery_budget) == (COLD_START_BUDGET_S, RECOVERY_BUDGET_S)
    assert options.keep_reports == 20 and options.timeouts == Timeouts()


def test_each_option_is_parsed_once_into_its_type() -> None:
    config = config_of(
        "--stack", "cluster", "--manifests", "gitops", "--reports", "out",
        "--stack-timeout", "startup=5", "--stack-timeout", "settle=2", "--timeout", "request=7",
        "--record-answers", "answers.json", "--cold-start-budget", "45", "--litellm-version", "1.2.3",
        "--resilience-profile", "full", "--recovery-budget", "12.5", "--keep-reports", "3",
        "--allure-html", "off", "--context", "home", "--allow-disruption",
        "--k8s-name", "ml_namespace=ai", "--k8s-name", "vllm_port=8001",
        "--kubeconfig", "/etc/kube.yaml", "--keep-cluster",
    )  # fmt: skip

    options = Options.from_config(config)

    assert options == Options(
        stack="cluster",
        manifests=Path("gitops"),
        reports=Path("out"),
        stack_timeout=("startup=5", "settle=2"),
        deprecated_timeout=("request=7",),
        record_answers=Path("answers.json"),
        cold_start_budget=45.0,
        litellm_version="1.2.3",
        resilience_profile="full",
        recovery_budget=12.5,
        keep_reports=3,
        allure_html="off",
        context="home",
        allow_disruption=True,
        k8s_name=("ml_namespace=ai", "vllm_port=8001"),
        kubeconfig="/etc/kube.yaml",
        keep_cluster=True,
    )
    assert options.timeouts == Timeouts(startup=5, request=7, settle=2)


def test_a_path_option_given_empty_counts_as_not_given() -> None:
    options = Options.from_config(config_of("--paperless-ai-dir", "", "--replay-answers", ""))

    assert options.paperless_ai_dir is None and options.replay_answers is None  # $PAPERLESS_AI_DIR applies


def test_the_session_parses_once_and_a_set_it_cannot_use_is_a_usage_error_naming_the_option() -> None:
    config = config_of("--stack-timeout", "startup=5")
    assert options_of(config) is options_of(config)

    bad = config_of()
    bad.option.stack_timeout = ["startup=never"]  # argparse would have refused it; a plugin could set it

    with pytest.raises(pytest.UsageError, match=r"^parsing options: --stack-timeout: 'startup=never'"):
        options_of(bad)


def test_options_that_cannot_be_used_cannot_be_made() -> None:
    with pytest.raises(OptionError, match="--stack-timeout: 'boot=5' is not KIND=SECONDS"):
        Options(stack_timeout=("boot=5",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().stack = "kind"  # type: ignore[misc]


def test_the_sessions_run_carries_the_options_and_their_timeouts(tmp_path: Path) -> None:
    config = config_of("--reports", str(tmp_path), "--stack-timeout", "request=3")

    run = run_of(config)
    try:
        assert run.options is options_of(config)
        assert run.timeouts == Timeouts(request=3)
        assert run.root.parent == tmp_path
    finally:
        run.close()
