"""Recorded answers: a broken file is a named error, and a tier replays exactly what was recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from fixtures.core.errors import OptionError
from fixtures.corpus import load
from fixtures.doubles.tiers import recorded
from fixtures.doubles.tiers.app import build_app


def recording(**change: Any) -> dict[str, Any]:
    data = {
        "format": recorded.FORMAT,
        "version": recorded.VERSION,
        "stack": "cluster",
        "recorded_at": "2026-11-26T16:30:00Z",
        "answers": [{"tier": "ollama", "document": "09-mietvertrag", "content": 'Sure! {"title": "x"}'}],
    }
    return {**data, **change}


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (recording(format="other"), "format: expected 'conformance-recorded-answers'"),
        (recording(version=2), "version: this suite reads version 1"),
        (recording(answers=[]), "answers: must be a non-empty list"),
        (recording(answers=[{"tier": "gpu", "document": "d", "content": ""}]), "answers[0].tier"),
        (
            recording(answers=[{"tier": "vllm", "document": "d", "content": 7}]),
            "answers[0].content: a string",
        ),
        (
            recording(answers=[{"tier": "vllm", "document": "d", "content": ""}] * 2),
            "answers[1]: a second answer of vllm for d",
        ),
    ],
    ids=["format", "version", "empty", "tier", "content", "duplicate"],
)
def test_a_broken_recording_is_refused_naming_the_key(
    tmp_path: Path, data: dict[str, Any], named: str
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data))

    with pytest.raises(OptionError, match="--replay-answers") as caught:
        recorded.load(path)
    assert named in str(caught.value) and str(path) in str(caught.value)


def test_a_file_that_is_not_json_or_not_there_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"\xff\x00 not json")

    with pytest.raises(OptionError, match="is not JSON"):
        recorded.load(tmp_path / "bad.json")
    with pytest.raises(OptionError, match="cannot be read"):
        recorded.load(tmp_path / "none.json")


def test_a_tier_replays_the_recorded_content_for_that_document_and_its_default_for_others(
    tmp_path: Path,
) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(recording()))
    client = TestClient(build_app("ollama", replay=path))
    system = "Return JSON with correspondent and document_type."

    def ask(document: str) -> str:
        body = {
            "model": "qwen2.5:3b",
            "stream": False,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": load().by_name(document).text},
            ],
        }
        return str(client.post("/api/chat", json=body).json()["message"]["content"])

    assert ask("09-mietvertrag") == 'Sure! {"title": "x"}'
    assert ask("01-telekom-rechnung").startswith("```json\n"), (
        "a document not recorded: the tier's default shape"
    )
    assert client.get("/__mock/info").json()["replaying"] == "cluster, 2026-11-26T16:30:00Z"
    assert [e["extra"].get("replayed") for e in client.get("/__mock/journal").json()["entries"][:2]] == [
        True,
        None,
    ]
