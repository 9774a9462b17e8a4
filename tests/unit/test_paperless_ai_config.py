"""Paperless-AI's two configuration views, drift detection and rendering for the local stack."""

from __future__ import annotations

from fixtures.paperless_ai.config import (
    disagreements,
    effective,
    fingerprint,
    format_dotenv,
    parse_dotenv,
    rag_only_keys,
    render_paperless_ai_env,
    unread_keys,
)

CONFIGMAP = {"AI_PROVIDER": "custom", "CUSTOM_BASE_URL": "http://litellm.ml.svc.cluster.local:4000/v1",
             "CUSTOM_MODEL": "vllm-qwen", "CUSTOM_API_KEY": "sk-secret-value"}  # fmt: skip


def test_the_environment_wins_for_classification_and_the_file_alone_feeds_the_setup_check() -> None:
    view = effective(
        {"AI_PROVIDER": "custom", "UNRELATED": "x"}, {"AI_PROVIDER": "ollama", "OLLAMA_MODEL": "m"}
    )

    assert view.provider == "custom" and view.classification["OLLAMA_MODEL"] == "m"
    assert view.checked_provider == "ollama" and "UNRELATED" not in view.classification


def test_a_file_without_ai_provider_is_checked_as_openai() -> None:
    assert effective(CONFIGMAP, {"PAPERLESS_API_URL": "http://x/api"}).checked_provider == "openai"


def test_llm_model_is_named_as_a_key_paperless_ai_never_reads() -> None:
    (drift,) = unread_keys({**CONFIGMAP, "LLM_MODEL": "qwen"})

    assert drift.key == "LLM_MODEL" and "CUSTOM_MODEL" in drift.problem


def test_content_max_length_the_external_api_keys_and_process_only_new_documents_are_read() -> None:
    external = ("ENABLED", "URL", "METHOD", "HEADERS", "BODY", "TIMEOUT", "TRANSFORM")
    read = ["CONTENT_MAX_LENGTH", "PROCESS_ONLY_NEW_DOCUMENTS"] + [f"EXTERNAL_API_{p}" for p in external]

    assert unread_keys({key: "x" for key in read}) == []


# 3.0.9's env table: the RAG service reads these as fallbacks, so they are RAG-only now, not "never read".
def test_the_rag_services_fallback_names_are_read_only_by_the_rag_service_not_unread() -> None:
    keys = {"PAPERLESS_URL": "http://p", "PAPERLESS_TOKEN": "t"}

    assert unread_keys(keys) == []
    assert [(d.key, "RAG service" in d.problem) for d in rag_only_keys(keys)] == [
        ("PAPERLESS_TOKEN", True),
        ("PAPERLESS_URL", True),
    ]
    assert rag_only_keys({"CUSTOM_MODEL": "m", "LLM_MODEL": "m"}) == []  # the app's own, and an unread one


def test_a_stale_file_is_reported_per_key_without_leaking_the_secret() -> None:
    stale = {"AI_PROVIDER": "ollama", "CUSTOM_API_KEY": "sk-old-value", "PAPERLESS_API_URL": "http://p/api"}

    found = {d.key: d.problem for d in disagreements(CONFIGMAP, stale)}

    assert set(found) == {"AI_PROVIDER", "CUSTOM_BASE_URL", "CUSTOM_MODEL", "CUSTOM_API_KEY"}
    assert "'custom'" in found["AI_PROVIDER"] and "'ollama'" in found["AI_PROVIDER"]
    assert (
        "sk-secret-value" not in found["CUSTOM_API_KEY"]
        and fingerprint("sk-old-value") in found["CUSTOM_API_KEY"]
    )


def test_a_missing_file_is_drift_too() -> None:
    (drift,) = disagreements(CONFIGMAP, None)

    assert drift.key == "data/.env" and "not configured" in drift.problem


def test_an_agreeing_file_has_no_drift() -> None:
    assert disagreements(CONFIGMAP, dict(CONFIGMAP)) == []


def test_render_maps_known_services_to_loopback_and_records_every_change() -> None:
    values, changes = render_paperless_ai_env(CONFIGMAP, {"litellm.ml.svc.cluster.local:4000": "http://127.0.0.1:5555"},
                             {"PAPERLESS_API_TOKEN": "tok"})  # fmt: skip

    assert values["CUSTOM_BASE_URL"] == "http://127.0.0.1:5555/v1" and values["PAPERLESS_API_TOKEN"] == "tok"
    assert {c.key for c in changes} == {"CUSTOM_BASE_URL", "PAPERLESS_API_TOKEN"}
    assert all(c.after != "tok" for c in changes), "a secret value must never be recorded"


def test_dotenv_round_trips_and_reads_quotes_and_comments() -> None:
    text = '# written by setup\nA=1\nexport B="two words"\nC=x # note\n\nD\n'

    assert parse_dotenv(text) == {"A": "1", "B": "two words", "C": "x"}
    assert parse_dotenv(format_dotenv({"A": "1", "B": "b"})) == {"A": "1", "B": "b"}
