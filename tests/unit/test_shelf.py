"""The session's shelf of golden documents: filed once, lent renewed, counted from the renewal on.

A fake Paperless-ngx keeps documents, their audit history and their uploads; a fake Paperless-AI
keeps what it was told to forget and the errors its log names. What is proven: no document is
consumed twice, a renewed document's earlier writes and logged errors never count for the next test,
and the shelf's documents outlive each test's cleanup but not the session.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from fixtures.archive import Archive, Shelf
from fixtures.core.timeouts import Timeouts
from fixtures.corpus import load
from fixtures.paperless_ngx.client import Stored
from fixtures.stack.base import Capability, Stack
from fixtures.stack.pipeline import Pipeline


@dataclass
class FakeNgx:
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    history: dict[int, list[float]] = field(default_factory=dict)
    uploads: list[str] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    unreadable: bool = False  # the history endpoint fails (a transient error)

    def upload(self, path: Path, name: str | None = None, tags: tuple[int, ...] = ()) -> str:
        assert tags == (), "the stack's configuration selects no documents by TAGS here"
        self.uploads.append(name or path.name)
        doc_id = len(self.uploads)
        self.documents[doc_id] = {"id": doc_id, "title": path.stem, "correspondent": None,
                                  "document_type": None, "tags": [], "created": "2026-11-27",
                                  "content": path.read_text(errors="replace"), "modified": "m0"}  # fmt: skip
        self.history[doc_id] = []
        return f"task-{doc_id}"

    def consumed(self, task: str, name: str, timeout: float) -> int:
        return int(task.removeprefix("task-"))

    def consumption_s(self, task: str) -> float:
        return 1.5

    def document(self, doc_id: int) -> dict[str, Any]:
        return dict(self.documents[doc_id])

    def classify(self, doc_id: int, title: str) -> None:
        """What Paperless-AI's PATCH does: a field changed, one audit entry."""
        self.documents[doc_id].update(title=title, modified=f"m{next(self.clock)}")
        self.history[doc_id].append(float(next(self.clock)))

    def restore(self, raw: dict[str, Any]) -> dict[str, Any]:
        if self.documents[raw["id"]]["title"] != raw["title"]:
            self.classify(raw["id"], raw["title"])
        return self.document(raw["id"])

    def write_times(self, doc_id: int) -> list[float] | None:
        return None if self.unreadable else list(self.history[doc_id])

    def name_maps(self) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        return {}, {}, {}

    def stored(self, doc_id: int, maps: object = None) -> Stored:
        raw = self.documents[doc_id]
        return Stored(
            doc_id, raw["title"], None, None, frozenset(), raw["created"], raw["content"], raw["modified"]
        )

    def delete(self, doc_id: int) -> None:
        self.deleted.append(doc_id)


@dataclass
class FakeAI:
    forgotten: list[list[int]] = field(default_factory=list)
    logged: dict[int, list[str]] = field(default_factory=dict)

    def quiet(self, timeout: float) -> None:
        pass

    def forget(self, doc_ids: list[int], timeout: float) -> None:
        self.forgotten.append(doc_ids)

    def failures(self) -> dict[int, list[str]]:
        return {doc: list(errors) for doc, errors in self.logged.items()}


class FakeStack:
    unique_uploads = True
    capabilities = frozenset({Capability.FAULTS})
    timeouts = Timeouts()


def _setup() -> tuple[FakeNgx, FakeAI, Shelf, Pipeline]:
    ngx, ai = FakeNgx(), FakeAI()
    pipeline = cast(Pipeline, type("P", (), {"ngx": ngx, "ai": ai, "configmap": {}})())
    return ngx, ai, Shelf(pipeline), pipeline


def _archive(shelf: Shelf, pipeline: Pipeline) -> Archive:
    return Archive(cast(Stack, FakeStack()), pipeline, shelf)


def test_each_document_is_consumed_once_and_lent_renewed_to_every_later_test() -> None:
    ngx, ai, shelf, pipeline = _setup()
    corpus = load().documents
    first = _archive(shelf, pipeline).golden(corpus[:2])
    for item in first:
        ngx.classify(item.doc_id, "classified")  # the first test's classification

    later = _archive(shelf, pipeline)
    lent = later.golden(corpus[:3])

    assert len(ngx.uploads) == 3, "the two documents lent before must not be consumed again"
    assert [i.doc_id for i in lent[:2]] == [i.doc_id for i in first]
    assert ai.forgotten == [[first[0].doc_id, first[1].doc_id]], "Paperless-AI must forget them"
    assert all(ngx.documents[i.doc_id]["title"] != "classified" for i in lent), "put back as consumed"
    assert [later.writes(i) for i in lent] == [0, 0, 0], "the restore is not the next test's write"
    ngx.classify(lent[0].doc_id, "again")
    assert later.writes(lent[0]) == 1
    assert later.consumption_s == {i.doc_id: 1.5 for i in lent}, "consumption figures follow the documents"


def test_errors_logged_before_a_renewal_are_not_the_next_tests() -> None:
    _, ai, shelf, pipeline = _setup()
    (item,) = _archive(shelf, pipeline).golden(load().documents[:1])
    ai.logged[item.doc_id] = ["invalid JSON"]

    later = _archive(shelf, pipeline)
    (lent,) = later.golden(load().documents[:1])

    assert lent.doc_id == item.doc_id and later.failures() == {}
    ai.logged[item.doc_id].append("timeout")
    assert later.failures() == {item.doc_id: ["timeout"]}


def test_a_document_asked_for_twice_gets_a_second_copy_filed_once() -> None:
    ngx, _, shelf, pipeline = _setup()
    first = load().documents[0]

    one, two = _archive(shelf, pipeline).golden([first, first])
    again = _archive(shelf, pipeline).golden([first, first])

    assert one.doc_id != two.doc_id and one.marker != two.marker, "each copy has a line of its own"
    assert [i.doc_id for i in again] == [one.doc_id, two.doc_id]
    assert len(ngx.uploads) == 2


def test_a_tests_cleanup_leaves_the_shelf_and_the_session_end_deletes_it() -> None:
    ngx, _, shelf, pipeline = _setup()
    archive = _archive(shelf, pipeline)
    lent = archive.golden(load().documents[:2])
    (own,) = archive.file(load().documents[2:3])
    for item in lent:
        ngx.classify(item.doc_id, "classified")

    archive.cleanup()
    assert ngx.deleted == [own.doc_id], "only what the test filed itself"
    shelf.cleanup()
    assert sorted(ngx.deleted) == sorted([own.doc_id, *(i.doc_id for i in lent)])


def test_a_lent_document_left_unclassified_is_deleted_and_filed_anew_for_the_next_test() -> None:
    """Paperless-AI retries an unclassified document at every later scan (its own scheduled ones
    too): left in the archive, it would be classified inside some later, unrelated test."""
    ngx, _, shelf, pipeline = _setup()
    archive = _archive(shelf, pipeline)
    done, failed = archive.golden(load().documents[:2])
    ngx.classify(done.doc_id, "classified")  # the other one: the tier's answer was refused

    archive.cleanup()
    again = _archive(shelf, pipeline).golden(load().documents[:2])

    assert ngx.deleted == [failed.doc_id]
    assert again[0].doc_id == done.doc_id, "a classified one is renewed"
    assert again[1].doc_id not in (done.doc_id, failed.doc_id), "the unclassified one is filed anew"
    assert len(ngx.uploads) == 3


def test_writes_are_unknown_when_the_history_could_not_be_read_at_the_renewal() -> None:
    """Not "0 writes before": the whole history would then count as this test's PATCHes."""
    ngx, _, shelf, pipeline = _setup()
    (item,) = _archive(shelf, pipeline).golden(load().documents[:1])
    ngx.classify(item.doc_id, "classified")
    ngx.unreadable = True

    later = _archive(shelf, pipeline)
    (lent,) = later.golden(load().documents[:1])
    ngx.unreadable = False
    ngx.classify(lent.doc_id, "again")

    assert later.writes(lent) is None
    (outcome,) = later.outcomes([lent])
    assert outcome.patches is None
