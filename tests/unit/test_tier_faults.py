"""Faults and the journal of the mock tiers' control surface (/__mock/)."""

from __future__ import annotations

import json
import random
import time

import pytest
from starlette.testclient import TestClient

from fixtures.doubles.tiers.app import build_app
from fixtures.doubles.tiers.wire import MockReset

MODEL = "Qwen/Qwen2.5-7B-Instruct-AWQ"
CLASSIFY = "Return JSON with title, correspondent, tags, document_type."
BODY = {
    "model": MODEL,
    "messages": [{"role": "system", "content": CLASSIFY}, {"role": "user", "content": "Invoice 7"}],
}


@pytest.fixture
def tier() -> TestClient:
    return TestClient(build_app("vllm"))


def arm(tier: TestClient, **spec: object) -> None:
    assert tier.post("/__mock/faults", json=spec).status_code == 201


def ask(tier: TestClient, **extra: object):
    return tier.post("/v1/chat/completions", json=BODY | extra)


def test_the_journal_records_model_stream_status_digest_and_excerpt(tier: TestClient) -> None:
    ask(tier)
    (entry,) = [e for e in tier.get("/__mock/journal").json()["entries"] if e["kind"] == "completion"]
    assert (entry["model"], entry["stream"], entry["status"], entry["excerpt"]) == (
        MODEL,
        False,
        200,
        "Invoice 7",
    )
    assert len(entry["digest"]) == 16 and entry["t"] > 0


def test_clearing_the_journal_empties_it(tier: TestClient) -> None:
    ask(tier)
    tier.delete("/__mock/journal")
    assert tier.get("/__mock/journal").json()["entries"] == []


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_error_fault_answers_its_status_for_the_next_request_only(tier: TestClient, status: int) -> None:
    arm(tier, kind="error", status=status, count=1)
    first, second = ask(tier), ask(tier)
    assert first.status_code == status and first.json()["object"] == "error"
    assert second.status_code == 200


def test_a_fault_without_count_lasts_until_cleared(tier: TestClient) -> None:
    arm(tier, kind="error", status=503)
    assert [ask(tier).status_code for _ in range(3)] == [503, 503, 503]
    tier.delete("/__mock/faults")
    assert ask(tier).status_code == 200


def test_a_slow_fault_delays_the_answer(tier: TestClient) -> None:
    arm(tier, kind="slow", delay_s=0.3, count=1)
    started = time.monotonic()
    assert ask(tier).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_malformed_fault_answers_content_that_is_not_json(tier: TestClient) -> None:
    arm(tier, kind="malformed", count=1)
    content = ask(tier).json()["choices"][0]["message"]["content"]
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_a_malformed_stream_ends_without_its_terminator(tier: TestClient) -> None:
    arm(tier, kind="malformed", count=1)
    assert "[DONE]" not in ask(tier, stream=True).text


def test_a_think_fault_puts_a_think_block_before_the_json(tier: TestClient) -> None:
    arm(tier, kind="think", count=1)
    assert ask(tier).json()["choices"][0]["message"]["content"].startswith("<think>")


def test_a_no_usage_fault_leaves_usage_out(tier: TestClient) -> None:
    arm(tier, kind="no_usage", count=1)
    assert "usage" not in ask(tier).json()


def test_a_reset_fault_breaks_the_connection_mid_answer(tier: TestClient) -> None:
    arm(tier, kind="reset", count=1)
    with pytest.raises(MockReset):
        ask(tier)
    (entry,) = [e for e in tier.get("/__mock/journal").json()["entries"] if e["kind"] == "completion"]
    assert entry["status"] == "reset"


def test_a_cold_start_delays_only_the_first_request_and_reports_load_duration() -> None:
    ollama = TestClient(build_app("ollama"))
    assert ollama.post("/__mock/faults", json={"kind": "cold_start", "delay_s": 0.3}).status_code == 201
    body = {"model": "qwen2.5:3b", "messages": [{"role": "user", "content": "hi"}], "stream": False}
    cold = ollama.post("/api/chat", json=body).json()
    warm = ollama.post("/api/chat", json=body).json()
    assert cold["load_duration"] >= 0.3e9 > warm["load_duration"]


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "error", "status": 418},
        {"kind": "hang", "count": 0},
        {"kind": "cold_start"},
        {"kind": "shape", "shape": "haiku"},
        {"kind": "cut", "after_bytes": "ten"},
        {"kind": "slow_body", "delay_s": -1},
    ],
    ids=[
        "unknown kind",
        "unknown status",
        "zero count",
        "cold start on vllm",
        "unknown shape",
        "cut after text, not bytes",
        "negative body delay",
    ],
)
def test_a_fault_the_tier_cannot_honour_is_a_400_naming_the_problem(tier: TestClient, spec: dict) -> None:
    response = tier.post("/__mock/faults", json=spec)
    assert response.status_code == 400 and response.json()["error"].startswith("bad fault:")


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"kind": "error", "rate": 0}, "rate must be a number with 0 < rate <= 1, got 0"),
        ({"kind": "error", "rate": 1.5}, "rate must be a number with 0 < rate <= 1, got 1.5"),
        ({"kind": "error", "rate": True}, "rate must be a number with 0 < rate <= 1, got True"),
        ({"kind": "error", "rate": 0.5, "seed": "x"}, "seed must be an integer, got 'x'"),
        ({"kind": "error", "rate": 0.5, "seed": 1.5}, "seed must be an integer, got 1.5"),
        ({"kind": "error", "seed": 3}, "seed needs a rate"),
        ({"kind": "cut"}, "after_bytes must be a non-negative integer for a cut, got None"),
        ({"kind": "cut", "after_bytes": -1}, "after_bytes must be a non-negative integer for a cut, got -1"),
        (
            {"kind": "cut", "after_bytes": 2.5},
            "after_bytes must be a non-negative integer for a cut, got 2.5",
        ),
    ],
    ids=[
        "rate 0",
        "rate above 1",
        "rate true",
        "seed text",
        "seed fraction",
        "seed alone",
        "cut no bytes",
        "cut negative",
        "cut fraction",
    ],
)
def test_a_bad_rate_seed_or_cut_is_a_400_naming_the_field(tier: TestClient, spec: dict, named: str) -> None:
    response = tier.post("/__mock/faults", json=spec)
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith(f"bad fault: {named}"), response.json()


def test_a_rate_on_a_cold_start_is_refused() -> None:
    ollama = TestClient(build_app("ollama"))
    response = ollama.post("/__mock/faults", json={"kind": "cold_start", "rate": 0.5, "seed": 1})
    assert response.status_code == 400 and "rate does not apply to cold_start" in response.json()["error"]


def statuses_under(seed: int, rate: float, requests: int = 16, **spec: object) -> list[int]:
    """The statuses a fresh tier answers to ``requests`` requests with an error fault of this chance."""
    tier = TestClient(build_app("vllm"))
    arm(tier, kind="error", status=503, rate=rate, seed=seed, **spec)
    return [ask(tier).status_code for _ in range(requests)]


def predicted(seed: int, rate: float, requests: int = 16) -> list[int]:
    draws = random.Random(seed)
    return [503 if draws.random() < rate else 200 for _ in range(requests)]


def test_the_same_seed_hits_the_same_requests_as_its_own_random_generator() -> None:
    first, again = statuses_under(seed=3, rate=0.5), statuses_under(seed=3, rate=0.5)
    assert first == again == predicted(seed=3, rate=0.5)
    assert 200 in first and 503 in first, f"a rate of 0.5 hit all or none of 16 requests: {first}"


def test_another_seed_hits_other_requests() -> None:
    assert statuses_under(seed=1, rate=0.5) != statuses_under(seed=2, rate=0.5)


def test_a_rate_of_1_hits_every_request() -> None:
    assert statuses_under(seed=5, rate=1, requests=20) == [503] * 20


def test_a_missed_request_does_not_use_up_the_count() -> None:
    # seed 0 at rate 0.5 misses twice, then hits twice: a miss that counted would leave no hit at all
    assert predicted(seed=0, rate=0.5)[:4] == [200, 200, 503, 503]
    assert statuses_under(seed=0, rate=0.5, requests=8, count=2) == [200, 200, 503, 503, 200, 200, 200, 200]


def test_a_missed_request_falls_to_the_next_fault(tier: TestClient) -> None:
    arm(tier, kind="error", status=429, rate=0.5, seed=0)  # misses the first two requests
    arm(tier, kind="error", status=500)
    assert [ask(tier).status_code for _ in range(3)] == [500, 500, 429]


def test_the_fault_listing_shows_rate_and_seed(tier: TestClient) -> None:
    arm(tier, kind="error", status=503, rate=0.25)
    (listed,) = tier.get("/__mock/faults").json()["faults"]
    assert (listed["rate"], listed["seed"]) == (0.25, 0), "a rate without a seed replays as seed 0"


@pytest.mark.parametrize(
    ("spec", "label"),
    [
        ({"kind": "error", "status": 503, "rate": 1, "seed": 9}, "error(rate)"),
        ({"kind": "shape", "shape": "prose"}, "shape:prose"),
        ({"kind": "slow_body", "delay_s": 0}, "slow_body"),
        ({"kind": "think", "rate": 1}, "think(rate)"),
    ],
)
def test_the_journal_names_the_fault_that_applied(tier: TestClient, spec: dict, label: str) -> None:
    arm(tier, count=1, **spec)
    for _ in range(2):
        ask(tier)
    faults = [e["fault"] for e in tier.get("/__mock/journal").json()["entries"] if e["kind"] == "completion"]
    assert faults == [label, None]


def test_a_missed_request_is_journaled_without_a_fault(tier: TestClient) -> None:
    arm(tier, kind="error", status=503, rate=0.5, seed=0)  # misses, misses, hits
    for _ in range(3):
        ask(tier)
    faults = [e["fault"] for e in tier.get("/__mock/journal").json()["entries"] if e["kind"] == "completion"]
    assert faults == [None, None, "error(rate)"]


async def _hang_then_release() -> tuple[bool, BaseException | None, str]:
    import asyncio

    import httpx

    transport = httpx.ASGITransport(app=build_app("vllm"))
    async with httpx.AsyncClient(transport=transport, base_url="http://tier") as client:
        await client.post("/__mock/faults", json={"kind": "hang"})
        pending = asyncio.create_task(client.post("/v1/chat/completions", json=BODY))
        await asyncio.sleep(0.3)
        held = not pending.done()
        await client.delete("/__mock/faults")
        outcome = (await asyncio.gather(pending, return_exceptions=True))[0]
        journal = (await client.get("/__mock/journal")).json()["entries"]
        status = next(e["status"] for e in journal if e["kind"] == "completion")
    return held, outcome if isinstance(outcome, BaseException) else None, status


def test_a_hang_holds_the_request_until_the_faults_are_cleared_then_closes_it() -> None:
    import asyncio

    held, error, status = asyncio.run(_hang_then_release())
    assert held, "the hung request was answered before the faults were cleared"
    assert isinstance(error, MockReset), f"a released request must be closed without an answer, got {error!r}"
    assert status == "hung"
