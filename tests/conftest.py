"""The project's own tests as one session: the benchmarks first, on a quiet machine; then the unit and
report tests while the session's pool runs every child run (tests/controls/runner.py ``ChildPool``);
then the controls and mutants, which take their children's results; the suites last, alone."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.controls.runner import POOL_KEY, ChildPool

ORDER = ("tests/bench/", "tests/unit/", "tests/report/", "tests/controls/", "tests/mutants/")
# Modules whose child runs the pool starts, slowest first: the owner-style tree's whole run (~3 min
# alone), then the mutants (slow ones first within), the four endings, the two killed components.
POOLED = (
    "tests.controls.test_owner_style_tree",
    "tests.mutants.test_mutants",
    "tests.controls.test_no_leftovers",
    "tests.controls.test_dead_component",
)
# Runs whose verdict is pinned test by test, timing budgets included (the owner-style tree's failover
# and resilience tests): alone in the pool, no other child beside it, as the suites' own run is.
ALONE = ("tests.controls.test_owner_style_tree",)
ROOT_KEY = pytest.StashKey[Path]()
LAST_BENCH_KEY = pytest.StashKey[str]()


def _group(item: pytest.Item) -> int:
    path = item.nodeid
    return next((n for n, prefix in enumerate(ORDER) if path.startswith(prefix)), len(ORDER))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``ORDER``, then the suites; stable within each. Before the plugin's own sort, which then puts
    the lint first (fixtures/plugin.py), keeping this order behind it."""
    items.sort(key=_group)


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if config.option.collectonly or not session.items:
        return
    modules = {item.module.__name__: item.module for item in session.items if hasattr(item, "module")}  # type: ignore[attr-defined]
    chosen = [modules[name] for name in POOLED if name in modules]
    if not chosen:
        return
    pool = ChildPool()
    config.stash[POOL_KEY] = pool
    config.stash[ROOT_KEY] = root = Path(tempfile.mkdtemp(prefix="conformance-children-"))
    for module in chosen:
        for key, job in module.child_runs(session.items, root / module.__name__.rsplit(".", 1)[-1]).items():
            pool.submit(key, job, alone=module.__name__ in ALONE)
    benches = [item.nodeid for item in session.items if _group(item) == 0]
    if benches:
        config.stash[LAST_BENCH_KEY] = benches[-1]  # the pool starts once it is done
    else:
        pool.open()  # no benchmark to keep quiet for


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    pool = item.config.stash.get(POOL_KEY, None)
    if pool is not None and item.nodeid == item.config.stash.get(LAST_BENCH_KEY, ""):
        pool.open()  # the benchmarks are over


def pytest_sessionfinish(session: pytest.Session) -> None:
    pool = session.config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()  # queued runs are dropped; a running child dies with the session (PDEATHSIG)
    root = session.config.stash.get(ROOT_KEY, None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
