"""The mock tiers speak their providers' real APIs (shapes as the official clients read them)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from fixtures.doubles.tiers.app import build_app

CLASSIFY = "Return JSON with title, correspondent, tags, document_type, document_date, language."
LETTER = "Rechnung Nr. 2024-117\nVon: Stadtwerke Musterstadt\nDatum: 14.03.2024\nBetrag 84,20 EUR"


def chat(model: str, stream: bool | None = None, system: str = CLASSIFY) -> dict:
    body = {
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": LETTER}],
    }
    return body if stream is None else body | {"stream": stream}


@pytest.fixture
def vllm() -> TestClient:
    return TestClient(build_app("vllm"))


@pytest.fixture
def ollama() -> TestClient:
    return TestClient(build_app("ollama"))


@pytest.fixture
def openai() -> TestClient:
    return TestClient(build_app("openai", api_key="sk-right"))


def test_vllm_lists_the_one_model_it_serves(vllm: TestClient) -> None:
    models = vllm.get("/v1/models").json()
    assert [m["id"] for m in models["data"]] == ["Qwen/Qwen2.5-7B-Instruct-AWQ"]
    assert models["data"][0]["owned_by"] == "vllm"


def test_vllm_answers_a_classification_prompt_with_bare_json_and_usage(vllm: TestClient) -> None:
    answer = vllm.post("/v1/chat/completions", json=chat("Qwen/Qwen2.5-7B-Instruct-AWQ")).json()
    classification = json.loads(answer["choices"][0]["message"]["content"])
    assert classification["correspondent"] == "Stadtwerke Musterstadt"
    assert classification["document_date"] == "2024-03-14"
    assert (
        answer["usage"]["total_tokens"]
        == answer["usage"]["prompt_tokens"] + answer["usage"]["completion_tokens"]
    )


def test_vllm_streams_server_sent_events_ending_with_done(vllm: TestClient) -> None:
    body = chat("Qwen/Qwen2.5-7B-Instruct-AWQ", stream=True) | {"stream_options": {"include_usage": True}}
    events = [line for line in vllm.post("/v1/chat/completions", json=body).text.split("\n\n") if line]
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "usage" in chunks[-1]
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert json.loads(content)["document_type"] == "Invoice"


def test_vllm_answers_404_in_its_own_envelope_for_an_unknown_model(vllm: TestClient) -> None:
    response = vllm.post("/v1/chat/completions", json=chat("llama"))
    assert response.status_code == 404
    assert response.json() == {
        "object": "error",
        "message": "The model `llama` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }


def test_vllm_health_is_200_with_an_empty_body(vllm: TestClient) -> None:
    response = vllm.get("/health")
    assert (response.status_code, response.content) == (200, b"")


def test_ollama_streams_ndjson_by_default_and_ends_with_done(ollama: TestClient) -> None:
    lines = [json.loads(line) for line in ollama.post("/api/chat", json=chat("qwen2.5:3b")).text.splitlines()]
    assert [line["done"] for line in lines] == [False] * (len(lines) - 1) + [True]
    assert lines[-1]["done_reason"] == "stop" and "eval_count" in lines[-1]


def test_ollama_fences_its_json_by_default_and_talks_around_it_only_when_told(ollama: TestClient) -> None:
    answer = ollama.post("/api/chat", json=chat("qwen2.5:3b", stream=False)).json()
    content = answer["message"]["content"]
    assert content.startswith("```json\n") and content.endswith("\n```")
    assert json.loads(content.split("```json\n")[1].split("\n```")[0])["language"] == "de"
    assert answer["done"] is True and answer["load_duration"] > 0

    ollama.post("/__mock/faults", json={"kind": "shape", "shape": "prose", "count": 1})
    chatty = ollama.post("/api/chat", json=chat("qwen2.5:3b", stream=False)).json()["message"]["content"]
    assert chatty.startswith("Here is") and "```json\n" in chatty and not chatty.endswith("```")


def test_ollama_generate_answers_in_response(ollama: TestClient) -> None:
    answer = ollama.post(
        "/api/generate", json={"model": "qwen2.5:3b", "prompt": "hi", "stream": False}
    ).json()
    assert "response" in answer and "message" not in answer


def test_ollama_answers_its_own_404_for_an_unknown_model(ollama: TestClient) -> None:
    response = ollama.post("/api/chat", json=chat("llama3", stream=False))
    assert response.status_code == 404
    assert response.json() == {"error": 'model "llama3" not found, try pulling it first'}


def test_ollama_describes_its_model(ollama: TestClient) -> None:
    assert ollama.get("/api/tags").json()["models"][0]["name"] == "qwen2.5:3b"
    assert ollama.post("/api/show", json={"model": "qwen2.5:3b"}).json()["details"]["family"] == "qwen2"
    assert ollama.get("/api/version").json()["version"]
    assert ollama.get("/api/ps").json()["models"][0]["name"] == "qwen2.5:3b"


def test_openai_refuses_a_wrong_key_with_its_401_body(openai: TestClient) -> None:
    response = openai.post(
        "/v1/chat/completions", json=chat("gpt-4o"), headers={"Authorization": "Bearer sk-x"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_openai_serves_gpt_4o_with_the_right_key(openai: TestClient) -> None:
    response = openai.post(
        "/v1/chat/completions", json=chat("gpt-4o"), headers={"Authorization": "Bearer sk-right"}
    )
    assert response.status_code == 200
    assert json.loads(response.json()["choices"][0]["message"]["content"])["title"] == "Rechnung Nr. 2024-117"


def test_a_non_classification_prompt_gets_plain_text(vllm: TestClient) -> None:
    answer = vllm.post(
        "/v1/chat/completions", json=chat("Qwen/Qwen2.5-7B-Instruct-AWQ", system="Be nice.")
    ).json()
    assert "vllm tier" in answer["choices"][0]["message"]["content"]


@pytest.mark.parametrize("path", ["/nope", "/v2/chat/completions", "/__mock/nope"])
def test_unknown_paths_answer_404_and_the_tier_keeps_serving(vllm: TestClient, path: str) -> None:
    assert vllm.get(path).status_code == 404
    assert vllm.get("/v1/models").status_code == 200


def test_a_body_that_is_not_json_is_a_400_not_a_crash(vllm: TestClient) -> None:
    response = vllm.post("/v1/chat/completions", content=b"{not json")
    assert response.status_code == 400 and response.json()["object"] == "error"
