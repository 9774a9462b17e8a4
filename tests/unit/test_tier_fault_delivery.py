"""Faults that live on the wire (``cut``, ``slow_body``, ``slow``), seen by a client of a real server.

An in-process client (TestClient, httpx's ASGITransport) hands over an answer only once the app is
done with it: when bytes arrive and whether the connection closed early is only seen over a socket.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from fixtures.core.wait import wait_for
from fixtures.doubles.tiers.app import build_app

CLASSIFY = "Return JSON with title, correspondent, tags, document_type."
MODELS = {"vllm": "Qwen/Qwen2.5-7B-Instruct-AWQ", "ollama": "qwen2.5:3b"}
DELAY_S = 2.0  # long beside a loopback round trip, even on a busy machine
CLOCK_SLACK_S = 0.01  # asyncio may wake a sleeper up to its clock's resolution early


@dataclass(frozen=True)
class Way:
    """One way to ask a tier: its flavour, path, whether streamed, how its answer begins."""

    flavour: str
    path: str
    stream: bool
    begins: bytes

    def body(self) -> dict[str, object]:
        messages = [{"role": "system", "content": CLASSIFY}, {"role": "user", "content": "Invoice 7"}]
        return {"model": MODELS[self.flavour], "messages": messages, "stream": self.stream}


WAYS = [
    Way("vllm", "/v1/chat/completions", True, b'data: {"id": "chatcmpl-'),
    Way("vllm", "/v1/chat/completions", False, b'{"id":"chatcmpl-'),
    Way("ollama", "/api/chat", True, b'{"model": "qwen2.5:3b", '),
    Way("ollama", "/api/chat", False, b'{"model":"qwen2.5:3b",'),
]
WAY_IDS = ["openai sse", "openai json", "ollama ndjson", "ollama json"]


@contextmanager
def _served(flavour: str) -> Iterator[httpx.Client]:
    """A tier on a loopback port of its own, served from a thread, and a client of it."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build_app(flavour), log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, timeout=10, what=f"the {flavour} tier listening on port {port}")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)
        listening.close()


@pytest.fixture(scope="module")
def tiers() -> Iterator[dict[str, httpx.Client]]:
    with ExitStack() as stack:
        yield {flavour: stack.enter_context(_served(flavour)) for flavour in MODELS}


@pytest.fixture(autouse=True)
def _clean(tiers: dict[str, httpx.Client]) -> Iterator[None]:
    yield
    for client in tiers.values():
        client.delete("/__mock/faults")
        client.delete("/__mock/journal")


def arm(client: httpx.Client, **spec: object) -> None:
    response = client.post("/__mock/faults", json=spec)
    assert response.status_code == 201, response.text


def read(client: httpx.Client, way: Way) -> tuple[httpx.Response, bytes, Exception | None]:
    """The answer's head, the body bytes that arrived, and how the read ended (None: whole)."""
    received = b""
    with client.stream("POST", way.path, json=way.body()) as response:
        try:
            for chunk in response.iter_raw():
                received += chunk
        except httpx.RemoteProtocolError as exc:
            return response, received, exc
    return response, received, None


def ends_whole(way: Way, body: bytes) -> bool:
    """Whether ``body`` is a whole answer: a JSON document, or a stream up to its last event."""
    if not way.stream:
        return json.loads(body)["model"] == MODELS[way.flavour]
    last = body.strip().split(b"\n")[-1]
    return last == b"data: [DONE]" if way.flavour == "vllm" else json.loads(last)["done"] is True


@pytest.mark.parametrize("after", [0, 37])
@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_a_cut_sends_exactly_its_bytes_then_closes_the_connection(
    tiers: dict[str, httpx.Client], way: Way, after: int
) -> None:
    tier = tiers[way.flavour]
    arm(tier, kind="cut", after_bytes=after, count=1)
    response, received, broken = read(tier, way)

    assert response.status_code == 200
    assert isinstance(broken, httpx.RemoteProtocolError), "the client read a complete answer"
    assert len(received) == after, f"{len(received)} bytes of the body arrived, not {after}"
    assert received.startswith(way.begins[:after]), f"not the beginning of the answer: {received!r}"
    if not way.stream:
        assert int(response.headers["content-length"]) > after, "the cut answer promised no more"
    (entry,) = [e for e in tier.get("/__mock/journal").json()["entries"] if e["kind"] == "completion"]
    assert (entry["fault"], entry["status"]) == (f"cut:{after}", "reset")


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_a_cut_past_the_end_sends_the_whole_body_and_still_leaves_its_end_missing(
    tiers: dict[str, httpx.Client], way: Way
) -> None:
    tier = tiers[way.flavour]
    arm(tier, kind="cut", after_bytes=1_000_000, count=1)
    _, received, broken = read(tier, way)

    assert isinstance(broken, httpx.RemoteProtocolError), "the client read a complete answer"
    assert ends_whole(way, received)


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_a_slow_body_sends_the_first_part_at_once_and_the_rest_after_its_delay(
    tiers: dict[str, httpx.Client], way: Way
) -> None:
    tier = tiers[way.flavour]
    arm(tier, kind="slow_body", delay_s=DELAY_S, count=1)
    started = time.monotonic()
    with tier.stream("POST", way.path, json=way.body()) as response:
        chunks = response.iter_raw()
        first = next(chunks)
        first_at = time.monotonic() - started
        rest = b"".join(chunks)
    total = time.monotonic() - started

    assert first_at < DELAY_S, f"the first bytes waited {first_at:.2f} s, as long as the body's delay"
    assert total >= DELAY_S - CLOCK_SLACK_S, f"the whole answer took {total:.2f} s, under its delay"
    assert first.startswith(way.begins) and rest, "the answer came in one piece"
    assert ends_whole(way, first + rest)


def test_a_slow_fault_holds_back_the_first_byte_itself(tiers: dict[str, httpx.Client]) -> None:
    way = WAYS[0]
    tier = tiers[way.flavour]
    arm(tier, kind="slow", delay_s=DELAY_S, count=1)
    started = time.monotonic()
    with tier.stream("POST", way.path, json=way.body()) as response:
        next(response.iter_raw())
        first_at = time.monotonic() - started

    assert first_at >= DELAY_S - CLOCK_SLACK_S, f"the first bytes came after {first_at:.2f} s"
