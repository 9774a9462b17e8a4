"""What the suite's Paperless-ngx client says when a consumption fails: the worker's own lines."""

from __future__ import annotations

from pathlib import Path

from fixtures.paperless_ngx.client import Ngx


def test_a_failed_consumption_quotes_the_worker_log_from_the_first_line_naming_the_file(
    tmp_path: Path,
) -> None:
    log = tmp_path / "worker.log"
    lines = ["started", "consuming other.pdf", "ok", "consuming 03-x.pdf",
             "Traceback (most recent call last):", "  File consumer.py", "ValueError: no text"]  # fmt: skip
    log.write_text("\n".join(lines) + "\n")
    ngx = Ngx("http://127.0.0.1:9", "t", worker_log=log)
    try:
        tail, path = ngx._worker_lines("03-x.pdf")
    finally:
        ngx.close()
    assert tail.splitlines()[0] == "consuming 03-x.pdf" and tail.endswith("ValueError: no text")
    assert path == str(log)


def test_without_a_worker_log_nothing_is_quoted() -> None:
    ngx = Ngx("http://127.0.0.1:9", "t")
    try:
        assert ngx._worker_lines("x.pdf") == ("", "")
    finally:
        ngx.close()
