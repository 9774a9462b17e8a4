"""The figures NFR65 is judged by: nearest-rank percentiles, and where a failover's time goes."""

from __future__ import annotations

from fixtures.failover import Sample, decompose, percentile, summarize


def test_p95_of_twenty_is_the_nineteenth_smallest_so_two_slow_samples_fail_it() -> None:
    values = [0.1] * 18 + [6.0, 7.0]
    assert percentile(values, 95) == 6.0 and percentile(values, 50) == 0.1
    assert percentile([0.1] * 19 + [9.0], 95) == 0.1


def test_the_first_batch_is_told_from_the_later_ones_and_litellm_time_from_the_rest() -> None:
    samples = [Sample(1.3, 200, "ollama", 0, 1250.0, 40.0)] * 5 + [
        Sample(0.05, 200, "ollama", 1, 45.0, 30.0)
    ] * 15

    found = decompose(samples)

    assert found["first_batch_p95_s"] == 1.3 and found["later_batches_p95_s"] == 0.05
    assert found["litellm_response_p95_ms"] == 1250.0 and found["litellm_overhead_p95_ms"] == 40.0
    assert found["outside_litellm_p95_ms"] == 50.0  # 1300 ms seen by the client, 1250 ms inside LiteLLM


def test_without_litellm_headers_the_decomposition_says_none_rather_than_zero() -> None:
    summary = summarize([Sample(0.2, 200, "ollama")] * 3)
    assert summary["decomposition"]["litellm_response_p95_ms"] is None
    assert summary["served_by"] == {"ollama": 3} and summary["p95_s"] == 0.2


class _Reply:
    def __init__(self, elapsed_s: float) -> None:
        self.elapsed_s, self.status = elapsed_s, 200
        self.headers = {"x-litellm-response-duration-ms": "12.5"}


class _Gateway:
    """Answers with the latencies it is given, in order (a slow tail where a test wants one)."""

    def __init__(self, latencies: list[float]) -> None:
        self.latencies, self.caps = list(latencies), []

    def chat(self, group: str, prompt: str, timeout: float) -> _Reply:
        self.caps.append(timeout)
        return _Reply(self.latencies.pop(0))


class _Stack:
    def served_by(self, reply: object) -> str:
        return "ollama"


def test_measure_takes_every_sample_in_batches_and_caps_each_request_at_twice_the_budget() -> None:
    from fixtures.failover import measure

    gateway = _Gateway([0.1] * 20)

    samples = measure(_Stack(), gateway, "vllm-qwen", n=20, batch=5, budget_s=5.0)  # type: ignore[arg-type]

    assert len(samples) == 20 and {s.batch for s in samples} == {0, 1, 2, 3}
    assert set(gateway.caps) == {10.0} and all(
        s.served_by == "ollama" and s.litellm_ms == 12.5 for s in samples
    )


def test_measure_stops_once_p95_under_the_budget_is_out_of_reach() -> None:
    from fixtures.failover import measure

    gateway = _Gateway([6.0] * 20)  # every request over the 5 s budget: 2 over already decides it

    samples = measure(_Stack(), gateway, "vllm-qwen", n=20, batch=5, budget_s=5.0)  # type: ignore[arg-type]

    assert len(samples) == 5 and percentile([s.latency_s for s in samples], 95) > 5.0
