"""AC1: Paperless-AI talks to LLMs only through LiteLLM.

Proven at the gateway: a request for the model group is served by the vLLM tier and by no other;
each group of the chain reaches its own tier; the raw vLLM model name, a missing key and a wrong key
are refused before any tier sees a request.
"""

from __future__ import annotations

import pytest

from fixtures.criteria import AC1
from fixtures.evidence import assert_completions, assert_served_by
from fixtures.gateway import Gateway
from fixtures.manifests import FIRST_GROUP
from fixtures.stack.base import Capability, Stack

pytestmark = AC1

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
