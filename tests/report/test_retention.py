"""Evidence is kept (issue 11, problem 5): retention counts runs that ran a test, and spares a sign-off."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from fixtures.report.run_folder import RunFolder, keep_count, prune, runs_in


def run(reports: Path, *, tested: bool, signed: bool = False) -> Path:
    folder = RunFolder.create(reports).root
    if tested:
        (folder / "outcomes.jsonl").write_text('{"nodeid": "suites/t.py::t", "called": true}\n')
    if signed:
        (folder / "signoff.md").write_text("# Story 14.3 acceptance: SIGN-OFF PASS\n")
    return folder


def test_twenty_runs_that_failed_at_start_do_not_prune_the_only_real_report(tmp_path: Path) -> None:
    real = run(tmp_path, tested=True, signed=True)
    for _ in range(20):
        failed_at_start = run(tmp_path, tested=False)

    prune(tmp_path, keep=20, current=failed_at_start)

    assert real.is_dir() and len(runs_in(tmp_path)) == 21


def test_the_newest_run_with_a_sign_off_is_never_removed(tmp_path: Path) -> None:
    signed = run(tmp_path, tested=True, signed=True)
    killed = [run(tmp_path, tested=True) for _ in range(3)]  # ran tests, killed before the sign-off

    removed = prune(tmp_path, keep=1, current=killed[-1])

    assert signed.is_dir() and killed[-1].is_dir() and sorted(removed) == sorted(killed[:2])


def test_a_run_newer_than_the_current_one_is_left_alone(tmp_path: Path) -> None:
    current = run(tmp_path, tested=True)
    other = run(tmp_path, tested=False)  # another run, still starting

    prune(tmp_path, keep=1, current=current)

    assert other.is_dir() and current.is_dir()


@pytest.mark.parametrize("raw", ["0", "-3", "many"])
def test_keep_reports_below_1_is_refused(raw: str) -> None:
    with pytest.raises(Exception, match=r"below 1|not a whole number"):
        keep_count(raw)


def test_two_runs_that_draw_the_same_name_in_the_same_second_each_get_their_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen once in 21 runs made in one second (the name's 4 hex digits repeated): FileExistsError."""
    draws = iter(["a819", "a819", "b2c3"])
    monkeypatch.setattr("fixtures.report.run_folder.secrets.token_hex", lambda _: next(draws))
    clock = SimpleNamespace(strftime=lambda _: "20261127-061207", time_ns=time.time_ns)  # one second
    monkeypatch.setattr("fixtures.report.run_folder.time", clock)

    first, second = RunFolder.create(tmp_path).root, RunFolder.create(tmp_path).root

    assert (first.name, second.name) == ("20261127-061207-a819", "20261127-061207-b2c3")
