"""Paperless-AI as deployed (``InCluster``): renewing documents works on a cluster as it does locally.

A stand-in for the port-forwarded Pod answers on loopback; kubectl is not called (``log_tail`` is
only read when a call fails, and then names the failure whatever kubectl says).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from fixtures.core.errors import ComponentError
from fixtures.core.redaction import Secrets
from fixtures.stack.kube.paperless import InCluster


class _Pod(BaseHTTPRequestHandler):
    answers: ClassVar[list[tuple[int, Any]]] = []
    seen: ClassVar[list[tuple[str, str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append((self.path, self.headers.get("x-api-key", ""), body))
        status, answer = self.answers.pop(0)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pod() -> Iterator[InCluster]:
    _Pod.answers, _Pod.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pod)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    handle = InCluster(
        url, "docs", "paperless-ai", {"API_KEY": "k" * 32}, ["false"], "image:3.0.9", Secrets()
    )
    handle.log_tail = lambda: "(pod log)"  # type: ignore[method-assign]  # no kubectl here
    try:
        yield handle
    finally:
        handle.stop(1.0)
        server.shutdown()
        server.server_close()


def test_forget_posts_the_ids_to_reset_documents_with_the_api_key(pod: InCluster) -> None:
    _Pod.answers.append((200, {"success": True}))

    pod.forget([4, 5], timeout=5.0)

    assert _Pod.seen == [("/api/reset-documents", "k" * 32, {"ids": [4, 5]})]


REFUSALS = [(500, {"error": "db locked"}), (200, {"success": False}), (200, ["not", "an", "object"])]


@pytest.mark.parametrize(("status", "answer"), REFUSALS, ids=["500", "no-success", "not-an-object"])
def test_a_refused_reset_is_an_error_naming_the_pod_and_the_answer(
    pod: InCluster, status: int, answer: Any
) -> None:
    _Pod.answers.append((status, answer))

    with pytest.raises(ComponentError, match=rf"docs/paperless-ai.*reset-documents answered {status}"):
        pod.forget([4], timeout=5.0)
