"""Benchmarks (print figures): the mock tiers must never dominate a measurement.

Per tier: p50/p99 latency of sequential requests and requests/s with concurrent clients, on
loopback. LiteLLM: its own overhead, p50/p95 of (latency through LiteLLM - direct latency to the
vLLM tier), measured in interleaved pairs so both see the same machine load. Targets: >= 500 req/s
and p50 < 5 ms per tier; and a ratio within the run: a tier's p50 is below LiteLLM's overhead p50.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from fixtures.failover import percentile
from fixtures.litellm.config import FIRST_GROUP
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Stack

pytestmark = pytest.mark.bench

SEQUENTIAL = 300
THROUGHPUT_S = 2.0
CONCURRENCY = 16
PAIRS = 100


def _body(model: str) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "benchmark"}], "stream": False}


def _sequential(url: str, body: dict, headers: dict[str, str]) -> list[float]:
    latencies = []
    with httpx.Client(trust_env=False, timeout=10) as client:
        for _ in range(SEQUENTIAL):
            started = time.perf_counter()
            client.post(url, json=body, headers=headers).raise_for_status()
            latencies.append(time.perf_counter() - started)
    return latencies


async def _throughput(url: str, body: dict, headers: dict[str, str]) -> tuple[float, int]:
    """Requests/s over keep-alive connections, with a lean client: httpx itself tops out near
    550 req/s on one core, which would measure the client, not the tier."""
    parts = httpx.URL(url)
    payload = json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (
        f"POST {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}\r\n{head}"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    done = 0
    deadline = time.perf_counter() + THROUGHPUT_S

    async def connection() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                status = await reader.readline()
                assert b" 200 " in status, status
                length = 0
                while (line := await reader.readline()) != b"\r\n":
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                done += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
    return done / (time.perf_counter() - started), done


def test_mock_tiers_answer_fast_enough_never_to_dominate_a_measurement(
    stack: Stack, run_folder: RunFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = {}
    for name in stack.tier_names:
        tier = stack.tier(name)
        model = stack.config.require(stack.config.chain[stack.tier_names.index(name)]).served_model
        path = "/api/chat" if name == "ollama" else "/v1/chat/completions"
        headers = {"Authorization": f"Bearer {stack.openai_key}"} if name == "openai" else {}  # type: ignore[attr-defined]
        latencies = _sequential(tier.url + path, _body(model), headers)
        before = max((e["seq"] for e in tier.journal()), default=0)
        rate, done = asyncio.run(_throughput(tier.url + path, _body(model), headers))
        # the tier's own journal must have seen every request the client counted
        seen = max(e["seq"] for e in tier.journal()) - before
        assert seen >= done, f"{name}: the client counted {done} answers, the tier journalled {seen}"
        figures[name] = {
            "p50_ms": round(percentile(latencies, 50) * 1000, 3),
            "p99_ms": round(percentile(latencies, 99) * 1000, 3),
            "requests_per_s": round(rate, 1),
        }
    run_folder.write_json("bench-tiers.json", figures)
    with capsys.disabled():
        for name, row in figures.items():
            print(f"\n[bench] {name:6s} tier: p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, "
                  f"{row['requests_per_s']:.0f} req/s with {CONCURRENCY} concurrent clients")  # fmt: skip
    slow = {name: row for name, row in figures.items() if row["p50_ms"] >= 5 or row["requests_per_s"] < 500}
    assert not slow, f"mock tiers below target (p50 < 5 ms, >= 500 req/s): {slow}"


def test_litellm_overhead_is_measured_against_the_direct_tier_latency(
    stack: Stack, run_folder: RunFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    vllm = stack.tier("vllm")
    model = stack.config.require(FIRST_GROUP).served_model
    direct_url = f"{vllm.url}/v1/chat/completions"
    gateway_url = f"{stack.gateway.v1}/chat/completions"
    key = {"Authorization": f"Bearer {stack.gateway.key}"}
    direct, through = [], []
    with httpx.Client(trust_env=False, timeout=10) as client:
        for _ in range(PAIRS):  # interleaved pairs: both sides see the same machine load
            started = time.perf_counter()
            client.post(direct_url, json=_body(model)).raise_for_status()
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.post(gateway_url, json=_body(FIRST_GROUP), headers=key).raise_for_status()
            through.append(time.perf_counter() - started)
    overhead = [t - d for t, d in zip(through, direct, strict=True)]
    figures = {
        "direct_p50_ms": round(percentile(direct, 50) * 1000, 3),
        "litellm_p50_ms": round(percentile(through, 50) * 1000, 3),
        "overhead_p50_ms": round(percentile(overhead, 50) * 1000, 3),
        "overhead_p95_ms": round(percentile(overhead, 95) * 1000, 3),
        "ratio_litellm_to_direct_p50": round(percentile(through, 50) / percentile(direct, 50), 1),
    }
    run_folder.write_json("bench-litellm.json", figures)
    with capsys.disabled():
        print(f"\n[bench] LiteLLM overhead: p50 {figures['overhead_p50_ms']:.2f} ms, "
              f"p95 {figures['overhead_p95_ms']:.2f} ms (direct p50 {figures['direct_p50_ms']:.2f} ms, "
              f"x{figures['ratio_litellm_to_direct_p50']} through LiteLLM)")  # fmt: skip
    assert figures["direct_p50_ms"] < figures["overhead_p50_ms"], f"the mock tier dominates: {figures}"
