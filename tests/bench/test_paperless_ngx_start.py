"""Benchmark (prints figures): the real Paperless-ngx comes up within 20 s and consumes a .txt.

Started from the install setup made (Redis, granian, the Celery worker), one golden ``.txt`` uploaded
through the API and awaited as a task, then stopped. Figures in ``bench-paperless-ngx.json``; skipped,
naming the capability, where Paperless-ngx is not installed.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures.core.run import Run
from fixtures.core.timeouts import Timeouts
from fixtures.discovery import discover
from fixtures.paperless_ngx.client import Ngx
from fixtures.paperless_ngx.install import install_dir, installed
from fixtures.paperless_ngx.real import RealPaperlessNgx
from fixtures.report.run_folder import RunFolder
from fixtures.stack.base import Capability

pytestmark = pytest.mark.bench

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "fixtures" / "corpus" / "documents" / "01-telekom-rechnung.txt"
READY_BUDGET_S = 20.0


def test_the_real_paperless_ngx_is_ready_within_20_s_and_consumes_a_text_document(
    run: Run, run_folder: RunFolder, timeouts: Timeouts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install = installed()
    if install is None:
        pytest.skip(f"needs the {Capability.REAL_PAPERLESS_NGX.value}, not installed at {install_dir()}")
    server = RealPaperlessNgx(install, discover(REPO / "manifests"), tmp_path, run, timeouts)
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


EXAMPLE = REPO / "examples" / "home-lab-14.3"  # Helm values: PostgreSQL, two task workers
DATABASE_BUDGET_S = 5.0  # PostgreSQL ready and the run's database created from the template
AFTER_DATABASE_TARGET_S = 5.0  # Paperless-ngx ready after its database (the target; printed)
DOCUMENTS = 12
STALL_S = 2.0  # a consumption this long is a stall (p50 is ~0.5 s; a recycled Celery child costs 4-5 s)


def _consume_one_by_one(server: RealPaperlessNgx, timeouts: Timeouts, folder: Path) -> list[float]:
    """Upload-to-stored seconds per document, one after another (as Paperless-AI's owner scans them)."""
    from fixtures.corpus import load

    texts = [d for d in load().documents if d.upload.suffix == ".txt"]
    ngx = Ngx(server.url, server.token, timeouts.request)
    took = []
    try:
        for n in range(DOCUMENTS):
            document = texts[n % len(texts)]
            path = folder / f"{n:02d}-{document.upload.name}"
            path.write_text(
                f"{document.text.rstrip()}\nBench upload {n} {time.time_ns()}\n", encoding="utf-8"
            )
            began = time.monotonic()
            ngx.consumed(ngx.upload(path), path.name, timeouts.classification)
            took.append(time.monotonic() - began)
    finally:
        ngx.close()
    return took


def test_postgresql_from_the_template_and_the_trees_task_workers_against_one(
    run: Run, run_folder: RunFolder, timeouts: Timeouts, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The owner-style tree (PostgreSQL, PAPERLESS_TASK_WORKERS 2) started twice in one run: as set, and
    with one worker. Figures: database and ready times, consumption p50/p95 and stall rate side by side."""
    from fixtures.archive import latency_summary
    from fixtures.paperless_ngx.postgres import binaries

    install = installed()
    if install is None or binaries() is None:
        pytest.skip(f"needs the {Capability.REAL_PAPERLESS_NGX.value} and Debian's PostgreSQL (make setup)")
    topology = discover(EXAMPLE)
    figures: dict[str, dict[str, object]] = {}
    for label, overrides in (("as set (2)", {}), ("one worker", {"PAPERLESS_TASK_WORKERS": "1"})):
        server = RealPaperlessNgx(install, topology, tmp_path / label, run, timeouts, overrides=overrides)
        try:
            server.start()
            (tmp_path / label / "uploads").mkdir(parents=True)
            took = _consume_one_by_one(server, timeouts, tmp_path / label / "uploads")
        finally:
            server.stop()
        stalls = [t for t in took if t >= STALL_S]
        figures[label] = {
            "engine": server.engine,
            "database_s": round(server.timings["database"], 2),
            "ready_after_database_s": round(server.timings["ready"] - server.timings["database"], 2),
            "consumption": latency_summary(took),
            "stalls": len(stalls),
            "stall_rate": round(len(stalls) / len(took), 3),
        }
    run_folder.write_json("bench-paperless-ngx-workers.json", {"tree": str(EXAMPLE), "runs": figures})
    with capsys.disabled():
        for label, f in figures.items():
            c = f["consumption"]
            assert isinstance(c, dict)
            print(
                f"\n[bench] Paperless-ngx on {f['engine']}, workers {label}: database {f['database_s']} s, "
                f"ready {f['ready_after_database_s']} s after it (target {AFTER_DATABASE_TARGET_S:.0f} s); "
                f"consumption p50 {c['p50_s']} s p95 {c['p95_s']} s; stalls >= {STALL_S:.0f} s: "
                f"{f['stalls']}/{DOCUMENTS} ({f['stall_rate']:.0%})"
            )
    assert all(f["engine"] == "postgresql" for f in figures.values()), figures
    slow = {k: f["database_s"] for k, f in figures.items() if float(f["database_s"]) > DATABASE_BUDGET_S}  # type: ignore[arg-type]
    assert not slow, f"PostgreSQL ready + database from the template over {DATABASE_BUDGET_S:.0f} s: {slow}"
