"""The local stack changes only addresses and secrets, records each change, and stays on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.core.errors import ManifestError
from fixtures.discovery import load_gateway
from fixtures.litellm.render import render_litellm_config
from tests.manifest_patch import REFERENCE, patched_manifests

ADDRESSES = {
    "vllm": "http://127.0.0.1:1001",
    "ollama": "http://127.0.0.1:1002",
    "openai": "http://127.0.0.1:1003",
}


def test_only_api_bases_change_and_each_keeps_its_path() -> None:
    gateway = load_gateway(REFERENCE)
    rendered = render_litellm_config(gateway, ADDRESSES)
    bases = [entry["litellm_params"]["api_base"] for entry in rendered.config["model_list"]]
    assert bases == ["http://127.0.0.1:1001/v1", "http://127.0.0.1:1002", "http://127.0.0.1:1003/v1"]
    for before, after in zip(gateway.config["model_list"], rendered.config["model_list"], strict=True):
        before_params = {k: v for k, v in before["litellm_params"].items() if k != "api_base"}
        after_params = {k: v for k, v in after["litellm_params"].items() if k != "api_base"}
        assert before_params == after_params
    assert {k: v for k, v in rendered.config.items() if k != "model_list"} == {
        k: v for k, v in gateway.config.items() if k != "model_list"
    }


def test_every_change_is_recorded_and_no_secret_value_is() -> None:
    rendered = render_litellm_config(load_gateway(REFERENCE), ADDRESSES)
    keys = [change.key for change in rendered.changes]
    assert sum("api_base" in key for key in keys) == 3
    assert all("sk-" not in str(change.after) for change in rendered.changes)


def test_an_inline_master_key_is_replaced_by_an_environment_reference(tmp_path: Path) -> None:
    def inline(config: dict) -> None:
        config["general_settings"]["master_key"] = "sk-inline-secret"

    rendered = render_litellm_config(load_gateway(patched_manifests(tmp_path, inline)), ADDRESSES)
    assert rendered.config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert "sk-inline-secret" not in str(rendered.changes_as_dicts())


def test_a_provider_no_tier_speaks_is_refused_rather_than_contacted(tmp_path: Path) -> None:
    def anthropic(config: dict) -> None:
        config["model_list"][2]["litellm_params"]["model"] = "anthropic/claude-3-5-sonnet"

    with pytest.raises(ManifestError, match=r"model_list\[2\].*not one this stack runs"):
        render_litellm_config(load_gateway(patched_manifests(tmp_path, anthropic)), ADDRESSES)
