"""Paperless-AI's own scheduler as the suite reads it: the cron, a running scan, the waits it records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fixtures.paperless_ai.scheduler import LEAD_S, Cron, Scheduler


def test_the_default_interval_fires_at_the_full_and_half_hour_only() -> None:
    cron = Cron.parse("*/30 * * * *")

    assert cron.fires_at(datetime(2026, 11, 26, 15, 30, 0))
    assert cron.fires_at(datetime(2026, 11, 26, 16, 0, 0))
    assert not cron.fires_at(datetime(2026, 11, 26, 15, 30, 1)), "five fields: second 0 only"
    assert not cron.fires_at(datetime(2026, 11, 26, 15, 45, 0))


def test_the_next_firing_is_found_within_the_horizon_and_not_beyond() -> None:
    cron = Cron.parse("*/30 * * * *")

    assert cron.next_within(datetime(2026, 11, 26, 15, 29, 45, 500_000), LEAD_S) == datetime(
        2026, 11, 26, 15, 30
    )
    assert cron.next_within(datetime(2026, 11, 26, 15, 20, 0), LEAD_S) is None


@pytest.mark.parametrize(
    ("expression", "moment", "fires"),
    [
        ("*/10 * * * * *", datetime(2026, 11, 26, 15, 1, 20), True),  # six fields: seconds first
        ("0 2 * * mon-fri", datetime(2026, 11, 26, 2, 0), True),  # a Thursday
        ("0 2 * * sun", datetime(2026, 11, 26, 2, 0), False),
        ("0 2 * * 7", datetime(2026, 11, 29, 2, 0), True),  # 7 is Sunday too
        ("0 0 1 jan *", datetime(2027, 1, 1, 0, 0), True),
        ("0 0 1 * 1", datetime(2026, 11, 30, 0, 0), True),  # both day fields set: either matches
        ("5,35 8-18/2 * * *", datetime(2026, 11, 26, 10, 35), True),
        ("5,35 8-18/2 * * *", datetime(2026, 11, 26, 11, 35), False),
    ],
)
def test_cron_expressions_deployments_use_are_read_like_node_cron(
    expression: str, moment: datetime, fires: bool
) -> None:
    assert Cron.parse(expression).fires_at(moment) is fires


def test_a_schedule_it_cannot_read_is_named_not_guessed() -> None:
    scheduler = Scheduler("every half hour", None)

    assert scheduler.cron is None and "SCAN_INTERVAL 'every half hour'" in str(scheduler.problem)
    assert scheduler.report()["problem"] == scheduler.problem


def test_with_automatic_processing_disabled_nothing_is_awaited(tmp_path: Path) -> None:
    scheduler = Scheduler("* * * * * *", "yes")  # would fire every second

    scheduler.wait_clear(tmp_path / "none.log", timeout=1, alive=lambda: None)

    assert not scheduler.automatic and scheduler.waits == []


def test_a_scheduled_scan_runs_from_its_start_line_until_a_task_ends(tmp_path: Path) -> None:
    log = tmp_path / "paperless-ai.log"
    scheduler = Scheduler(None, None)
    log.write_text("Server running on port 3000\nStarting scheduled scan at 2026-11-26T15:30:00.002Z\n")
    assert scheduler.running(log)

    log.write_text(
        log.read_text() + "[DEBUG] Document 3 rights for AI User - processed\n[INFO] Task completed\n"
    )
    assert not scheduler.running(log)

    log.write_text(
        log.read_text() + "Starting scheduled scan at 2026-11-26T16:00:00Z\n[DEBUG] Task already running\n"
    )
    assert not scheduler.running(log)


def test_a_scan_that_has_ended_is_waited_for_and_the_wait_recorded(tmp_path: Path) -> None:
    log = tmp_path / "paperless-ai.log"
    log.write_text("Starting scheduled scan at 2026-11-26T15:30:00Z\n[INFO] Task completed\n")
    quiet = Scheduler("0 0 1 1 *", None)  # once a year: not due now

    quiet.wait_clear(log, timeout=1, alive=lambda: None)

    assert quiet.waits == [], "nothing running, nothing due: no wait"
