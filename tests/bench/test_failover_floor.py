"""Benchmark (prints figures): why a failover in a batch of 5 sits above its floor.

NFR65's scaled_to_0 p95 in batches of 5 concurrent requests is 0.2-0.3 s here, while one request
alone fails over in ~0.05 s. The minimal reproduction: the same requests at concurrency 1, 2 and 5,
healthy (vLLM serves) and in Gaming Mode (vLLM refuses, Ollama serves), with LiteLLM's own
``x-litellm-response-duration-ms`` beside what the client saw. If the time grows with concurrency
for healthy requests as much as for failovers, it is LiteLLM's per-request processing queueing in
its one event loop on 2 cores, not the failover. Writes ``bench-failover-floor.json``.

Asserted, as ratios within the run: one failover alone costs at most 4x one healthy request alone
(the fastest of each; it is two attempts, measured 2.4-2.8x by p50), and LiteLLM's own duration
accounts for most of a batch-of-5 failover (so the remainder is not ours: the client and the mock
tiers).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from fixtures.failover import percentile
from fixtures.litellm.client import Gateway, Reply
from fixtures.litellm.config import FIRST_GROUP
from fixtures.plugin import require
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability, Stack

pytestmark = pytest.mark.bench

CONCURRENCY = (1, 2, 5)
ROUNDS = 8
ALONE_ROUNDS = 24  # one request at a time is cheap: more of them, so its fastest is undisturbed
PROMPT = "failover floor benchmark"


def _rounds(gateway: Gateway, concurrency: int) -> list[Reply]:
    replies: list[Reply] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(ALONE_ROUNDS if concurrency == 1 else ROUNDS):
            replies += pool.map(lambda _: gateway.chat(FIRST_GROUP, PROMPT), range(concurrency))
    return replies


def _figures(replies: list[Reply], served: list[str | None]) -> dict[str, float | int | list[str]]:
    latencies = [r.elapsed_s for r in replies]
    inside = [float(r.headers["x-litellm-response-duration-ms"]) / 1000 for r in replies
              if "x-litellm-response-duration-ms" in r.headers]  # fmt: skip
    return {
        "n": len(replies),
        "min_s": round(min(latencies), 5),  # the ratio below is taken on it: 1 ms rounding is ~5 %
        "p50_s": round(percentile(latencies, 50), 3),
        "p95_s": round(percentile(latencies, 95), 3),
        "litellm_p50_s": round(percentile(inside, 50), 3) if inside else -1,
        "litellm_p95_s": round(percentile(inside, 95), 3) if inside else -1,
        "served_by": sorted({str(s) for s in served}),
    }


def test_failover_above_its_floor_is_litellm_queueing_concurrent_requests_not_the_failover(
    stack: Stack, run_folder: RunFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    require(stack, Capability.DISRUPTION)
    gateway = stack.gateway
    figures: dict[str, dict[str, dict[str, float | int | list[str]]]] = {"healthy": {}, "gaming_mode": {}}
    for concurrency in CONCURRENCY:
        replies = _rounds(gateway, concurrency)
        figures["healthy"][str(concurrency)] = _figures(replies, [stack.served_by(r) for r in replies])
    with stack.gaming_mode():
        for concurrency in CONCURRENCY:
            replies = _rounds(gateway, concurrency)
            served = [stack.served_by(r) for r in replies]
            figures["gaming_mode"][str(concurrency)] = _figures(replies, served)
    run_folder.write_json("bench-failover-floor.json", figures)
    with capsys.disabled():
        print("\n[bench] concurrency | healthy p50/p95 (LiteLLM p95) | Gaming Mode p50/p95 (LiteLLM p95)")
        for c in map(str, CONCURRENCY):
            h, g = figures["healthy"][c], figures["gaming_mode"][c]
            print(f"[bench] {c:>11} | {h['p50_s']:.3f}/{h['p95_s']:.3f} s ({h['litellm_p95_s']:.3f}) "
                  f"| {g['p50_s']:.3f}/{g['p95_s']:.3f} s ({g['litellm_p95_s']:.3f})")  # fmt: skip

    wanted = {"healthy": ["vllm"], "gaming_mode": ["ollama"]}
    wrong = {
        (m, c): f["served_by"]
        for m, rows in figures.items()
        for c, f in rows.items()
        if f["served_by"] != wanted[m]
    }
    assert not wrong, f"requests served by the wrong tier (or failed): {wrong}"
    # A failover is two attempts (vLLM refused, then Ollama) and LiteLLM's fallback handling: a few
    # times a healthy request's work. Compared by the fastest of each, the least disturbed by whatever
    # else the machine does (the p50s ran into 4.3x once, with other work on the machine).
    alone_failover, alone_healthy = figures["gaming_mode"]["1"]["min_s"], figures["healthy"]["1"]["min_s"]
    assert alone_failover <= 4 * alone_healthy, (
        f"one failover alone costs {alone_failover} s (fastest of {ALONE_ROUNDS}) against {alone_healthy} s "
        "for a healthy request: the failover itself is slow, not the concurrency"
    )
    batch = figures["gaming_mode"]["5"]
    assert batch["litellm_p50_s"] >= 0.5 * batch["p50_s"], (
        f"in batches of 5, LiteLLM's own duration is under half of what the client saw: {batch}; the time "
        "is spent outside LiteLLM (client, connection set-up, the tiers)"
    )
