"""Benchmark (prints figures): the real Paperless-ngx comes up within 20 s and consumes a .txt.

Started from the install setup made (Redis, granian, the Celery worker), one golden ``.txt`` uploaded
through the API and awaited as a task, then stopped. Figures in ``bench-paperless-ngx.json``; skipped,
naming the capability, where Paperless-ngx is not installed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures.discovery import discover
from fixtures.paperless_ngx.client import Ngx
from fixtures.paperless_ngx.install import install_dir, installed
from fixtures.paperless_ngx.real import RealPaperlessNgx
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability
from fixtures.timeouts import Timeouts

pytestmark = pytest.mark.bench

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "fixtures" / "corpus" / "documents" / "01-telekom-rechnung.txt"
READY_BUDGET_S = 20.0


def test_the_real_paperless_ngx_is_ready_within_20_s_and_consumes_a_text_document(
    run_folder: RunFolder, timeouts: Timeouts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install = installed()
    if install is None:
        pytest.skip(f"needs the {Capability.REAL_PAPERLESS_NGX.value}, not installed at {install_dir()}")
    server = RealPaperlessNgx(install, discover(REPO / "manifests"), tmp_path, run_folder, timeouts)
    began = time.monotonic()
    try:
        server.start()
        ready = time.monotonic() - began
        ngx = Ngx(server.url, server.token, timeouts.request)
        began = time.monotonic()
        doc_id = ngx.consumed(ngx.upload(DOCUMENT), DOCUMENT.name, timeouts.classification)
        consumed = time.monotonic() - began
        stored = ngx.stored(doc_id)
        ngx.close()
    finally:
        began = time.monotonic()
        server.stop()
        stopped = time.monotonic() - began

    assert stored.content.startswith("Telekom Deutschland GmbH") and stored.title == DOCUMENT.stem
    figures = {"ready_s": round(ready, 2), "consumed_txt_s": round(consumed, 2), "stop_s": round(stopped, 2)}
    run_folder.write_json("bench-paperless-ngx.json", figures)
    with capsys.disabled():
        print(
            f"\n[bench] real Paperless-ngx: ready {ready:.1f} s, "
            f"one .txt consumed {consumed:.2f} s, stop {stopped:.1f} s"
        )
    assert ready <= READY_BUDGET_S, (
        f"start to ready took {ready:.1f} s, over the {READY_BUDGET_S:.0f} s budget"
    )
