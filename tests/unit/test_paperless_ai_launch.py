"""The local Paperless-AI runs what its container's command runs, and every difference is recorded.

Against a stand-in release tree: ``ecosystem.config.js`` as 3.0.9 ships it, a ``server.js`` that is
never started here (PM2's process file is evaluated with ``node``, as PM2 does).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError, ManifestError
from fixtures.paperless_ai.launch import NODE, PM2, START_SCRIPT, entrypoint, local_launch
from fixtures.pods import Container, pod
from fixtures.tree import read_tree
from tests.manifest_patch import REFERENCE, apply

# 3.0.9's ecosystem.config.js, byte for byte (plus a final newline)
ECOSYSTEM = """module.exports = {
  apps: [{
    name: 'paperless-ai',
    script: 'server.js',
    instances: 1,
    autorestart: true,
    watch: false,
    max_memory_restart: '1G',
    env: {
      NODE_ENV: 'production'
    },
    exp_backoff_restart_delay: 100
  }]
};
"""
WHERE = ("paperless-ai/deployment.yaml", "containers[paperless-ai].command")


@pytest.fixture
def release(tmp_path: Path) -> Path:
    if shutil.which("node") is None:
        pytest.skip("needs node on PATH (PM2's process file is JavaScript)")
    tree = tmp_path / "paperless-ai"
    tree.mkdir()
    (tree / "server.js").write_text("// stand-in\n")
    (tree / "ecosystem.config.js").write_text(ECOSYSTEM)
    return tree


@pytest.mark.parametrize(
    ("command", "args", "form", "target"),
    [
        (None, None, START_SCRIPT, "./start-services.sh"),
        (["/app/start-services.sh"], None, START_SCRIPT, "/app/start-services.sh"),
        (["pm2-runtime", "ecosystem.config.js"], None, PM2, "ecosystem.config.js"),
        (None, ["pm2-runtime", "start", "ecosystem.config.js"], PM2, "ecosystem.config.js"),
        (["node", "--max-old-space-size=512", "server.js"], None, NODE, "server.js"),
        (None, ["server.js"], NODE, "server.js"),
    ],
    ids=["image CMD", "script named", "pm2-runtime", "args after the entrypoint", "node", "a bare script"],
)
def test_the_containers_command_is_read_as_the_image_runs_it(
    command: list[str] | None, args: list[str] | None, form: str, target: str
) -> None:
    found = entrypoint(command, args, *WHERE)

    assert (found.form, found.target) == (form, target)
    assert found.starts_rag_service == (form == START_SCRIPT)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["sh", "-c", "node server.js"], "only the image's start-services.sh, `pm2-runtime"),
        (["pm2-runtime", "--env", "production", "ecosystem.config.js"], "no options"),
        (["node", "--inspect"], "node without a script"),
    ],
    ids=["a shell", "pm2 options", "no script"],
)
def test_a_command_the_local_stack_cannot_stand_in_for_is_a_named_error(
    command: list[str], expected: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        entrypoint(command, None, *WHERE)
    assert WHERE[0] in str(caught.value) and expected in str(caught.value)


def test_pm2_with_the_releases_ecosystem_file_runs_server_js_with_its_env_and_the_change_is_recorded(
    release: Path,
) -> None:
    launch = local_launch(entrypoint(["pm2-runtime", "ecosystem.config.js"], None, *WHERE), release)

    assert launch.argv == [str(release / "server.js")]
    assert launch.env == {"NODE_ENV": "production"} and "ecosystem.config.js" in launch.why["NODE_ENV"]
    (change,) = launch.changes
    assert (change.key, change.before, change.after) == (
        "command",
        "pm2-runtime ecosystem.config.js",
        f"node {release / 'server.js'}",
    )
    assert "app 'paperless-ai': PM2 runs server.js" in change.why and "without PM2" in change.why
    assert launch.not_reproduced["max_memory_restart"] == "1G" and launch.not_reproduced["autorestart"]


def test_the_images_start_script_runs_the_same_app_with_rag_on_as_the_pod_has_it(release: Path) -> None:
    launch = local_launch(entrypoint(None, None, *WHERE), release)

    assert launch.argv == [str(release / "server.js")]
    assert launch.env == {
        "RAG_SERVICE_ENABLED": "true",
        "RAG_SERVICE_URL": "http://localhost:8000",
        "NODE_ENV": "production",
    }
    (change,) = launch.changes
    assert change.before == "./start-services.sh (the image's CMD)"
    assert "starts the Python RAG service (main.py; not run locally)" in change.why


def test_node_runs_the_script_of_the_release_with_its_options(release: Path) -> None:
    command = ["node", "--max-old-space-size=512", "/app/server.js", "--flag"]

    launch = local_launch(entrypoint(command, None, *WHERE), release)

    assert launch.argv == ["--max-old-space-size=512", str(release / "server.js"), "--flag"]
    (change,) = launch.changes
    assert launch.env == {} and change.before == "node --max-old-space-size=512 /app/server.js --flag"
    assert "from the installed release (/app ->" in change.why


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["node", "/srv/server.js"], "outside the image's /app"),
        (["pm2-runtime", "other.config.js"], "the installed release has no"),
    ],
    ids=["outside /app", "not in the release"],
)
def test_a_file_the_release_does_not_hold_is_a_named_error(
    release: Path, command: list[str], expected: str
) -> None:
    with pytest.raises(ComponentError, match=expected):
        local_launch(entrypoint(command, None, *WHERE), release)


def test_a_process_file_with_two_apps_is_refused(release: Path) -> None:
    (release / "two.config.js").write_text(
        "module.exports = {apps: [{name: 'a', script: 'server.js'}, {name: 'b', script: 'server.js'}]};\n"
    )

    with pytest.raises(ComponentError, match=r"declares 2 PM2 apps \['a', 'b'\]"):
        local_launch(entrypoint(["pm2-runtime", "two.config.js"], None, *WHERE), release)


def paperless_ai(root: Path) -> Container:
    tree = read_tree(root)
    workload = tree.get("Deployment", "docs", "paperless-ai")
    assert workload is not None and workload.file == root / WHERE[0]
    return pod(tree, workload, lambda _secret, key: key).container("paperless-ai")


def test_the_reference_deployment_runs_pm2_itself_so_the_configmaps_rag_switch_counts(release: Path) -> None:
    app = paperless_ai(REFERENCE)

    launch = local_launch(entrypoint(app.command, app.args, *WHERE), release)

    assert app.command == ["pm2-runtime", "ecosystem.config.js"] and app.env["RAG_SERVICE_ENABLED"] == "false"
    assert "RAG_SERVICE_ENABLED" not in launch.env and launch.argv == [str(release / "server.js")]


def test_without_the_command_the_pod_would_run_rag_whatever_the_configmap_says(
    release: Path, tmp_path: Path
) -> None:
    manifests = apply([{"file": WHERE[0], "doc": 1, "remove": "spec.template.spec.containers.0.command"}],
                      tmp_path / "m")  # fmt: skip
    app = paperless_ai(manifests)

    launch = local_launch(entrypoint(app.command, app.args, *WHERE), release)

    assert app.env["RAG_SERVICE_ENABLED"] == "false" and launch.env["RAG_SERVICE_ENABLED"] == "true"


def test_a_process_file_node_cannot_read_is_a_named_error_with_nodes_reason(release: Path) -> None:
    (release / "broken.config.js").write_text("module.exports = {apps: [\n")

    with pytest.raises(
        ComponentError, match=r"reading the PM2 process file .*broken\.config\.js: node exited 1"
    ):
        local_launch(entrypoint(["pm2-runtime", "broken.config.js"], None, *WHERE), release)
