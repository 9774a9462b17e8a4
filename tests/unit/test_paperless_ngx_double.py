"""The Paperless-ngx double speaks the REST subset of contracts/paperless-ngx.md, errors included."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fixtures.corpus import load
from fixtures.paperless_ngx.app import build_app
from fixtures.paperless_ngx.store import Store

TOKEN = "t0ken"
AUTH = {"Authorization": f"Token {TOKEN}"}


def serve(db: Path) -> TestClient:
    store = Store(db)
    store.ensure_user("admin", "secret", TOKEN)
    return TestClient(build_app(store), headers=AUTH)


@pytest.fixture
def ngx(tmp_path: Path) -> Iterator[TestClient]:
    with serve(tmp_path / "db.sqlite3") as client:
        yield client


def upload(client: TestClient, name: str, data: bytes) -> dict:
    task_id = client.post("/api/documents/post_document/", files={"document": (name, data)}).json()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        (task,) = client.get("/api/tasks/", params={"task_id": task_id}).json()
        if task["status"] in ("SUCCESS", "FAILURE"):
            return task
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} never finished")


def test_no_token_and_a_wrong_token_get_paperless_ngx_401_bodies(ngx: TestClient) -> None:
    missing = ngx.get("/api/documents/", headers={"Authorization": ""})
    wrong = ngx.get("/api/documents/", headers={"Authorization": "Token nope"})

    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "Invalid token."}


def test_a_token_is_issued_for_the_right_password_only(ngx: TestClient) -> None:
    assert ngx.post("/api/token/", json={"username": "admin", "password": "secret"}).json() == {
        "token": TOKEN
    }
    assert ngx.post("/api/token/", json={"username": "admin", "password": "x"}).status_code == 400


def test_a_txt_upload_becomes_a_document_through_a_task(ngx: TestClient) -> None:
    task = upload(ngx, "letter.txt", b"Sehr geehrte Frau Berger,\nIhre Rechnung.")

    assert task["status"] == "SUCCESS" and task["task_file_name"] == "letter.txt"
    doc = ngx.get(f"/api/documents/{task['related_document']}/").json()
    assert doc["content"].startswith("Sehr geehrte Frau Berger")
    assert doc["title"] == "letter" and doc["tags"] == [] and doc["user_can_change"] is True


def test_a_pdf_upload_gets_its_text_layer_extracted(ngx: TestClient) -> None:
    document = next(d for d in load().documents if d.upload.suffix == ".pdf")

    task = upload(ngx, document.upload.name, document.upload.read_bytes())

    content = ngx.get(f"/api/documents/{task['related_document']}/").json()["content"]
    assert load().match(content) == document


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n", "Unsupported mime type"),
        ("broken.pdf", b"%PDF-1.4 garbage", "cannot read the PDF"),
        ("latin1.txt", "Grüße".encode("latin-1"), "not UTF-8"),
    ],
    ids=["image", "broken-pdf", "not-utf8"],
)
def test_an_unusable_upload_fails_its_task_with_a_reason(
    ngx: TestClient, name: str, data: bytes, reason: str
) -> None:
    task = upload(ngx, name, data)

    assert task["status"] == "FAILURE" and reason in task["result"], task
    assert ngx.get("/api/documents/").json()["count"] == 0


def test_lists_are_paged_and_honour_fields(ngx: TestClient) -> None:
    for index in range(3):
        ngx.post("/api/tags/", json={"name": f"tag{index}"})

    first = ngx.get("/api/tags/", params={"page_size": 2, "fields": "id,name"}).json()
    second = ngx.get(first["next"]).json()

    assert first["count"] == 3 and len(first["results"]) == 2 and first["all"] == [1, 2, 3]
    assert set(first["results"][0]) == {"id", "name"}
    assert [t["name"] for t in second["results"]] == ["tag2"] and second["next"] is None


def test_name_filters_are_case_insensitive_and_duplicates_are_refused(ngx: TestClient) -> None:
    assert (
        ngx.post("/api/correspondents/", json={"name": "Hausverwaltung Sommer & Partner"}).status_code == 201
    )

    exact = ngx.get("/api/correspondents/", params={"name__iexact": "hausverwaltung sommer & partner"}).json()
    contains = ngx.get("/api/correspondents/", params={"name__icontains": "SOMMER &"}).json()
    duplicate = ngx.post("/api/correspondents/", json={"name": "HAUSVERWALTUNG Sommer & Partner"})

    assert exact["count"] == 1 and contains["count"] == 1
    assert duplicate.status_code == 400 and "name" in duplicate.json()


def test_a_patch_with_an_unknown_tag_is_refused_like_paperless_ngx(ngx: TestClient) -> None:
    doc_id = int(upload(ngx, "a.txt", b"some text")["related_document"])

    refused = ngx.patch(f"/api/documents/{doc_id}/", json={"tags": [99]})
    too_long = ngx.patch(f"/api/documents/{doc_id}/", json={"title": "x" * 129})
    missing = ngx.patch("/api/documents/4242/", json={"title": "t"})

    assert refused.status_code == 400
    assert refused.json() == {"tags": ['Invalid pk "99" - object does not exist.']}
    assert too_long.status_code == 400 and "title" in too_long.json()
    assert missing.status_code == 404 and missing.json() == {"detail": "No Document matches the given query."}


def test_a_valid_patch_changes_only_the_given_fields_and_is_audited(ngx: TestClient) -> None:
    doc_id = int(upload(ngx, "a.txt", b"some text")["related_document"])
    tag = ngx.post("/api/tags/", json={"name": "Steuer"}).json()["id"]
    kind = ngx.post("/api/document_types/", json={"name": "Steuerbescheid", "matching_algorithm": 1}).json()[
        "id"
    ]

    answer = ngx.patch(
        f"/api/documents/{doc_id}/", json={"tags": [tag], "document_type": kind, "created": "2026-07-22"}
    )

    doc = answer.json()
    assert answer.status_code == 200
    assert (doc["tags"], doc["document_type"], doc["created"], doc["title"]) == (
        [tag],
        kind,
        "2026-07-22",
        "a",
    )
    patches = [e for e in ngx.get("/__double/audit").json()["entries"] if e["method"] == "PATCH"]
    assert [(p["actor"], p["target_id"], p["status"]) for p in patches] == [("admin", doc_id, 200)]


def test_the_thumbnail_is_a_real_png(ngx: TestClient) -> None:
    doc_id = int(upload(ngx, "a.txt", b"some text")["related_document"])

    thumb = ngx.get(f"/api/documents/{doc_id}/thumb/")

    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert thumb.content.startswith(b"\x89PNG\r\n\x1a\n") and b"IHDR" in thumb.content[:16]


def test_the_current_user_is_listed_by_username(ngx: TestClient) -> None:
    users = ngx.get("/api/users/", params={"current_user": "true", "full_perms": "true"}).json()

    assert [u["username"] for u in users["results"]] == ["admin"]


def test_a_restart_loses_nothing_and_ids_are_never_reused(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with serve(db) as client:
        first = int(upload(client, "a.txt", b"first")["related_document"])
        second = int(upload(client, "b.txt", b"second")["related_document"])
        client.delete(f"/api/documents/{second}/")

    with serve(db) as client:
        kept = client.get(f"/api/documents/{first}/").json()
        third = int(upload(client, "c.txt", b"third")["related_document"])
        audit = client.get("/__double/audit").json()["entries"]

    assert kept["content"] == "first"
    assert third > second, "a deleted document's id was reused: Paperless-AI would skip the new document"
    assert [e["method"] for e in audit].count("DELETE") == 1
