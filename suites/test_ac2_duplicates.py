"""AC2, the archive's side: Paperless-ngx refuses a file it already holds, and stores nothing for it.

Paperless-ngx 2.18.4 refuses an upload whose MD5 checksum equals a stored document's
(``documents/consumer.py``, ``pre_check_duplicate``), whatever its settings; with
``PAPERLESS_CONSUMER_DELETE_DUPLICATES`` (the owner sets it) it also deletes the refused file, which
otherwise stays in its scratch folder. One file of our own (a golden text with a line of its own) is
uploaded twice; the second task's result is the refusal as Paperless-ngx reports it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures.api import AC2, Pipeline, Stack, load

pytestmark = [*AC2]


@dataclass
class Twice:
    file: Path
    first_id: int
    refusal: str | None
    count_before: int
    count_after: int
    left_in_scratch: list[Path]


def _truthy(value: str) -> bool:
    """How Paperless-ngx 2.18.4 reads a boolean setting (``settings.py``, ``__get_boolean``)."""
    return value.lower() in ("yes", "y", "1", "t", "true")


@pytest.fixture(scope="module")
def twice(
    live_pipeline: Pipeline, live_stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Twice]:
    ngx, timeout = live_pipeline.ngx, live_stack.timeouts.classification
    document = next(d for d in load().documents if d.upload.suffix == ".txt")
    file = tmp_path_factory.mktemp("duplicate") / document.upload.name
    file.write_text(f"{document.text.rstrip()}\nConformance duplicate {uuid.uuid4().hex}\n", encoding="utf-8")
    first = ngx.consumed(ngx.upload(file), file.name, timeout)
    left: list[Path] = []
    try:
        before = ngx.count()
        refusal = ngx.refusal(ngx.upload(file), timeout)
        after = ngx.count()
        scratch = live_pipeline.ngx_uploads
        left = sorted(scratch.rglob(file.name)) if scratch is not None and scratch.is_dir() else []
        yield Twice(file, first, refusal, before, after, left)
    finally:
        ngx.delete(first)
        for leftover in left:
            leftover.unlink(missing_ok=True)


def test_a_second_upload_of_a_stored_file_is_refused_by_its_checksum_and_stores_nothing(twice: Twice) -> None:
    assert twice.refusal is not None, (
        f"the second upload of {twice.file.name} was consumed: Paperless-ngx stored a duplicate"
    )
    assert "It is a duplicate of" in twice.refusal and f"(#{twice.first_id})" in twice.refusal, (
        f"refused, but not as a duplicate of document #{twice.first_id}: {twice.refusal}"
    )
    assert twice.count_after == twice.count_before, (
        f"the refused upload changed the archive: {twice.count_before} -> {twice.count_after} documents"
    )


def test_a_refused_duplicate_is_deleted_or_kept_as_consumer_delete_duplicates_says(
    twice: Twice, live_pipeline: Pipeline
) -> None:
    if live_pipeline.ngx_uploads is None:
        pytest.skip("needs Paperless-ngx's scratch folder on this machine (a stack that runs it locally)")
    setting = live_pipeline.ngx_settings.get("PAPERLESS_CONSUMER_DELETE_DUPLICATES", "false (default)")
    if _truthy(setting.split()[0]):
        assert not twice.left_in_scratch, (
            f"PAPERLESS_CONSUMER_DELETE_DUPLICATES={setting}, yet the refused file is still there: "
            f"{twice.left_in_scratch}"
        )
    else:
        assert twice.left_in_scratch, (
            f"PAPERLESS_CONSUMER_DELETE_DUPLICATES={setting}: the refused file should stay in the scratch "
            f"folder {live_pipeline.ngx_uploads}, and it is gone"
        )
