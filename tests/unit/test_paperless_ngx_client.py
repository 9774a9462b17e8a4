"""What the suite's Paperless-ngx client says when a consumption fails: the worker's own lines."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_refusal_is_read_once_paperless_ngx_has_written_its_message_not_the_traceback_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seen in a clean-clone run: a poll between Celery's task_failure (result "<traceback object>")
    and task_postrun (the message) read the traceback. The message is what is returned."""
    ngx = Ngx("http://127.0.0.1:9", "t")
    states = iter(
        [
            {"status": "STARTED", "result": None},
            {"status": "FAILURE", "result": "<traceback object at 0x7f5c64b03240>"},
            {"status": "FAILURE", "result": "<traceback object at 0x7f5c64b03240>"},
            {"status": "FAILURE", "result": "x.txt: Not consuming x.txt: It is a duplicate of x (#13)."},
        ]
    )
    last: dict[str, object] = {}

    def task(_task_id: str) -> dict[str, object]:
        last.update(next(states, last))
        return dict(last)

    monkeypatch.setattr(ngx, "task", task)
    assert ngx.refusal("t1", timeout=10) == "x.txt: Not consuming x.txt: It is a duplicate of x (#13)."


def test_a_refusal_that_stays_a_traceback_is_returned_after_the_settle_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fixtures.paperless_ngx.client as client

    monkeypatch.setattr(client, "SETTLE_S", 0.2)
    ngx = Ngx("http://127.0.0.1:9", "t")
    monkeypatch.setattr(ngx, "task", lambda _id: {"status": "FAILURE", "result": "<traceback object at 0x1>"})
    assert ngx.refusal("t1", timeout=10) == "<traceback object at 0x1>"
