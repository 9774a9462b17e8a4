"""Per-document classification time, read from Paperless-ngx's write times: a figure the sign-off shows."""

from __future__ import annotations

from typing import Any

from fixtures.archive import AFTER_SCAN_S, Archive


def _archive(scans: list[tuple[float, float]]) -> Archive:
    archive = Archive.__new__(Archive)  # no stack needed: _latencies reads only the scans' times
    archive.scan_walls = scans
    return archive


def test_each_document_takes_the_time_since_the_previous_write_of_its_scan() -> None:
    writes: dict[int, Any] = {1: [100.5], 2: [101.25], 3: [102.0, 150.0]}

    found = _archive([(100.0, 102.5)])._latencies(writes)

    assert found == {1: 0.5, 2: 0.75, 3: 0.75}


def test_a_write_long_after_its_scan_is_no_latency_and_unwritten_documents_have_none() -> None:
    writes: dict[int, Any] = {1: [100.5], 2: [100.0 + 2.5 + AFTER_SCAN_S + 1], 3: None, 4: []}

    found = _archive([(100.0, 102.5)])._latencies(writes)

    assert found == {1: 0.5}


def test_a_second_scan_starts_its_own_count() -> None:
    writes: dict[int, Any] = {1: [100.5], 2: [200.75]}

    found = _archive([(100.0, 101.0), (200.0, 201.0)])._latencies(writes)

    assert found == {1: 0.5, 2: 0.75}
