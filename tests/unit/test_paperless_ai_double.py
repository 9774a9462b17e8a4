"""The Paperless-AI contract double reproduces contracts/paperless-ai.md: requests, parsing, write-back.

The double runs in-process against the Paperless-ngx double and a mock tier, both served through one
ASGI transport (a port picks the app), so every rule is checked on real HTTP exchanges, quickly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from fixtures.corpus import load
from fixtures.paperless_ai.config import format_dotenv
from fixtures.paperless_ai.double import AnalysisError, build_app, parse_answer
from fixtures.paperless_ngx.app import build_app as build_ngx
from fixtures.paperless_ngx.store import Store, now_iso
from fixtures.tiers.app import build_app as build_tier

NGX_PORT, TIER_PORT = 18000, 18001
TOKEN, API_KEY = "ngx-token", "pai-key"
MODEL = "Qwen/Qwen2.5-7B-Instruct-AWQ"
ENV = {
    "AI_PROVIDER": "custom",
    "CUSTOM_BASE_URL": f"http://127.0.0.1:{TIER_PORT}/v1",
    "CUSTOM_MODEL": MODEL,
    "CUSTOM_API_KEY": "sk-any",
    "PAPERLESS_API_URL": f"http://127.0.0.1:{NGX_PORT}/api",
    "PAPERLESS_API_TOKEN": TOKEN,
    "PAPERLESS_USERNAME": "admin",
    "ADD_AI_PROCESSED_TAG": "yes",
    "API_KEY": API_KEY,
    "PAPERLESS_AI_DOUBLE_CHECK_ATTEMPTS": "1",
}


class ByPort:
    """One ASGI app per port, and a hook to answer some requests with a status instead."""

    def __init__(self, apps: dict[int, ASGIApp]) -> None:
        self.apps = apps
        self.refuse: dict[str, int] = {}  # method -> status
        self.seen: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            body = b""
            message = await receive()
            body += message.get("body", b"")
            self.seen.append((scope["method"], scope["path"], body))
            if scope["method"] in self.refuse:
                status = self.refuse[scope["method"]]
                await send({"type": "http.response.start", "status": status, "headers": []})
                await send({"type": "http.response.body", "body": b"refused by the test"})
                return

            async def replay() -> dict[str, Any]:
                return {"type": "http.request", "body": body, "more_body": False}

            receive = replay
        await self.apps[scope["server"][1]](scope, receive, send)


@dataclass
class World:
    ai: TestClient
    store: Store
    tier: TestClient
    wire: ByPort
    workdir: Path

    def add_document(self, content: str, tags: list[int] | None = None) -> int:
        stamp = now_iso()
        with self.store.tx() as db:
            cursor = db.execute(
                "INSERT INTO documents (title, content, created, added, modified, original_file_name, owner, "
                "tags) VALUES ('upload', ?, '2026-01-01', ?, ?, 'upload.txt', 1, ?)",
                (content, stamp, stamp, json.dumps(tags or [])),
            )
            return int(cursor.lastrowid or 0)

    def scan(self) -> httpx.Response:
        return self.ai.post("/api/scan/now", headers={"x-api-key": API_KEY})

    def document(self, doc_id: int) -> dict[str, Any]:
        row = self.store.document_row(doc_id)
        assert row is not None
        return Store.document_shape(row)

    def history(self) -> dict[str, Any]:
        return self.ai.get("/__double/history").json()

    def chat_bodies(self) -> list[dict[str, Any]]:
        return [
            json.loads(body) for method, path, body in self.wire.seen if path.endswith("/chat/completions")
        ]


def make_world(tmp_path: Path, env: dict[str, str], dotenv: dict[str, str] | None) -> Iterator[World]:
    store = Store(tmp_path / "ngx.sqlite3")
    store.ensure_user("admin", "pw", TOKEN)
    tier_app = build_tier("vllm")
    wire = ByPort({NGX_PORT: build_ngx(store), TIER_PORT: tier_app})
    workdir = tmp_path / "pai"
    (workdir / "data").mkdir(parents=True)
    if dotenv is not None:
        (workdir / "data" / ".env").write_text(format_dotenv(dotenv))
    app = build_app(workdir, env, transport=httpx.ASGITransport(app=wire))
    with TestClient(app, follow_redirects=False) as ai, TestClient(tier_app) as tier:
        yield World(ai, store, tier, wire, workdir)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, ENV, ENV)


# --- parsing --------------------------------------------------------------------------------------


def test_a_fenced_answer_after_a_sentence_is_parsed() -> None:
    content = 'Here is the result:\n\n```json\n{"title": "t", "correspondent": "c", "tags": ["a"]}\n```'

    assert parse_answer(content)["correspondent"] == "c"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('<think>\nhmm\n</think>\n{"title": "t", "correspondent": "c", "tags": []}', "Invalid JSON"),
        ('{"title": "t", "tags": [unterminated', "Invalid JSON"),
        ('{"title": "t", "correspondent": "c", "tags": "a, b"}', "missing tags array"),
        ('{"title": "t", "correspondent": null, "tags": []}', "correspondent string"),
    ],
    ids=["think-not-stripped", "invalid-json", "tags-not-array", "correspondent-not-string"],
)
def test_answers_paperless_ai_rejects_are_rejected(content: str, problem: str) -> None:
    with pytest.raises(AnalysisError, match=problem):
        parse_answer(content)


# --- the live contract ----------------------------------------------------------------------------


def test_a_scan_without_the_api_key_is_redirected_to_login(world: World) -> None:
    answer = world.ai.post("/api/scan/now")

    assert answer.status_code == 302 and answer.headers["location"] == "/login"


def test_health_answers_healthy(world: World) -> None:
    assert world.ai.get("/health").json() == {"status": "healthy"}


def test_a_golden_document_is_written_back_in_one_patch_with_merged_tags(world: World) -> None:
    document = load().by_name("06-steuerbescheid")
    with world.store.tx() as db:  # a tag the document already has must survive the write-back
        old_tag = world.store.create_named(db, "tags", {"name": "Inbox"}, 1)
    doc_id = world.add_document(document.text, tags=[old_tag])

    assert world.scan().text == "Task completed"

    stored = world.document(doc_id)
    names = {t["id"]: t["name"] for t in world.store.named("tags")}
    types = {t["id"]: t["name"] for t in world.store.named("document_types")}
    people = {t["id"]: t["name"] for t in world.store.named("correspondents")}
    want = document.expected
    assert stored["title"] == want.title and stored["created"] == want.document_date
    assert {names[t] for t in stored["tags"]} == {"Inbox", *want.tags, "ai-processed"}
    assert types[stored["document_type"]] == want.document_type
    assert people[stored["correspondent"]] == want.correspondent
    patches = [e for e in world.store.audit_log() if e["method"] == "PATCH"]
    assert len(patches) == 1 and patches[0]["target_id"] == doc_id


def test_the_request_has_paperless_ai_shape(world: World) -> None:
    world.add_document(load().documents[0].text)

    world.scan()

    (body,) = [b for b in world.chat_bodies() if b["messages"][-1]["content"] != "Test"]
    assert body["temperature"] == 0.3 and body["model"] == MODEL
    assert "response_format" not in body and "max_tokens" not in body and "stream" not in body
    system, user = body["messages"]
    assert system["role"] == "system" and system["content"].startswith("undefined\n\n")
    assert '"correspondent"' in system["content"] and '"document_type"' in system["content"]
    assert user == {"role": "user", "content": load().documents[0].text}


def test_an_answer_without_usage_is_not_written(world: World) -> None:
    doc_id = world.add_document(load().documents[1].text)
    world.tier.post("/__mock/faults", json={"kind": "no_usage"})

    world.scan()

    assert world.document(doc_id)["modified"] == world.document(doc_id)["added"]
    assert not [e for e in world.store.audit_log() if e["method"] == "PATCH"]
    (attempt,) = [a for a in world.history()["attempts"] if a["document"] == doc_id]
    assert attempt["outcome"] == "failed" and "total_tokens" in attempt["error"]


def test_a_5xx_is_retried_twice_like_the_openai_client(world: World) -> None:
    doc_id = world.add_document(load().documents[2].text)
    world.tier.post("/__mock/faults", json={"kind": "error", "status": 503})

    world.scan()

    (attempt,) = [a for a in world.history()["attempts"] if a["document"] == doc_id]
    assert attempt["llm_attempts"] == 3 and attempt["outcome"] == "failed" and "503" in attempt["error"]


def test_a_failed_patch_is_still_recorded_as_processed_the_upstream_flaw(world: World) -> None:
    doc_id = world.add_document(load().documents[3].text)
    world.wire.refuse["PATCH"] = 500

    world.scan()

    history = world.history()
    assert doc_id in history["processed"], "upstream records the document as done although the PATCH failed"
    (attempt,) = [a for a in history["attempts"] if a["document"] == doc_id]
    assert attempt["patch_status"] == 500
    assert world.document(doc_id)["tags"] == [], "Paperless-ngx itself was never updated"


def test_without_data_env_it_is_not_configured_and_the_scan_goes_to_setup(tmp_path: Path) -> None:
    for world in make_world(tmp_path, ENV, None):
        answer = world.scan()

        assert answer.status_code == 302 and answer.headers["location"] == "/setup"
        assert world.ai.get("/__double/config").json()["configured"] is False


def test_the_setup_check_follows_the_file_while_classification_follows_the_environment(
    tmp_path: Path,
) -> None:
    stale = dict(ENV, AI_PROVIDER="ollama", OLLAMA_API_URL="http://127.0.0.1:1", CUSTOM_MODEL="other")
    for world in make_world(tmp_path, ENV, stale):
        config = world.ai.get("/__double/config").json()

        assert config["classification"]["AI_PROVIDER"] == "custom"
        assert config["classification"]["CUSTOM_MODEL"] == MODEL
        assert config["setup_check"]["AI_PROVIDER"] == "ollama"
        assert world.scan().headers["location"] == "/setup"
        assert "AI_PROVIDER=ollama" in " ".join(config["check"])


def test_a_paperless_username_that_matches_no_user_stops_the_scan_before_any_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = dict(ENV, PAPERLESS_USERNAME="nobody")
    for world in make_world(tmp_path, env, env):
        doc_id = world.add_document(load().documents[4].text)
        deadline = time.monotonic() + 5
        while (
            "no Paperless user named 'nobody'" not in capsys.readouterr().out and time.monotonic() < deadline
        ):
            time.sleep(
                0.05
            )  # the start-up scan meets the missing user and never answers; nothing is analysed

        assert world.history()["attempts"] == [], "no document may be analysed without the Paperless user"
        assert world.document(doc_id)["tags"] == []
