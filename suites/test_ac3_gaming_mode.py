"""AC3: with vLLM gone (Gaming Mode), requests fall back to Ollama, then OpenAI, and still complete.

Also: every tier down gives an error answer that names the failure, never a hang; traffic returns to
vLLM once it is back; a cold Ollama is waited for when its load fits the tier's timeout, and given up
on when it does not. Cold starts are scaled down (1/60 of the story's figures) so no test sleeps
for a minute; the timeout is scaled by the same factor through the request's ``timeout`` field.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from fixtures.api import (
    AC3,
    COLD_START_BUDGET_S,
    FALLBACK_SECTIONS,
    FIRST_GROUP,
    VIA_HEADER,
    Capability,
    FaultKind,
    FaultSpec,
    Gateway,
    Options,
    Stack,
    WaitTimeout,
    assert_completions,
    assert_served_by,
    fallback_sections,
    require,
)

pytestmark = [*AC3]

PROMPT = "Gaming Mode is on. Who answers?"
OLLAMA_COLD_START_S = 60.0  # the story's figure for a cold Ollama on the CPU
SCALE = 1 / 60
# Requests during Gaming Mode before vLLM is restored: enough for a cooldown policy to trip
# (``allowed_fails`` counts failures per minute), as real traffic would.
GAMING_REQUESTS = 5


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_in_gaming_mode_requests_for_the_vllm_group_are_served_by_ollama(
    stack: Stack, gateway: Gateway, gaming_mode: float, stream: bool
) -> None:
    reply = gateway.chat(FIRST_GROUP, PROMPT, stream=stream)

    assert_served_by(stack, reply, "ollama")
    assert_completions(stack, vllm=0, ollama=1, openai=0)


ROUTING_HEADERS = (  # what LiteLLM documents about how it routed a request
    "x-litellm-attempted-fallbacks",
    "x-litellm-attempted-retries",
    "x-litellm-model-group",
    "x-litellm-model-id",
    "x-litellm-model-api-base",
    "x-litellm-response-duration-ms",
    "x-litellm-overhead-duration-ms",
)


def test_litellm_own_headers_say_it_fell_back_from_vllm_to_ollama(
    stack: Stack, gateway: Gateway, gaming_mode: float, figures: dict[str, object]
) -> None:
    """LiteLLM's evidence, beside the tiers': every routing header the running release sends is
    recorded (``figures.json``: which release sends which) and, where sent, must agree."""
    reply = gateway.chat(FIRST_GROUP, PROMPT)

    assert_served_by(stack, reply, "ollama")
    sent = {name: reply.headers[name] for name in ROUTING_HEADERS if name in reply.headers}
    figures["litellm_routing_headers_in_gaming_mode"] = {name: sent.get(name) for name in ROUTING_HEADERS}
    ollama = stack.config.require(stack.config.chain[1])
    if "x-litellm-attempted-fallbacks" in sent:
        assert int(sent["x-litellm-attempted-fallbacks"]) >= 1, (
            f"LiteLLM says it attempted no fallback: {sent}"
        )
    if "x-litellm-attempted-retries" in sent:
        assert int(sent["x-litellm-attempted-retries"]) == 0, f"num_retries 0, yet LiteLLM retried: {sent}"
    if "x-litellm-model-id" in sent and ollama.model_id:
        assert sent["x-litellm-model-id"] == ollama.model_id, (
            f"served by {sent['x-litellm-model-id']}: {sent}"
        )
    assert "x-litellm-model-id" in sent or "x-litellm-model-group" in sent, (
        f"LiteLLM named neither the deployment nor the group that served: {reply.headers}"
    )
    if Capability.JOURNALS in stack.capabilities and stack.via_marker is not None:
        (entry,) = stack.tier("ollama").journal()
        assert entry["extra"].get("via") == stack.via_marker, (
            f"the Ollama tier got {VIA_HEADER}: {entry['extra'].get('via')!r}, not the run's marker: "
            "LiteLLM's requests to it cannot be told from a bypass"
        )


def test_the_section_this_release_reads_the_fallback_chain_from_is_the_one_the_report_names(
    stack: Stack, gaming_mode: float, figures: dict[str, object]
) -> None:
    """LiteLLM takes fallbacks from ``router_settings`` or ``litellm_settings`` and never merges them;
    which one wins has differed between releases. A second LiteLLM of this release gets a different
    chain in each section (router_settings -> the second group, litellm_settings -> the third); in
    Gaming Mode the tier that answers names the section it read. The harness's model of the config
    (``FALLBACK_SECTIONS``: the chain the other tests expect, lint LLM009) must read the same one."""
    require(stack, Capability.GATEWAY_VARIANTS)
    chain = stack.config.chain
    if len(chain) < 3:
        pytest.skip(f"needs a chain of 3 groups to tell the sections apart; the config's is {list(chain)}")
    first, second, third = chain[:3]
    section_of = {
        stack.config.tier_of(group=second): "router_settings",
        stack.config.tier_of(group=third): "litellm_settings",
    }

    def both(config: dict[str, Any]) -> None:
        config.setdefault("router_settings", {})["fallbacks"] = [{first: [second]}]
        config.setdefault("litellm_settings", {})["fallbacks"] = [{first: [third]}]

    with stack.gateway_variant("fallbacks-in-both-sections", both) as probe:
        reply = probe.chat(first, PROMPT)
    served = stack.served_by(reply) if reply.status == 200 else None
    read = section_of.get(served)
    placement = {
        "release": next((c.version for c in stack.components() if c.name == "LiteLLM proxy"), None),
        "config_sets": list(fallback_sections(stack.config.config)),
        "read_from": stack.config.fallbacks_from,
        "when_both_set": read,
        "probe_answer": reply.describe() if read is None else f"served by {served}",
    }
    figures["litellm_fallback_placement"] = placement

    assert read is not None, (
        f"with a chain in each section, this release followed neither in Gaming Mode: {reply.describe()}"
    )
    assert read == FALLBACK_SECTIONS[0], (
        f"this release reads {read}.fallbacks when both sections set them; the harness's model "
        f"(fixtures.litellm.config.FALLBACK_SECTIONS, lint LLM009) assumes {FALLBACK_SECTIONS[0]}: the chain "
        f"the suites expect and the report names ({placement['read_from']}) may not be the one that runs"
    )


def test_with_vllm_and_ollama_down_openai_serves(stack: Stack, gateway: Gateway) -> None:
    require(stack, Capability.DISRUPTION)
    with stack.down("vllm", "ollama"):
        reply = gateway.chat(FIRST_GROUP, PROMPT)

    assert_served_by(stack, reply, "openai")
    assert_completions(stack, openai=1)


def test_with_every_tier_down_the_answer_is_an_error_that_names_the_failure(
    stack: Stack, gateway: Gateway
) -> None:
    require(stack, Capability.DISRUPTION)
    with stack.down(*stack.tier_names):
        reply = gateway.chat(FIRST_GROUP, PROMPT)

    assert reply.status != 0, f"expected an error answer, the gateway gave none: {reply.describe()}"
    assert reply.status >= 500, f"expected a server error naming the failure, got {reply.describe()}"
    missing = [group for group in stack.config.chain if group not in (reply.error or "")]
    assert not missing, f"the error should name every group it tried, lacks {missing}: {reply.describe()}"


def test_when_vllm_is_back_traffic_returns_to_vllm_within_the_recovery_budget(
    stack: Stack,
    gateway: Gateway,
    gaming_mode: float,
    figures: dict[str, object],
    options: Options,
) -> None:
    budget = options.recovery_budget
    for _ in range(GAMING_REQUESTS):  # a household's few requests while the GPU is away, not just one
        assert_served_by(stack, gateway.chat(FIRST_GROUP, PROMPT), "ollama")
    restored = time.monotonic()
    stack.scale("vllm", 1)

    try:
        stack.wait_until_served_by("vllm", timeout=budget)
    except WaitTimeout:
        pytest.fail(
            f"{budget:g} s after vLLM was restored, {FIRST_GROUP} was still served by another tier: LiteLLM "
            "keeps vLLM in cooldown longer than the recovery budget (allowed_fails / cooldown_time)"
        )
    figures["traffic_back_on_vllm_after_restore_s"] = round(time.monotonic() - restored, 3)
    assert_served_by(stack, gateway.chat(FIRST_GROUP, PROMPT), "vllm")


def _scaled_ollama_timeout(stack: Stack) -> float:
    deployment = stack.config.deployment("ollama-qwen")
    assert deployment is not None, "the chain has no ollama-qwen group: no CPU tier to fall back to"
    assert deployment.timeout is not None, (
        "the Ollama tier has no timeout: a hung or cold Ollama holds a request up to LiteLLM's default"
    )
    return deployment.timeout * SCALE


def test_an_ollama_cold_start_that_fits_the_tier_timeout_is_waited_for(
    stack: Stack, gateway: Gateway, gaming_mode: float
) -> None:
    require(stack, Capability.FAULTS)
    timeout = _scaled_ollama_timeout(stack)
    cold = OLLAMA_COLD_START_S * SCALE
    stack.tier("ollama").fault(FaultSpec(FaultKind.COLD_START, delay_s=cold))

    reply = gateway.chat(FIRST_GROUP, PROMPT, extra={"timeout": timeout})

    assert_served_by(stack, reply, "ollama")
    assert reply.elapsed_s >= cold, f"a cold Ollama answered in {reply.elapsed_s:.3f} s, faster than its load"
    (entry,) = stack.tier("ollama").journal()
    assert entry["extra"]["load_ns"] >= cold * 1e9 * 0.9, f"load_duration not reported: {entry}"


def test_an_ollama_cold_start_longer_than_the_tier_timeout_is_not_waited_for(
    stack: Stack, gateway: Gateway, gaming_mode: float
) -> None:
    require(stack, Capability.FAULTS)
    timeout = _scaled_ollama_timeout(stack)
    stack.tier("ollama").fault(FaultSpec(FaultKind.COLD_START, delay_s=timeout * 2))

    reply = gateway.chat(FIRST_GROUP, PROMPT, extra={"timeout": timeout})

    assert_served_by(stack, reply, "openai")
    assert reply.elapsed_s >= timeout, f"gave up on Ollama after {reply.elapsed_s:.3f} s, before {timeout} s"
    assert_completions(stack, ollama=1, openai=1)


def test_on_a_real_cluster_a_cold_ollama_serves_gaming_mode_and_its_load_time_is_reported(
    stack: Stack, gateway: Gateway, figures: dict[str, object]
) -> None:
    """The story's AC3 on real hardware: vLLM scaled to 0, the real Ollama cold, the first answer timed."""
    require(stack, Capability.REAL_TIERS)
    require(stack, Capability.DISRUPTION)
    budget = (
        stack.config.require(stack.config.chain[stack.tier_names.index("ollama")]).timeout
        or COLD_START_BUDGET_S
    )
    stack.make_ollama_cold()

    with stack.gaming_mode() as since:
        reply = gateway.chat(FIRST_GROUP, PROMPT, timeout=budget + 30)
        first_answer_s = time.monotonic() - since

    figures["real_ollama_cold_start_s"] = round(reply.elapsed_s, 2)
    figures["gaming_mode_scale_down_to_first_answer_s"] = round(first_answer_s, 2)
    assert_served_by(stack, reply, "ollama")
    assert reply.elapsed_s < budget, (
        f"the cold Ollama took {reply.elapsed_s:.1f} s, over its {budget:g} s timeout"
    )
