"""AC1: Paperless-AI talks to LLMs only through LiteLLM.

Proven at the gateway: a request for the model group is served by the vLLM tier and by no other;
each group of the chain reaches its own tier; the raw vLLM model name, a missing key and a wrong key
are refused before any tier sees a request. Proven end to end: Paperless-AI's effective configuration
(both views: the environment it classifies with and the data/.env its setup check reads) names the
custom provider, LiteLLM's /v1 URL, a group with a fallback chain and a key LiteLLM accepts; and its
classification requests reach a tier only as LiteLLM's requests, never directly.
"""

from __future__ import annotations

import pytest

from fixtures.api import (
    AC1,
    FIRST_GROUP,
    VIA_HEADER,
    Archive,
    Capability,
    Gateway,
    Pipeline,
    Stack,
    assert_completions,
    assert_served_by,
    load,
    require,
)

pytestmark = [*AC1]

PROMPT = "Which tier answers this?"


def test_a_request_for_the_vllm_group_is_served_by_the_vllm_tier(stack: Stack, gateway: Gateway) -> None:
    reply = gateway.chat(FIRST_GROUP, PROMPT)

    assert_served_by(stack, reply, "vllm")
    assert reply.model_group == FIRST_GROUP
    assert_completions(stack, vllm=1, ollama=0, openai=0)
    if Capability.JOURNALS in stack.capabilities:
        served_model = stack.config.require(FIRST_GROUP).served_model
        (entry,) = stack.tier("vllm").journal()
        assert entry["model"] == served_model, (
            f"vLLM was asked for {entry['model']!r}, serves {served_model!r}"
        )


@pytest.mark.parametrize("position", [0, 1, 2], ids=["first", "second", "third"])
def test_each_group_of_the_fallback_chain_is_served_by_its_own_tier(
    stack: Stack, gateway: Gateway, position: int
) -> None:
    chain = stack.config.chain
    assert len(chain) > position, f"the fallback chain of {FIRST_GROUP} has {len(chain)} groups: {chain}"
    group = chain[position]
    deployment = stack.config.deployment(group)
    assert deployment is not None, f"the chain names {group!r}, which no model_list entry defines"

    reply = gateway.chat(group, PROMPT)

    assert_served_by(stack, reply, str(deployment.flavour))
    assert reply.model_group == group, f"asked {group!r}, LiteLLM answered as {reply.model_group!r}"
    if deployment.model_id is not None:  # without model_info.id LiteLLM names it by a hash of its params
        assert reply.model_id == deployment.model_id


def test_asking_for_the_raw_vllm_model_name_is_refused_and_reaches_no_tier(
    stack: Stack, gateway: Gateway
) -> None:
    raw_name = stack.config.require(FIRST_GROUP).served_model

    reply = gateway.chat(raw_name, PROMPT)

    assert 400 <= reply.status < 500, f"asking for {raw_name!r} must be refused, got {reply.describe()}"
    assert_completions(stack, vllm=0, ollama=0, openai=0)


def test_a_request_without_a_key_is_refused_with_401_and_reaches_no_tier(
    stack: Stack, gateway: Gateway
) -> None:
    reply = gateway.chat(FIRST_GROUP, PROMPT, key=None)

    assert reply.status == 401, f"no key must be answered 401, got {reply.describe()}"
    assert_completions(stack, vllm=0, ollama=0, openai=0)


def test_a_request_with_a_wrong_key_is_refused_and_reaches_no_tier(stack: Stack, gateway: Gateway) -> None:
    reply = gateway.chat(FIRST_GROUP, PROMPT, key="sk-not-the-master-key")

    assert reply.status != 200 and reply.status != 0, f"a wrong key must be refused, got {reply.describe()}"
    assert_completions(stack, vllm=0, ollama=0, openai=0)


VIEWS = ("classification", "setup_check")


@pytest.mark.parametrize("view", VIEWS, ids=["env-over-file", "data-env-file"])
def test_paperless_ai_is_configured_for_the_litellm_gateway(
    stack: Stack, gateway: Gateway, pipeline: Pipeline, view: str
) -> None:
    values = getattr(pipeline.ai.effective_config(), view)
    where = {
        "classification": "what it classifies with (environment over data/.env)",
        "setup_check": "what its setup check reads (data/.env alone)",
    }[view]
    provider = values.get("AI_PROVIDER", "openai (the default: no AI_PROVIDER)")
    assert provider == "custom", f"{where}: AI_PROVIDER is {provider!r}, must be 'custom' (LiteLLM)"
    url = values.get("CUSTOM_BASE_URL", "").rstrip("/")
    assert url == pipeline.litellm_v1, (
        f"{where}: CUSTOM_BASE_URL is {url!r}, must be LiteLLM's {pipeline.litellm_v1!r}"
    )
    model = values.get("CUSTOM_MODEL")
    assert stack.config.deployment(str(model)) is not None, (
        f"{where}: CUSTOM_MODEL is {model!r}, not a LiteLLM model group "
        f"({[d.group for d in stack.config.deployments]})"
    )
    assert stack.config.fallbacks.get(str(model)), (
        f"{where}: CUSTOM_MODEL {model!r} has no fallback chain in LiteLLM's config: "
        "Gaming Mode would stop classification"
    )

    reply = gateway.chat(
        str(model), "conformance: is Paperless-AI's key accepted?", key=values.get("CUSTOM_API_KEY")
    )

    assert reply.status == 200, f"{where}: LiteLLM refuses Paperless-AI's CUSTOM_API_KEY: {reply.describe()}"


def test_paperless_ai_classification_requests_reach_a_tier_only_through_litellm(
    stack: Stack, archive: Archive
) -> None:
    require(stack, Capability.JOURNALS)
    filed = archive.golden(load().documents[:3])
    archive.classify()
    archive.wait_processed(filed)

    mine = {item.content_digest: item.document.name for item in filed}
    seen = [
        (tier, entry)
        for tier in stack.tier_names
        for entry in stack.tier(tier).journal()
        if entry["digest"] in mine
    ]
    if stack.via_marker is not None:  # the rendered config makes LiteLLM send it; nothing else knows it
        direct = [
            (tier, mine[e["digest"]], e["extra"].get("via"))
            for tier, e in seen
            if e["extra"].get("via") != stack.via_marker
        ]
        how = f"without LiteLLM's marker {VIA_HEADER}: {stack.via_marker}"
    else:  # a cluster's config is not rendered: the user agent is all there is (releases differ in it)
        direct = [(tier, mine[e["digest"]], e["extra"].get("agent")) for tier, e in seen
                  if not str(e["extra"].get("agent", "")).startswith("litellm/")]  # fmt: skip
        how = "with a user agent other than LiteLLM's"
    assert not direct, f"classification requests that reached a tier {how} (tier, document, header): {direct}"
    per_document = {name: [tier for tier, e in seen if mine[e["digest"]] == name] for name in mine.values()}
    assert all(len(tiers) == 1 for tiers in per_document.values()), (
        f"each document must reach exactly one tier, once: {per_document}"
    )
    for tier, entry in seen:
        served = stack.config.require(stack.config.chain[stack.tier_names.index(tier)]).served_model
        assert entry["model"] == served, (
            f"{mine[entry['digest']]} reached {tier} asking for {entry['model']!r}; "
            f"LiteLLM asks for {served!r}"
        )
