"""Installing the real Paperless-AI: only the pinned release tree, verified before npm runs, cached.

The real install (npm ci, ~3 min) is what ``make setup`` does and the suites run; here the checks
around it run on small archives made in the test, with the cache in a temporary folder.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from fixtures.core.errors import ComponentError
from fixtures.paperless_ai import install as installer
from fixtures.release import tree_checksum


def archive(path: Path, files: dict[str, str], top: str = "paperless-ai-3.0.9") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


RELEASE = {
    "server.js": "// server\n",
    "config/config.js": "module.exports = { PAPERLESS_AI_VERSION: '3.0.9' };\n",
}


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_tree_checksum_covers_paths_and_contents_but_not_node_modules(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "config").mkdir(parents=True)
    (tree / "server.js").write_text("a")
    (tree / "config" / "config.js").write_text("b")
    before = tree_checksum(tree)
    (tree / "node_modules" / "x").mkdir(parents=True)
    (tree / "node_modules" / "x" / "index.js").write_text("installed later")

    assert tree_checksum(tree) == before
    (tree / "server.js").rename(tree / "main.js")
    assert tree_checksum(tree) != before


def test_a_release_of_another_version_is_refused_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = dict(RELEASE, **{"config/config.js": "module.exports = { PAPERLESS_AI_VERSION: '3.0.7' };\n"})
    monkeypatch.setenv(
        installer.ARCHIVE_ENV, str(archive(tmp_path / "old.tar.gz", other, "paperless-ai-3.0.7"))
    )

    with pytest.raises(ComponentError, match=r"holds release 3\.0\.7; the suite pins 3\.0\.9"):
        installer.install()
    assert installer.installed() is None


def test_a_tree_that_says_3_0_9_but_differs_is_refused_before_npm_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(archive(tmp_path / "fake.tar.gz", RELEASE)))
    monkeypatch.setattr(installer, "_npm_ci", lambda *_: pytest.fail("npm ran on an unverified tree"))

    with pytest.raises(ComponentError, match=r"checksum is .* the pinned 3\.0\.9 tree's is"):
        installer.install()


def test_an_archive_that_is_not_a_release_tree_and_a_missing_one_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(installer.ARCHIVE_ENV, str(archive(tmp_path / "x.tar.gz", {"README": "hi"})))
    with pytest.raises(ComponentError, match="is not a release tree"):
        installer.install()

    monkeypatch.setenv(installer.ARCHIVE_ENV, str(tmp_path / "nowhere.tar.gz"))
    with pytest.raises(
        ComponentError, match=r"\$PAPERLESS_AI_ARCHIVE names .*nowhere\.tar\.gz, which is not a file"
    ):
        installer.install()


def test_a_completed_install_is_found_and_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    target = installer.install_dir()
    target.mkdir(parents=True)
    (target / installer.STAMP).write_text("3.0.9\n")
    monkeypatch.setattr(
        installer, "archive_path", lambda: pytest.fail("a second setup looked for the archive")
    )

    assert installer.installed() == target
    assert installer.install() == target
    assert installer.main(["--print-dir"]) == 0


def test_the_offline_copy_beside_the_checkout_is_the_pinned_release_when_present() -> None:
    if not installer.OFFLINE_COPY.is_file():
        pytest.skip(f"needs the offline copy at {installer.OFFLINE_COPY}")
    with tarfile.open(installer.OFFLINE_COPY) as tar:
        names = tar.getnames()
    assert "paperless-ai-3.0.9/config/config.js" in names and "paperless-ai-3.0.9/server.js" in names
