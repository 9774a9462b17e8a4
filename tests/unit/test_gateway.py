"""How the gateway client reads LiteLLM's answers: what a verdict is built on."""

from __future__ import annotations

import json

import httpx
import pytest

from fixtures.litellm.client import Gateway

HEADERS = {"x-litellm-model-id": "ollama-1", "x-litellm-model-group": "ollama-qwen"}


def _gateway(handler: httpx.MockTransport) -> Gateway:
    gateway = Gateway("http://127.0.0.1:1", "sk-test")
    gateway._client = httpx.Client(transport=handler)
    return gateway


def _sse(*events: dict[str, object], done: bool = True) -> bytes:
    lines = [f"data: {json.dumps(e)}\n\n" for e in events] + (["data: [DONE]\n\n"] if done else [])
    return "".join(lines).encode()


def _chunk(text: str) -> dict[str, object]:
    return {"choices": [{"delta": {"content": text}}]}


def test_a_plain_answer_gives_content_and_the_serving_deployment_and_never_records_the_key() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer sk-test"
        return httpx.Response(200, json={"choices": [{"message": {"content": "hi"}}]}, headers=HEADERS)

    gateway = _gateway(httpx.MockTransport(answer))
    reply = gateway.chat("vllm-qwen", "hello")

    assert (reply.status, reply.content, reply.error, reply.model_id) == (200, "hi", None, "ollama-1")
    assert "sk-test" not in json.dumps(list(gateway.exchanges))


def test_an_error_answer_keeps_litellms_message_as_the_error() -> None:
    body = {"error": {"message": "No deployments available for vllm-qwen", "code": "503"}}
    gateway = _gateway(httpx.MockTransport(lambda _: httpx.Response(503, json=body)))

    reply = gateway.chat("vllm-qwen")

    assert reply.status == 503 and reply.content is None
    assert reply.error is not None and "No deployments available" in reply.error


def test_a_stream_is_joined_and_its_chunks_counted() -> None:
    stream = _sse(_chunk("Hel"), _chunk("lo"))
    gateway = _gateway(httpx.MockTransport(lambda _: httpx.Response(200, content=stream, headers=HEADERS)))

    reply = gateway.chat("vllm-qwen", stream=True)

    assert (reply.content, reply.chunks, reply.error) == ("Hello", 2, None)


def test_a_stream_without_its_done_event_is_an_incomplete_answer_not_a_success() -> None:
    stream = _sse(_chunk("Hel"), done=False)
    gateway = _gateway(httpx.MockTransport(lambda _: httpx.Response(200, content=stream, headers=HEADERS)))

    reply = gateway.chat("vllm-qwen", stream=True)

    assert reply.status == 200 and reply.content == "Hel"
    assert reply.error is not None and "cut short" in reply.error


@pytest.mark.parametrize(
    ("failure", "said"),
    [(httpx.ReadTimeout("slow"), "no answer within"), (httpx.ConnectError("refused"), "connection failed")],
)
def test_no_http_answer_is_status_0_with_the_reason(failure: Exception, said: str) -> None:
    def fail(_: httpx.Request) -> httpx.Response:
        raise failure

    reply = _gateway(httpx.MockTransport(fail)).chat("vllm-qwen", timeout=1)

    assert reply.status == 0 and reply.error is not None and said in reply.error
