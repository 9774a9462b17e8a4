"""Running an installed Paperless-AI: the suite's side of it, checked against a stand-in ``server.js``.

The stand-in is our own few lines of Node: it records where it runs, what it was given and what its
``data/.env`` holds, prints its key at start (as the real 3.0.9 does), and answers ``/health`` and
``/api/scan/now`` like Paperless-AI. The real application runs in the suites; here the harness's
own behaviour is checked in a second.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fixtures.core.errors import OptionError
from fixtures.core.ports import free_port
from fixtures.core.processes import Supervisor
from fixtures.core.redaction import placeholder
from fixtures.paperless_ai.config import parse_dotenv
from fixtures.paperless_ai.service import PaperlessAI, check_install, failures_in

STAND_IN = r"""
const http = require('http'), fs = require('fs');
const env = fs.existsSync('data/.env') ? fs.readFileSync('data/.env', 'utf8') : null;
fs.writeFileSync('seen.json', JSON.stringify({cwd: process.cwd(), dotenv: env,
  provider: process.env.AI_PROVIDER, rag: process.env.RAG_SERVICE_ENABLED}));
console.log('AI provider config:', {apiKey: process.env.CUSTOM_API_KEY});
http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, {'content-type': 'application/json'}); return res.end('{"status":"healthy"}');
  }
  if (req.url === '/api/scan/now' && req.method === 'POST') {
    if (req.headers['x-api-key'] !== process.env.API_KEY) {
      res.writeHead(302, {location: '/login'}); return res.end();
    }
    res.writeHead(200); return res.end('Task completed');
  }
  res.writeHead(404); res.end();
}).listen(Number(process.env.PAPERLESS_AI_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
"""


@pytest.fixture
def install(tmp_path: Path) -> Path:
    if shutil.which("node") is None:
        pytest.skip("needs node on PATH (as running a real installed Paperless-AI does)")
    folder = tmp_path / "paperless-ai"
    (folder / "node_modules").mkdir(parents=True)
    (folder / "server.js").write_text(STAND_IN)
    (folder / "package.json").write_text('{"name": "paperless-ai", "version": "1.0.0"}')  # as upstream
    (folder / "config").mkdir()
    (folder / "config" / "config.js").write_text("module.exports = {\n  PAPERLESS_AI_VERSION: '3.0.9',\n};\n")
    return folder


def test_an_installed_copy_runs_from_its_own_working_directory_with_data_env_and_environment(
    install: Path, tmp_path: Path, supervisor: Supervisor
) -> None:
    workdir = tmp_path / "run" / "workdir"
    key = "sk-conformance-stand-in-0123456789"
    supervisor.secrets.register("LiteLLM master key", key)
    env = {"AI_PROVIDER": "custom", "CUSTOM_MODEL": "vllm-qwen", "API_KEY": "k", "CUSTOM_API_KEY": key}
    dotenv = {"AI_PROVIDER": "custom", "CUSTOM_MODEL": "vllm-qwen"}
    log = tmp_path / "logs" / "paperless-ai.log"
    app = PaperlessAI(install, workdir, env, dotenv, free_port(), log, supervisor=supervisor)
    try:
        app.start(startup_timeout=20)
        scan_s = app.scan(timeout=10)
        refused = app.unauthenticated_scan()
    finally:
        app.stop(5)

    seen = json.loads((workdir / "seen.json").read_text())
    assert seen["cwd"] == str(workdir) and seen["provider"] == "custom" and seen["rag"] == "false"
    assert parse_dotenv(seen["dotenv"]) == {"AI_PROVIDER": "custom", "CUSTOM_MODEL": "vllm-qwen"}
    assert scan_s < 10 and refused.status_code == 302
    assert not (install / "data").exists(), "the install directory must stay untouched"
    assert app.component().real and app.component().version == "3.0.9", "config/config.js, not package.json"
    assert app.process is not None and not app.process.alive()
    written = log.read_text()
    assert key not in written and placeholder("LiteLLM master key", key) in written
    leaks = [leak for leak in supervisor.secrets.leaks if leak.log == "logs/paperless-ai.log"]
    assert leaks and leaks[-1].component == "Paperless-AI" and leaks[-1].secret == "LiteLLM master key"
    assert "PaperlessAI(" in repr(app) and key not in repr(app)


def test_the_documents_paperless_ai_failed_are_read_from_its_own_log_lines() -> None:
    log = (
        "[DEBUG] Document 7 rights for AI User - processed\n"
        "Failed to parse JSON response: SyntaxError: Unexpected token 'H'\n"
        "[ERROR] processing document 7: Error: [ERROR] Document analysis failed: "
        "Invalid JSON response from API\n"
        "    at processDocument (/app/server.js:217:11)\n"
        "[ERROR] processing document 9: Error: boom\n"
        "[ERROR] processing document 7: Error: again\n"
    )

    found = failures_in(log)

    assert sorted(found) == [7, 9]
    assert found[7][0].endswith("Invalid JSON response from API") and found[7][1] == "Error: again"


def test_a_folder_without_server_js_is_refused_naming_the_option(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"--paperless-ai-dir.*no server\.js"):
        check_install(tmp_path)


def test_a_folder_without_installed_dependencies_is_refused(tmp_path: Path) -> None:
    (tmp_path / "server.js").write_text("")

    with pytest.raises(OptionError, match="no node_modules"):
        check_install(tmp_path)


def test_the_component_names_the_node_that_ran_it_and_a_major_its_image_does_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Locally the machine's node runs the release tree; the image runs its Dockerfile's node. The
    report says which ran, and says so when the majors differ (v20 here, node:22-slim in 3.0.9)."""
    from fixtures.paperless_ai import service

    (tmp_path / "Dockerfile").write_text("# built on\nFROM node:22-slim\nWORKDIR /app\n")
    monkeypatch.setattr(service, "node_version", lambda: "v20.20.2")
    monkeypatch.setattr(service.PaperlessAI, "version", lambda self: "3.0.9")
    app = object.__new__(service.PaperlessAI)
    app.install = tmp_path

    assert service.image_node(tmp_path) == "22-slim"
    assert "node v20.20.2 (its image: node:22-slim, another major)" in app.component().note
    monkeypatch.setattr(service, "node_version", lambda: "v22.11.0")
    assert "another major" not in app.component().note and "node v22.11.0" in app.component().note


@pytest.mark.parametrize(
    ("here", "tag", "named"),
    [("v20.20.2", "22.11.0-slim", True), ("v22.1.0", "22.11.0-slim", False), ("(unknown)", "22-slim", False)],
)
def test_node_majors_are_compared_whatever_the_tags_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, here: str, tag: str, named: bool
) -> None:
    from fixtures.paperless_ai import service

    (tmp_path / "Dockerfile").write_text(f"FROM node:{tag}\n")
    monkeypatch.setattr(service, "node_version", lambda: here)
    monkeypatch.setattr(service.PaperlessAI, "version", lambda self: "3.0.9")
    app = object.__new__(service.PaperlessAI)
    app.install = tmp_path

    assert ("another major" in app.component().note) is named
