"""The run's PostgreSQL (``fixtures.paperless_ngx.postgres``) against Debian's real server: a cluster
copied from the install's template, a database created from the migrated template and handed to the
tree's role, a password that TCP asks for, and nothing left after ``stop()``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fixtures.core.processes import Supervisor, pid_alive
from fixtures.core.timeouts import Timeouts
from fixtures.paperless_ngx.install import installed, postgres_template_version
from fixtures.paperless_ngx.postgres import TEMPLATE_CLUSTER, PostgresServer, binaries


def _psql_tcp(
    server: PostgresServer, user: str, password: str, database: str, sql: str
) -> subprocess.CompletedProcess[str]:
    argv = [str(server.bindir / "psql"), "-X", "-At", "-h", "127.0.0.1", "-p", str(server.port), "-U", user]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"PGPASSWORD": password}
    return subprocess.run(
        [*argv, "-d", database, "-c", sql], capture_output=True, text=True, env=env, timeout=30
    )


def test_a_runs_database_comes_from_the_migrated_template_owned_by_the_trees_role(
    tmp_path: Path, supervisor: Supervisor
) -> None:
    install, bindir = installed(), binaries()
    if install is None or bindir is None or postgres_template_version(install) is None:
        pytest.skip("needs Debian's PostgreSQL and the install's template cluster (make setup)")
    server = PostgresServer(supervisor, bindir, tmp_path / "postgresql.log", Timeouts())
    try:
        server.copy_from(install / TEMPLATE_CLUSTER)
        server.start()
        server.create_database("paperless", "paperless_user", "s3cret'quote")
        owners = _psql_tcp(
            server, "paperless_user", "s3cret'quote", "paperless",
            "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename LIKE 'documents_%'",
        )  # fmt: skip
        refused = _psql_tcp(server, "paperless_user", "wrong", "paperless", "SELECT 1")
        pid = server.process.pid if server.process else None
    finally:
        server.stop(10.0)
    assert owners.returncode == 0, owners.stderr
    assert owners.stdout.split() == ["paperless_user"], "the migrated tables belong to the tree's role"
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr
    assert pid is not None and not pid_alive(pid) and not server.home.exists()
