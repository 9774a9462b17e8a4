"""Installing the real Paperless-ngx: only the pinned source tree, verified before uv runs, cached.

The real install (uv sync and migrate, ~35 s) is what setup does; here the checks around it run on
small archives made in the test, with the cache in a temporary folder and no Debian package touched.
The settings the local stack derives from the Deployment are checked on the reference manifests.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from fixtures.core.errors import ComponentError, ManifestError
from fixtures.core.run import Run
from fixtures.core.timeouts import Timeouts
from fixtures.discovery import discover
from fixtures.paperless_ngx import install as installer
from fixtures.paperless_ngx import real
from fixtures.paperless_ngx.real import RealPaperlessNgx, deployment_env, django_password
from fixtures.release import tree_checksum
from fixtures.report.run_folder import RunFolder

REPO = Path(__file__).resolve().parents[2]
ARCHIVE_SHA256 = "3d5f5cbd7bb6625f2370c7e04adbc50af85cdade4f03107fbeef7fd10fc6f51d"  # shared/vendor/README.md


def release(version: str = "2.18.4", module: str | None = None) -> dict[str, str]:
    numbers = ", ".join((module or version).split("."))
    return {
        "pyproject.toml": f'[project]\nname = "paperless-ngx"\nversion = "{version}"\n',
        "src/paperless/version.py": f"__version__: Final[tuple[int, int, int]] = ({numbers})\n",
        "src/manage.py": "# manage\n",
        "uv.lock": "version = 1\n",
    }


def archive(path: Path, files: dict[str, str], top: str = "paperless-ngx-2.18.4") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(installer, "ensure_debian_packages", lambda: None)
    monkeypatch.setattr(installer, "_sync", lambda *_: pytest.fail("uv ran on an unverified tree"))
    return tmp_path / "cache"


def test_the_version_is_read_from_pyproject_and_must_match_version_py(tmp_path: Path) -> None:
    for name, text in release().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert installer.release_version(tmp_path) == "2.18.4"

    (tmp_path / "src/paperless/version.py").write_text("__version__ = (2, 18, 3)\n")
    with pytest.raises(ComponentError, match=r"pyproject\.toml says 2\.18\.4, .*version\.py says 2\.18\.3"):
        installer.release_version(tmp_path)


def test_a_release_of_another_version_is_refused_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = archive(tmp_path / "old.tar.gz", release("2.17.1"), "paperless-ngx-2.17.1")
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(old))

    with pytest.raises(ComponentError, match=r"holds release 2\.17\.1; the suite pins 2\.18\.4"):
        installer.install()
    assert installer.installed() is None


def test_a_tree_that_says_2_18_4_but_differs_is_refused_before_uv_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(archive(tmp_path / "fake.tar.gz", release())))

    with pytest.raises(ComponentError, match=r"checksum is .* the pinned 2\.18\.4 tree's is"):
        installer.install()
    assert not installer.install_dir().exists()


def test_an_archive_that_is_not_a_source_tree_and_a_missing_one_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(archive(tmp_path / "x.tar.gz", {"README.md": "hi"})))
    with pytest.raises(ComponentError, match="is not a release tree"):
        installer.install()

    monkeypatch.setenv(installer.ARCHIVE_ENV, str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(
        ComponentError, match=r"\$PAPERLESS_NGX_ARCHIVE names .*nowhere\.tar\.gz, which is not"
    ):
        installer.install()


def test_a_failed_sync_leaves_no_half_install_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = archive(tmp_path / "fake.tar.gz", release())
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(fake))
    with tarfile.open(fake) as tar:
        tar.extractall(tmp_path / "tree", filter="data")
    monkeypatch.setattr(installer, "TREE_SHA256", tree_checksum(tmp_path / "tree/paperless-ngx-2.18.4"))

    def broken(*_: Any) -> None:
        raise ComponentError("Paperless-ngx install", "uv sync exited 2")

    monkeypatch.setattr(installer, "_sync", broken)
    with pytest.raises(ComponentError, match="uv sync exited 2"):
        installer.install()
    assert installer.installed() is None and not installer.install_dir().exists()


def test_a_completed_install_is_found_and_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    target = installer.install_dir()
    target.mkdir(parents=True)
    (target / installer.STAMP).write_text("2.18.4\n")
    (target / installer.TEMPLATE_CLUSTER).mkdir(parents=True)
    (target / installer.TEMPLATE_CLUSTER / "PG_VERSION").write_text("15\n")
    (target / installer.POSTGRES_STAMP).write_text("15.18\n")
    monkeypatch.setattr(installer, "server_version", lambda _bindir: "15.18")
    monkeypatch.setattr(
        installer, "archive_path", lambda: pytest.fail("a second setup looked for the archive")
    )
    monkeypatch.setattr(installer, "_sync", lambda *_: pytest.fail("a second setup synced again"))

    assert installer.installed() == target
    assert installer.install() == target
    assert installer.main(["--print-dir"]) == 0


def test_an_install_without_the_postgresql_template_or_of_another_server_version_gets_it_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An install of an earlier setup (no postgres extra, no template), or one whose template another
    PostgreSQL major made, is completed: the extra synced, the template migrated, the version stamped."""
    target = installer.install_dir()
    target.mkdir(parents=True)
    (target / installer.STAMP).write_text("2.18.4\n")
    made: list[str] = []
    monkeypatch.setattr(installer, "server_version", lambda _bindir: "16.4")
    monkeypatch.setattr(installer, "_sync", lambda tree, log: made.append("sync"))

    def build(template: Path, log: Path, migrate: object) -> str:
        template.mkdir(parents=True, exist_ok=True)
        (template / "PG_VERSION").write_text("16\n")
        made.append("template")
        return "16.4"

    monkeypatch.setattr(installer, "build_template", build)
    (target / installer.POSTGRES_STAMP).parent.mkdir(parents=True, exist_ok=True)
    (target / installer.POSTGRES_STAMP).write_text("15.18\n")  # made by the earlier server

    assert installer.install() == target
    assert made == ["sync", "template"]
    assert installer.postgres_template_version(target) == "16.4"
    assert installer.install() == target and made == ["sync", "template"], "made once"


def test_missing_debian_packages_are_named_when_not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real package check, on stand-ins for the machine
    gone = {"poppler-utils", "ghostscript"}
    packages = tuple(
        installer.DebianPackage(p.name, p.why, lambda name=p.name: name not in gone)
        for p in installer.PACKAGES
    )
    monkeypatch.setattr(installer, "PACKAGES", packages)
    monkeypatch.setattr(installer.os, "geteuid", lambda: 1000)

    with pytest.raises(ComponentError, match=r"poppler-utils \(a PDF's text layer\), ghostscript .*"):
        installer.ensure_debian_packages()


def test_missing_debian_packages_are_installed_with_apt_get_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    installed: set[str] = set()
    packages = tuple(
        installer.DebianPackage(
            p.name, p.why, lambda name=p.name: name != "redis-server" or name in installed
        )
        for p in installer.PACKAGES
    )
    ran: list[list[str]] = []

    def apt(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(argv)
        installed.update(argv[5:] if "install" in argv else [])
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(installer, "PACKAGES", packages)
    monkeypatch.setattr(installer.os, "geteuid", lambda: 0)
    monkeypatch.setattr(installer.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(installer.subprocess, "run", apt)

    installer.ensure_debian_packages()
    assert ran == [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "redis-server"],
    ]


def test_the_offline_copy_beside_the_checkout_is_the_pinned_archive_when_present() -> None:
    if not installer.OFFLINE_COPY.is_file():
        pytest.skip(f"needs the offline copy at {installer.OFFLINE_COPY}")
    assert hashlib.sha256(installer.OFFLINE_COPY.read_bytes()).hexdigest() == ARCHIVE_SHA256


def test_the_local_settings_map_every_cluster_address_and_generate_the_secrets(tmp_path: Path) -> None:
    topology = discover(REPO / "manifests")
    deployed = deployment_env(topology)
    assert deployed["PAPERLESS_ADMIN_USER"] == "admin" and "svc.cluster.local" in deployed["PAPERLESS_REDIS"]

    ngx = RealPaperlessNgx(tmp_path, topology, tmp_path, Run(RunFolder(tmp_path / "run")), Timeouts())
    env, changes = ngx.environment()
    assert env["PAPERLESS_REDIS"] == f"redis://127.0.0.1:{ngx.redis_port}"
    assert env["PAPERLESS_URL"] == ngx.url and not any("cluster.local" in v for v in env.values())
    assert env["PAPERLESS_SECRET_KEY"] != deployed["PAPERLESS_SECRET_KEY"]
    assert env["PAPERLESS_SECRET_KEY"] in ngx.run.secrets.known().values()
    assert {
        "key": "PAPERLESS_SECRET_KEY",
        "deployed": "(Secret)",
        "local": "generated for this run",
    } in changes


def test_the_admin_password_is_stored_as_django_s_pbkdf2_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    assert real._PBKDF2_ITERATIONS == 1_000_000  # Django 5.2's; fewer here, to keep the test fast
    monkeypatch.setattr(real, "_PBKDF2_ITERATIONS", 1000)
    algorithm, iterations, salt, digest = django_password("correct horse").split("$")
    expected = hashlib.pbkdf2_hmac("sha256", b"correct horse", salt.encode(), int(iterations))
    assert algorithm == "pbkdf2_sha256" and base64.b64decode(digest) == expected


def test_redis_runs_as_its_deployment_says_with_the_runs_changes_recorded(tmp_path: Path) -> None:
    from tests.manifest_patch import apply

    topology = discover(REPO / "manifests")
    ngx = RealPaperlessNgx(tmp_path, topology, tmp_path, Run(RunFolder(tmp_path / "run")), Timeouts())
    argv, record = ngx.redis_argv()
    assert argv[:3] == ["redis-server", "--port", str(ngx.redis_port)] and "--save" in argv
    assert "readinessProbe" in record["not_reproduced"]  # type: ignore[operator]

    op = {"file": "paperless-ngx/deployment.yaml", "doc": 2, "set": "spec.template.spec.containers.0.args",
          "value": ["--maxmemory", "64mb"]}  # fmt: skip
    ngx.topology = discover(apply([op], tmp_path / "m1"))
    assert ngx.redis_argv()[0][1:3] == ["--maxmemory", "64mb"], "the Pod's args come first, ours after"

    op = {"file": "paperless-ngx/deployment.yaml", "doc": 2, "set": "spec.template.spec.containers.0.command",
          "value": ["sh", "-c", "sleep 1"]}  # fmt: skip
    ngx.topology = discover(apply([op], tmp_path / "m2"))
    with pytest.raises(ManifestError, match="only redis-server runs locally"):
        ngx.redis_argv()


def test_helm_values_naming_postgresql_get_this_runs_server_and_a_generated_password(tmp_path: Path) -> None:
    """The owner-style values (PAPERLESS_DBENGINE postgresql, a host in another namespace, the password a
    placeholder set at deploy time): the host and port become this run's server, the password is
    generated and registered, the names and the workers stay as set."""
    topology = discover(REPO / "examples" / "home-lab-14.3")
    ngx = RealPaperlessNgx(tmp_path, topology, tmp_path, Run(RunFolder(tmp_path / "run")), Timeouts())
    assert ngx.engine == "postgresql" and ngx.postgres is not None
    env, changes = ngx.environment()
    assert env["PAPERLESS_DBHOST"] == "127.0.0.1" and env["PAPERLESS_DBPORT"] == str(ngx.postgres.port)
    assert env["PAPERLESS_DBNAME"] == "paperless" and env["PAPERLESS_DBUSER"] == "paperless_user"
    assert env["PAPERLESS_DBPASS"] == ngx.db_password != "set-at-deploy-time"
    assert ngx.db_password in ngx.run.secrets.known().values() and ngx.db_password in ngx.generated.values()
    assert env["PAPERLESS_TASK_WORKERS"] == "2" and env["PAPERLESS_CONSUMER_DELETE_DUPLICATES"] == "true"
    assert {"key": "PAPERLESS_DBPASS", "deployed": "(Secret)", "local": "generated for this run"} in changes
    assert not any(c["local"].startswith("(unset") for c in changes if c["key"].startswith("PAPERLESS_DB"))
    assert [c.name for c in ngx.components()] == ["Paperless-ngx", "PostgreSQL"]
    assert "the tree deploys ghcr.io/paperless-ngx/paperless-ngx:latest, not pinned to 2.18.4" in (
        ngx.component().note
    )


@pytest.mark.parametrize(
    ("extra", "engine"),
    [
        ({}, "sqlite"),  # no PAPERLESS_DBHOST: SQLite, whatever PAPERLESS_DBENGINE says
        ({"PAPERLESS_DBHOST": "db"}, "postgresql"),  # the engine defaults to PostgreSQL
        ({"PAPERLESS_DBHOST": "db", "PAPERLESS_DBENGINE": "mariadb"}, "mariadb"),
    ],
)
def test_the_database_is_the_one_paperless_ngx_would_choose_from_the_settings(
    tmp_path: Path, extra: dict[str, str], engine: str
) -> None:
    """settings.py (_parse_db_settings): PAPERLESS_DBHOST decides, PAPERLESS_DBENGINE only picks MariaDB."""
    topology = discover(REPO / "manifests")
    ngx = RealPaperlessNgx(tmp_path, topology, tmp_path, Run(RunFolder(tmp_path / "run")), Timeouts())
    ngx.deployed = {**ngx.deployed, **extra}
    assert ngx.engine == engine
    if engine == "mariadb":  # not run here: SQLite, each setting a recorded change
        env, changes = ngx.environment()
        assert "PAPERLESS_DBHOST" not in env
        assert any(c["key"] == "PAPERLESS_DBENGINE" and "no MariaDB" in c["local"] for c in changes)
