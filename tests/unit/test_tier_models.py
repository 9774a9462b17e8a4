"""The mock tiers serve the names they are started with, match them as their provider does, and
measure prompts against the context window (vLLM's 400, Ollama's journal note)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from fixtures.doubles.tiers import context
from fixtures.doubles.tiers.__main__ import parse
from fixtures.doubles.tiers.app import build_app

SYSTEM = "Return JSON with title, correspondent, tags, document_type, document_date, language."
KEY = {"Authorization": "Bearer sk-right"}


def chat(model: str, user: str = "Rechnung Nr. 7\nVon: Stadtwerke", **extra: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    return {"model": model, "messages": messages, "stream": False, **extra}


def journal(client: TestClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/__mock/journal").json()["entries"]
    return [e for e in entries if e["kind"] == "completion"]


# --- served names ----------------------------------------------------------------------------------


def test_openai_serves_every_name_given_and_answers_with_the_one_asked_for() -> None:
    tier = TestClient(build_app("openai", api_key="sk-right", models=("gpt-4o-mini", "gpt-4.1")))
    assert [m["id"] for m in tier.get("/v1/models", headers=KEY).json()["data"]] == ["gpt-4o-mini", "gpt-4.1"]
    for name in ("gpt-4o-mini", "gpt-4.1"):
        answer = tier.post("/v1/chat/completions", json=chat(name), headers=KEY)
        assert (answer.status_code, answer.json()["model"]) == (200, name)


def test_openai_answers_its_404_for_its_old_default_once_given_other_names() -> None:
    tier = TestClient(build_app("openai", api_key="sk-right", models=("gpt-4o-mini",)))
    response = tier.post("/v1/chat/completions", json=chat("gpt-4o"), headers=KEY)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": "The model `gpt-4o` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }


def test_vllm_serves_its_one_name_and_shows_it_on_its_card() -> None:
    tier = TestClient(build_app("vllm", models=("Qwen/Qwen3-8B-AWQ",), max_model_len=8192))
    card = tier.get("/v1/models").json()["data"]
    assert [(c["id"], c["root"], c["max_model_len"]) for c in card] == [("Qwen/Qwen3-8B-AWQ",) * 2 + (8192,)]
    answer = tier.post("/v1/chat/completions", json=chat("Qwen/Qwen3-8B-AWQ")).json()
    assert answer["model"] == "Qwen/Qwen3-8B-AWQ"


@pytest.mark.parametrize("asked", ["Qwen/Qwen2.5-7B-Instruct-AWQ", "qwen/qwen3-8b-awq", "Qwen3-8B-AWQ"])
def test_vllm_matches_its_name_exactly_and_answers_404_in_its_envelope(asked: str) -> None:
    tier = TestClient(build_app("vllm", models=("Qwen/Qwen3-8B-AWQ",)))
    response = tier.post("/v1/chat/completions", json=chat(asked))
    assert response.status_code == 404
    assert response.json() == {
        "object": "error",
        "message": f"The model `{asked}` does not exist.",
        "type": "NotFoundError",
        "param": None,
        "code": 404,
    }
    assert journal(tier)[-1]["status"] == 404


def test_vllm_refuses_two_names() -> None:
    with pytest.raises(ValueError, match="exactly one model name"):
        build_app("vllm", models=("Qwen/Qwen3-8B-AWQ", "qwen3"))


def test_no_models_given_keeps_each_flavours_default() -> None:
    assert TestClient(build_app("vllm")).get("/__mock/info").json()["models"] == [
        "Qwen/Qwen2.5-7B-Instruct-AWQ"
    ]
    assert TestClient(build_app("ollama")).get("/api/tags").json()["models"][0]["name"] == "qwen2.5:3b"


@pytest.fixture
def ollama() -> TestClient:
    return TestClient(build_app("ollama", models=("phi4-mini", "qwen2.5:3b")))


def test_ollama_lists_its_models_with_their_tags(ollama: TestClient) -> None:
    assert [m["name"] for m in ollama.get("/api/tags").json()["models"]] == ["phi4-mini:latest", "qwen2.5:3b"]
    assert [m["id"] for m in ollama.get("/v1/models").json()["data"]] == ["phi4-mini:latest", "qwen2.5:3b"]
    assert [m["model"] for m in ollama.get("/api/ps").json()["models"]] == ["phi4-mini:latest", "qwen2.5:3b"]


@pytest.mark.parametrize(
    "asked",
    ["phi4-mini", "phi4-mini:latest", "library/phi4-mini", "registry.ollama.ai/library/phi4-mini:latest"],
)
@pytest.mark.parametrize("path", ["/api/chat", "/v1/chat/completions"])
def test_ollama_takes_a_name_without_its_tag_as_latest(ollama: TestClient, asked: str, path: str) -> None:
    response = ollama.post(path, json=chat(asked))
    assert response.status_code == 200
    assert response.json()["model"] == asked  # Ollama answers with the name as it was asked
    assert journal(ollama)[-1]["extra"]["served"] == "phi4-mini"
    assert ollama.post("/api/show", json={"model": asked}).status_code == 200


def test_ollama_takes_the_latest_tag_of_a_model_given_with_it() -> None:
    tier = TestClient(build_app("ollama", models=("phi4-mini:latest",)))
    assert (
        tier.post("/api/generate", json={"model": "phi4-mini", "prompt": "hi", "stream": False}).status_code
        == 200
    )


@pytest.mark.parametrize("asked", ["phi4-mini:3.8b", "qwen2.5", "qwen2.5:latest", "phi4", "other/phi4-mini"])
def test_ollama_answers_its_404_for_any_other_name_or_tag(ollama: TestClient, asked: str) -> None:
    response = ollama.post("/api/chat", json=chat(asked))
    assert response.status_code == 404
    assert response.json() == {"error": f'model "{asked}" not found, try pulling it first'}
    assert ollama.post("/api/show", json={"model": asked}).status_code == 404


# --- vLLM's context window ---------------------------------------------------------------------------


def _prompt_of(tokens: int) -> str:
    """A user message that brings the ``chat`` prompt to exactly ``tokens`` by the mock's estimate."""
    fixed = context.prompt_tokens(chat("m", user=""))
    return "x" * (context.CHARS_PER_TOKEN * (tokens - fixed))


@pytest.fixture
def vllm() -> TestClient:
    return TestClient(build_app("vllm", models=("Qwen/Qwen3-8B-AWQ",), max_model_len=1000))


def test_vllm_refuses_a_prompt_past_its_window_with_its_own_400(vllm: TestClient) -> None:
    body = chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(801), max_tokens=200)
    for stream in (False, True):  # refused before any stream starts
        response = vllm.post("/v1/chat/completions", json=body | {"stream": stream})
        assert response.status_code == 400
        assert response.json() == {
            "object": "error",
            "message": "This model's maximum context length is 1000 tokens. However, you requested 1001 "
            "tokens (801 in the messages, 200 in the completion). Please reduce the length of the "
            "messages or completion.",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        }
    entry = journal(vllm)[-1]
    assert (entry["status"], entry["extra"]["prompt_tokens_estimate"], entry["fault"]) == (400, 801, None)


def test_vllm_answers_a_prompt_that_just_fits(vllm: TestClient) -> None:
    body = chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(800), max_tokens=200)
    assert vllm.post("/v1/chat/completions", json=body).status_code == 200
    assert journal(vllm)[-1]["extra"]["prompt_tokens_estimate"] == 800


def test_vllm_counts_max_completion_tokens_before_max_tokens(vllm: TestClient) -> None:
    body = chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(800), max_tokens=100, max_completion_tokens=201)
    assert "(800 in the messages, 201 in the completion)" in vllm.post("/v1/chat/completions", json=body).text


def test_vllm_without_a_completion_share_needs_one_token_of_room(vllm: TestClient) -> None:
    assert (
        vllm.post("/v1/chat/completions", json=chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(999))).status_code
        == 200
    )
    response = vllm.post("/v1/chat/completions", json=chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(1000)))
    assert response.status_code == 400
    assert response.json()["message"] == (
        "This model's maximum context length is 1000 tokens. However, you requested 1000 tokens in the "
        "messages, Please reduce the length of the messages."
    )


def test_a_refused_prompt_takes_no_fault(vllm: TestClient) -> None:
    vllm.post("/__mock/faults", json={"kind": "error", "status": 503, "count": 1})
    too_long = chat("Qwen/Qwen3-8B-AWQ", user=_prompt_of(990), max_tokens=100)
    assert vllm.post("/v1/chat/completions", json=too_long).status_code == 400
    assert vllm.post("/v1/chat/completions", json=chat("Qwen/Qwen3-8B-AWQ")).status_code == 503


def test_vllm_without_max_model_len_refuses_no_length() -> None:
    tier = TestClient(build_app("vllm"))
    body = chat("Qwen/Qwen2.5-7B-Instruct-AWQ", user="x" * 300_000, max_tokens=100_000)
    assert tier.post("/v1/chat/completions", json=body).status_code == 200


def test_the_estimate_errs_high_on_digits_and_template() -> None:
    assert context.text_tokens("2024-117") == 7 + 1  # seven digits one each, the dash a token of its own
    assert context.text_tokens("abcdef") == 2
    assert len(SYSTEM) == 84  # no digits: 28 tokens, plus two messages' template and the reply's header
    assert (
        context.prompt_tokens(chat("m", user="")) == 2 * context.MESSAGE_OVERHEAD + 28 + context.REPLY_HEADER
    )


# --- Ollama's context window ----------------------------------------------------------------------------


def test_ollama_notes_a_prompt_past_num_ctx_and_still_answers() -> None:
    tier = TestClient(build_app("ollama", models=("phi4-mini",), num_ctx=500))
    assert tier.post("/api/chat", json=chat("phi4-mini", user=_prompt_of(500))).status_code == 200
    assert tier.post("/api/chat", json=chat("phi4-mini", user=_prompt_of(501))).status_code == 200
    fits, over = journal(tier)
    assert (fits["extra"]["over_context"], fits["extra"]["prompt_tokens_estimate"]) == (False, 500)
    assert (over["extra"]["over_context"], over["extra"]["num_ctx"]) == (True, 500)


def test_ollama_measures_against_the_requests_num_ctx_on_its_native_api_only() -> None:
    tier = TestClient(build_app("ollama", models=("phi4-mini",)))
    long = chat("phi4-mini", user=_prompt_of(5000), options={"num_ctx": 8192})
    tier.post("/api/chat", json=long)
    tier.post("/v1/chat/completions", json=long)  # Ollama's OpenAI API has no num_ctx: the default holds
    native, compatible = journal(tier)
    assert (native["extra"]["num_ctx"], native["extra"]["over_context"]) == (8192, False)
    assert (compatible["extra"]["num_ctx"], compatible["extra"]["over_context"]) == (
        context.OLLAMA_NUM_CTX,
        True,
    )


# --- the command line ---------------------------------------------------------------------------------


def test_the_cli_takes_repeated_models_and_defaults_to_none_given() -> None:
    args = parse(
        ["ollama", "--port", "1", "--model", "phi4-mini", "--model", "qwen2.5:3b", "--num-ctx", "8192"]
    )
    assert (args.models, args.num_ctx, args.max_model_len) == (["phi4-mini", "qwen2.5:3b"], 8192, None)
    assert parse(["vllm", "--port", "1"]).models == []


@pytest.mark.parametrize(
    "argv",
    [
        ["vllm", "--port", "1", "--model", "Qwen/Qwen3-8B-AWQ", "--model", "qwen3"],
        ["ollama", "--port", "1", "--max-model-len", "8192"],
        ["vllm", "--port", "1", "--num-ctx", "4096"],
        ["vllm", "--port", "1", "--max-model-len", "0"],
        ["ollama", "--port", "1", "--model", "phi4-mini:"],
    ],
    ids=["two vllm models", "max-model-len on ollama", "num-ctx on vllm", "a window of 0", "an empty tag"],
)
def test_the_cli_refuses_what_the_flavour_does_not_have(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(argv)
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_a_generate_prompt_in_litellms_ollama_template_is_read_as_system_and_user_turns() -> None:
    from fixtures.doubles.tiers.app import _split

    prompt = "### System:\nClassify it.\nAnswer JSON.\n\n### User:\nRechnung\n\nBetrag 39,95 EUR\n\n"

    assert _split({"prompt": prompt}, True) == ("Classify it.\nAnswer JSON.", "Rechnung\n\nBetrag 39,95 EUR")
    assert _split({"prompt": "just text"}, True) == ("", "just text")
    assert _split({"system": "S", "prompt": "### User:\nx\n\n"}, True) == ("S", "### User:\nx\n\n")
