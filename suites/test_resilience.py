"""NFR65 and AC3 under load: traffic through every Gaming Mode transition, and documents while vLLM flaps.

Every other test sends its requests while the stack stands still; the owner's day does not. Here a
bounded load generator (``fixtures.load``) sends ``vllm-qwen`` requests at a fixed rate while the
stack goes healthy -> Gaming Mode -> restored -> Gaming Mode -> restored, each transition at a
seeded random moment. Proven: no request failed, p99 stays under NFR65's 5 s, and no request that
started after the scale-down was done and ended before the restore began was served by vLLM.
Then the golden documents are classified round after round (the full profile: 108 classifications)
while vLLM flaps and Ollama starts cold once and fails a seeded quarter of its answers: each ends
stored exactly right, written once per round (Paperless-ngx's audit history), none lost.

Profiles (``--resilience-profile``): ``short`` (the default: 10 requests/s, ~3 s per phase, 2 rounds)
and ``full`` (20 requests/s, ~6 s per phase, 9 rounds; ``make test`` runs it).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from fixtures.api import (
    AC3,
    BUDGET_S,
    FIRST_GROUP,
    NFR65,
    Archive,
    Capability,
    FaultKind,
    FaultSpec,
    Gateway,
    Options,
    RunFolder,
    Stack,
    WaitTimeout,
    load_generator,
    require,
)
from fixtures.api import load as corpus

pytestmark = [*NFR65, *AC3, pytest.mark.resilience]

SEED = 1465  # the transitions' moments: the same every run, so a failure can be replayed
FLAP_SEED = SEED + 1  # vLLM's flips during the batch: down and up, each after 0.5-1.5 s
FLAP_MIN_S, FLAP_MAX_S = 0.5, 1.5
# During the batch the CPU tier is not spotless either: it starts cold once (the story's 120 s load,
# scaled 1/60 as in AC3, within its timeout) and a seeded share of its answers are errors, which
# LiteLLM's next tier must cover.
OLLAMA_COLD_START_S = 2.0
OLLAMA_ERROR_RATE = 0.25
OLLAMA_ERROR_SEED = 7  # its draws: miss, hit, miss, hit...: Ollama serves 3-6 documents of a batch


@dataclass(frozen=True)
class Profile:
    rate: float  # requests per second
    phase_s: float  # mean length of a phase (each drawn 0.7-1.3 times this)
    rounds: int  # times the golden documents are classified while vLLM flaps (12 each)


PROFILES = {"short": Profile(10.0, 3.0, 2), "full": Profile(20.0, 6.0, 9)}


@pytest.fixture(scope="module")
def resilience(run_folder: RunFolder) -> Iterator[dict[str, Any]]:
    """Collects the module's figures; ``resilience.json`` (and ``batch.json``) at its end."""
    found: dict[str, Any] = {"seed": SEED}
    yield found
    if "traffic" in found:
        phases = found["traffic"]["phases"]
        harmed = {p: v["unharmed_share"] for p, v in phases.items() if (v["unharmed_share"] or 0.0) < 1.0}
        worst = min(harmed, key=lambda p: harmed[p]) if harmed else None  # None: every phase unharmed
        found["score"] = {
            "requests_unharmed": found["traffic"]["total"]["unharmed_share"],
            "documents_unharmed": (found.get("batch") or {}).get("unharmed_share"),
            "worst_phase": worst,
        }
        run_folder.write_json("resilience.json", found)
    if "batch" in found:
        run_folder.write_json("batch.json", found["batch"])


def _capacity(stack: Stack) -> float | None:
    """The generator's own ceiling: requests/s it drives straight at the vLLM mock (no LiteLLM)."""
    if Capability.JOURNALS not in stack.capabilities:
        return None
    url = stack.tier(stack.tier_names[0]).url
    model = stack.config.require(FIRST_GROUP).served_model
    body = {"model": model, "messages": [{"role": "user", "content": "capacity probe"}]}
    with httpx.Client(timeout=5.0, trust_env=False) as client:

        def send() -> int:
            return client.post(f"{url}/v1/chat/completions", json=body).status_code

        return round(load_generator.capacity(send), 1)


def test_traffic_through_every_gaming_mode_transition_is_served_unharmed(
    stack: Stack,
    gateway: Gateway,
    run_folder: RunFolder,
    resilience: dict[str, Any],
    options: Options,
) -> None:
    require(stack, Capability.DISRUPTION)
    name = options.resilience_profile
    profile = PROFILES[name]
    first = stack.tier_names[0]
    rng = random.Random(SEED)
    steps, at = [], 0.0
    for phase, replicas in (("gaming mode", 0), ("restored", 1), ("gaming mode 2", 0), ("restored 2", 1)):
        at += profile.phase_s * rng.uniform(0.7, 1.3)
        steps.append(load_generator.Step(round(at, 3), phase, lambda r=replicas: stack.scale(first, r)))
    total = at + profile.phase_s
    capacity = _capacity(stack)

    traffic = load_generator.run(
        gateway, stack.served_by, FIRST_GROUP, profile.rate, steps, int(total * profile.rate) + 1, total
    )

    summary = traffic.summary()
    restores = [t for t in traffic.transitions if t.phase.startswith("restored")]
    summary["back_on_vllm_s"] = {  # LiteLLM's default cooldown (5 s) shows here under load
        t.phase: next((round(s.start_s - t.done_s, 3) for s in traffic.shots if s.start_s >= t.done_s
                       and s.served_by == first), None)
        for t in restores
    }  # fmt: skip
    resilience.update(profile=name, generator_capacity_rps=capacity, traffic=summary)
    load_generator.timeline_plot(traffic, run_folder.path("resilience.png"))
    failed = [s for s in traffic.shots if s.status != 200]
    assert not failed, (
        f"{len(failed)} of {len(traffic.shots)} requests failed under load through the transitions: "
        f"{failed[:5]}"
    )
    windows = [
        (t.done_s, next((n.began_s for n in traffic.transitions if n.began_s > t.began_s), float("inf")))
        for t in traffic.transitions
        if t.phase.startswith("gaming")
    ]
    on_vllm = [s for s in traffic.shots for down, up in windows
               if s.served_by == first and s.start_s >= down and s.start_s + s.latency_s <= up]  # fmt: skip
    assert not on_vllm, f"served by {first} while it was scaled to 0: {on_vllm[:5]}"
    p99 = summary["total"]["p99_s"]
    assert p99 < BUDGET_S, (
        f"p99 {p99} s under load through the transitions, NFR65's budget is {BUDGET_S} s: {summary['phases']}"
    )
    assert summary["phases"].get("gaming mode", {}).get("tiers", {}).get("ollama"), (
        f"no request was served by Ollama in Gaming Mode: the transitions did not happen as planned: "
        f"{summary}"
    )


def test_a_document_batch_while_vllm_flaps_is_classified_once_each_and_none_is_lost(
    stack: Stack, archive: Archive, resilience: dict[str, Any], options: Options
) -> None:
    """The golden documents, filed once, are classified ``profile.rounds`` times while vLLM flaps the
    whole time (12 x 9 = 108 classifications in the full profile): after each round Paperless-AI
    forgets them and their classification is put back (``Archive.renew``, an owner's "reprocess"),
    so each round is a batch of new work without a consumption per document."""
    require(stack, Capability.DISRUPTION)
    profile = PROFILES[options.resilience_profile]
    first, cpu = stack.tier_names[0], stack.tier_names[1]
    filed = archive.golden(corpus().documents)
    consumed = archive.as_consumed(filed)
    faults = Capability.FAULTS in stack.capabilities and Capability.JOURNALS in stack.capabilities
    if faults:
        stack.tier(cpu).fault(FaultSpec(FaultKind.COLD_START, delay_s=OLLAMA_COLD_START_S))
        stack.tier(cpu).fault(
            FaultSpec(FaultKind.ERROR, status=500, rate=OLLAMA_ERROR_RATE, seed=OLLAMA_ERROR_SEED)
        )
    rows: list[dict[str, Any]] = []
    cpu_entries: list[dict[str, Any]] = []
    # vLLM flaps until the last round's scans are done; restored when the block ends, whatever happens
    with stack.flapping(first, seed=FLAP_SEED, min_s=FLAP_MIN_S, max_s=FLAP_MAX_S) as flips:
        for round_ in range(profile.rounds):
            if round_:
                filed = archive.renew(filed, consumed)
            if faults:  # each round's serving tiers from its own journal entries
                cpu_entries += stack.tier(cpu).journal()
                archive.clear_journals()  # vLLM may be down, or go down meanwhile: its journal went with it
            began = time.time()  # Paperless-ngx's history is in wall time (the same machine's here)
            archive.classify()
            archive.classify()  # whatever the flapping left unprocessed: the next scan, as in the owner's day
            with contextlib.suppress(WaitTimeout):  # one never written is reported as lost below, by name
                archive.wait_processed(filed)
            for outcome in archive.outcomes(filed):
                times = archive.pipeline.ngx.write_times(outcome.filed.doc_id)
                rows.append(
                    {"round": round_, "document": outcome.name, "doc_id": outcome.filed.doc_id,
                     "served_by": outcome.served_by,
                     "writes": None if times is None else sum(t >= began for t in times),
                     "latency_s": outcome.latency_s, "problems": outcome.problems}
                )  # fmt: skip
    wrong = [r for r in rows if r["problems"]]
    doubled = [r for r in rows if (r["writes"] or 0) > 1]
    lost = [r for r in rows if not r["writes"]]
    cpu_faults: dict[str, Any] = {}
    if faults:
        cpu_entries += stack.tier(cpu).journal()
        cpu_faults = {
            "requests": len(cpu_entries),
            "errors_by_chance": sum(e.get("fault") == "error(rate)" for e in cpu_entries),
            "cold_start_paid_s": round(
                max((e["extra"].get("load_ns", 0) for e in cpu_entries), default=0) / 1e9, 2
            ),
        }
    harmed = {(r["round"], r["document"]) for r in wrong + doubled + lost}
    resilience["batch"] = {
        "documents": len(rows),
        "distinct_documents": len(filed),
        "rounds": profile.rounds,
        "flips": len(flips),
        f"{cpu}_faults": {"cold_start_s": OLLAMA_COLD_START_S, "error_rate": OLLAMA_ERROR_RATE, **cpu_faults},
        "wrong": len(wrong),
        "doubled": len(doubled),
        "lost": len(lost),
        "unharmed_share": round(1 - len(harmed) / len(rows), 4),
        "per_document": rows,
    }
    # Lost first: a Paperless-AI that classifies nothing also ends its scan before vLLM can flap.
    assert not lost, f"documents never written while vLLM flapped: {lost}"
    assert len(flips) >= 2, (
        f"vLLM flapped {len(flips)} times during the scan: the batch was not under flapping"
    )
    assert not wrong, f"documents stored wrongly while vLLM flapped: {wrong}"
    assert not doubled, f"documents written more than once while vLLM flapped: {doubled}"
