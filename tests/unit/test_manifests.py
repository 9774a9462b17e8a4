"""Broken manifests fail at session start with the file and what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fixtures.core.errors import ManifestError
from fixtures.discovery import discover, load_gateway, paperless_ai_settings
from fixtures.manifests import MAX_MANIFEST_BYTES
from tests.manifest_patch import REFERENCE, apply, patched_manifests


def test_the_reference_chain_is_vllm_then_ollama_then_openai() -> None:
    gateway = load_gateway(REFERENCE)
    assert gateway.chain == ("vllm-qwen", "ollama-qwen", "openai-gpt4o")
    assert gateway.tiers == ("vllm", "ollama", "openai")
    assert gateway.tier_of(model_id="ollama-qwen-cpu") == "ollama"


def test_the_chained_form_of_fallbacks_reaches_the_third_group(tmp_path: Path) -> None:
    def chained(config: dict) -> None:
        config["litellm_settings"]["fallbacks"] = [
            {"vllm-qwen": ["ollama-qwen"]},
            {"ollama-qwen": ["openai-gpt4o"]},
        ]

    assert load_gateway(patched_manifests(tmp_path, chained)).chain == (
        "vllm-qwen",
        "ollama-qwen",
        "openai-gpt4o",
    )


# No file is read by a fixed path any more: a tree without the pipeline names what discovery looked for.
def test_a_tree_without_paperless_ai_names_the_folder_and_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"no Paperless-AI in the tree: looked for a Deployment whose"):
        load_gateway(tmp_path)


def test_a_missing_manifests_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"nowhere: the manifests folder does not exist"):
        load_gateway(tmp_path / "nowhere")


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "litellm").mkdir()
    (tmp_path / "litellm" / "configmap.yaml").write_text("kind: ConfigMap\ndata: [unclosed\n")
    with pytest.raises(ManifestError, match=r"configmap.yaml: invalid YAML"):
        load_gateway(tmp_path)


def test_invalid_yaml_inside_config_yaml_names_the_key(tmp_path: Path) -> None:
    manifests = apply([], tmp_path)
    path = manifests / "litellm" / "configmap.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["data"]["config.yaml"] = "model_list: [unclosed\n"
    path.write_text(yaml.safe_dump(doc))

    with pytest.raises(ManifestError, match=r"configmap.yaml: data.config.yaml: invalid YAML inside config"):
        load_gateway(manifests)


def test_a_config_without_the_vllm_group_names_the_groups_it_found(tmp_path: Path) -> None:
    def rename(config: dict) -> None:
        config["model_list"][0]["model_name"] = "gpu-qwen"

    with pytest.raises(ManifestError, match=r"model_list: no model group 'vllm-qwen'; found \['gpu-qwen'"):
        load_gateway(patched_manifests(tmp_path, rename))


def test_a_config_without_fallbacks_loads_as_a_one_group_chain_for_the_tests_to_fail_on(
    tmp_path: Path,
) -> None:
    def drop(config: dict) -> None:
        del config["litellm_settings"]["fallbacks"]

    gateway = load_gateway(patched_manifests(tmp_path, drop))

    assert gateway.chain == ("vllm-qwen",) and gateway.tiers == ("vllm",) and not gateway.fallbacks


def test_a_model_list_entry_without_a_model_names_its_index(tmp_path: Path) -> None:
    def strip(config: dict) -> None:
        del config["model_list"][1]["litellm_params"]["model"]

    with pytest.raises(ManifestError, match=r"model_list\[1\]: needs model_name and litellm_params.model"):
        load_gateway(patched_manifests(tmp_path, strip))


def test_paperless_ai_reads_custom_model_never_llm_model() -> None:
    settings, source = paperless_ai_settings(discover(REFERENCE))
    assert source == REFERENCE / "paperless-ai" / "configmap.yaml"
    assert settings["AI_PROVIDER"] == "custom" and settings["CUSTOM_MODEL"] == "vllm-qwen"
    assert "LLM_MODEL" not in settings


def test_a_binary_manifest_names_the_file_instead_of_a_decode_traceback(tmp_path: Path) -> None:
    manifests = patched_manifests(tmp_path, lambda config: None)
    (manifests / "litellm" / "configmap.yaml").write_bytes(b"\xff\xfe\x00k\x00i\x00n\x00d")

    with pytest.raises(ManifestError, match=r"litellm/configmap.yaml: binary, not YAML text"):
        load_gateway(manifests)


def test_a_manifest_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    manifests = patched_manifests(tmp_path, lambda config: None)
    with (manifests / "litellm" / "configmap.yaml").open("r+b") as out:
        out.truncate(MAX_MANIFEST_BYTES + 1)

    with pytest.raises(ManifestError, match=r"configmap.yaml: 1,000,001 bytes, over the 1,000,000-byte"):
        load_gateway(manifests)


def test_a_symlink_loop_is_named_as_one_not_as_a_missing_file(tmp_path: Path) -> None:
    manifests = patched_manifests(tmp_path, lambda config: None)
    path = manifests / "paperless-ai" / "configmap.yaml"
    path.unlink()
    path.symlink_to("configmap.yaml")

    with pytest.raises(ManifestError, match=r"paperless-ai/configmap.yaml: a symlink loop"):
        paperless_ai_settings(discover(manifests))
