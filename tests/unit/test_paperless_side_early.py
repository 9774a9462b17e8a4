"""Paperless-ngx started early (beside LiteLLM's imports): taken over once, and never left starting.

``_start_ngx`` is replaced by a stand-in that waits to be released, so what is proven is the
hand-over only: the early start's result or error reaches ``start``'s caller, and ``stop`` waits for
an early start still under way before it stops anything (else processes would start after it).
Whether to start early at all: a selected test needs the ``live_pipeline`` fixture, found by the
fixture's own name (``fixtures.plugin.wants_paperless_side``), not by a copy of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from fixtures.core.errors import ComponentError
from fixtures.core.run import Run
from fixtures.core.timeouts import Timeouts
from fixtures.plugin import live_pipeline, wants_paperless_side
from fixtures.report.run_folder import RunFolder
from fixtures.stack.local.paperless import LocalPaperless
from tests.controls.runner import REPO


class _Ngx:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def stop(self) -> None:
        self.log.append("stopped")


def _side(tmp_path: Path) -> LocalPaperless:
    return LocalPaperless(REPO / "manifests", Run(RunFolder(tmp_path)), Timeouts(), None)


def test_stop_waits_for_an_early_start_still_under_way_then_stops_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    side, release = _side(tmp_path), threading.Event()
    log: list[str] = []

    def start() -> str:
        side.real_ngx = _Ngx(log)  # type: ignore[assignment]  # its processes exist from here on
        release.wait(10)
        log.append("ready")
        return "http://127.0.0.1:1"

    monkeypatch.setattr(side, "_start_ngx", start)
    side.prepare()
    stopping = threading.Thread(target=side.stop)
    stopping.start()
    time.sleep(0.3)  # a stop that did not wait has stopped by now (and a late one only passes here)
    release.set()
    stopping.join(10)

    assert log == ["ready", "stopped"]


def test_an_early_start_that_failed_raises_where_the_paperless_side_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = _side(tmp_path)

    def start() -> str:
        raise ComponentError("Paperless-ngx", "its web server exited (code 1)")

    monkeypatch.setattr(side, "_start_ngx", start)
    side.prepare()

    with pytest.raises(ComponentError, match="exited"):
        side._early_ngx_url()
    assert side._early_ngx_url() is None, "taken over once"
    side.stop()


@dataclass
class _Item:
    """What the rule reads of a collected test: its fixture closure (``pytest.Item.fixturenames``)."""

    fixturenames: Sequence[str]


def _items(*closures: Sequence[str]) -> list[pytest.Item]:
    return cast(list[pytest.Item], [_Item(names) for names in closures])


def test_the_early_start_is_wanted_when_a_test_needs_the_fixture_named_by_its_function() -> None:
    # ``archive``, ``shelf`` and ``pipeline`` all request it: their closures hold its name too
    needs_it = ("stack", "live_stack", "archive", "shelf", live_pipeline.name)

    assert live_pipeline.name == live_pipeline.__wrapped__.__name__  # the function's name, no alias
    assert wants_paperless_side(_items(("stack", "gateway"), needs_it))
    assert not wants_paperless_side(_items(("stack", "gateway"), ("live_stack",)))
    assert not wants_paperless_side([])
