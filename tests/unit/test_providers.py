"""The provider table of ``fixtures.litellm.providers`` against LiteLLM's own ``get_llm_provider``."""

from __future__ import annotations

import os

import pytest

from fixtures.litellm.providers import PREFIXES, provider_of

# Names of the owner's configs (bare OpenAI names, prefixed groups) and names LiteLLM does not resolve.
NAMES = [
    "gpt-4o-mini", "gpt-4o", "gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "gpt-4.1-mini", "gpt-5", "o1", "o3",
    "o3-mini", "o4-mini", "o1-mini", "gpt-4o-mini-2024-07-18", "text-embedding-3-small",
    "text-embedding-ada-002", "chatgpt-4o-latest", "claude-3-5-sonnet-20240620", "qwen2.5",
    "mistral-small-latest", "Qwen/Qwen2.5-7B-Instruct-AWQ", "openai/Qwen/Qwen2.5-7B-Instruct-AWQ",
    "hosted_vllm/Qwen/Qwen2.5-7B-Instruct-AWQ", "ollama/qwen2.5:3b", "ollama_chat/phi4-mini",
    "groq/llama-3.3-70b-versatile", "gemini/gemini-2.0-flash", "mistral/mistral-small-latest",
]  # fmt: skip


@pytest.fixture(scope="module")
def litellm_provider():  # type: ignore[no-untyped-def]
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # its bundled model list, no fetch
    import litellm

    def resolve(model: str) -> str | None:
        try:
            return str(litellm.get_llm_provider(model)[1])
        except Exception:  # LiteLLM's "provider not provided" for a name it cannot resolve
            return None

    return resolve, litellm.provider_list


@pytest.mark.parametrize("model", NAMES)
def test_the_table_resolves_a_model_as_litellm_does(litellm_provider, model: str) -> None:  # type: ignore[no-untyped-def]
    resolve, _ = litellm_provider
    assert provider_of(model) == resolve(model)


def test_every_prefix_of_the_table_is_one_of_litellms_providers(litellm_provider) -> None:  # type: ignore[no-untyped-def]
    _, providers = litellm_provider
    assert sorted(p for p in PREFIXES if p not in providers) == []
