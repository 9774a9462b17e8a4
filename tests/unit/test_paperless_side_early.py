"""Paperless-ngx started early (beside LiteLLM's imports): taken over once, and never left starting.

``_start_ngx`` is replaced by a stand-in that waits to be released, so what is proven is the
hand-over only: the early start's result or error reaches ``start``'s caller, and ``stop`` waits for
an early start still under way before it stops anything (else processes would start after it).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from fixtures.errors import ComponentError
from fixtures.report.run_folder import RunFolder
from fixtures.run import Run
from fixtures.stack.paperless_side import LocalPaperless
from fixtures.timeouts import Timeouts
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
