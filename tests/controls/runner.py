"""Run the conformance suites in a child pytest and read back what each test did (JUnit XML)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")
CHILDREN_AT_ONCE = 3  # child runs of the session pool side by side (the mutants' measured best on 2 cores)


def die_with_parent() -> None:
    """In a child run, between fork and exec: SIGTERM when the thread that started it ends (with the
    session: a child run outlives no Ctrl-C; its own pytest then tears its stack down)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ChildPool:
    """Every child run of the session in one pool, ``CHILDREN_AT_ONCE`` at a time.

    Each module that starts child runs names them (a module function ``child_runs(items, root)``:
    key -> job); the session submits them all once collection is done, slowest first, and the pool
    starts them once the benchmarks are over (they measure on a quiet machine). So the children of
    every module run while the session runs other tests, and the pool is never idle between
    modules; a module's fixture then takes its results (``pooled``). A job submitted ``alone`` runs
    with no other child beside it (a run whose verdict includes timing budgets, as the suites' own
    run does); the others wait for it. Workers are daemon threads: at the session's end queued jobs
    are dropped and a running child dies with the session."""

    def __init__(self, parallel: int = CHILDREN_AT_ONCE) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], Any], Future[Any], bool]] = queue.Queue()
        self._futures: dict[str, Future[Any]] = {}
        self._slots = threading.Condition()  # guards the three counts below
        self._running = 0
        self._alone_running = False
        self._alone_waiting = 0
        self._gate = threading.Event()
        self._closed = threading.Event()
        for n in range(parallel):
            threading.Thread(target=self._work, name=f"child runs {n}", daemon=True).start()

    def submit(self, key: str, job: Callable[[], Any], alone: bool = False) -> None:
        if key not in self._futures:
            future: Future[Any] = Future()
            self._futures[key] = future
            self._jobs.put((job, future, alone))

    def has(self, key: str) -> bool:
        return key in self._futures

    def result(self, key: str) -> Any:
        self.open()  # a module run on its own (-k) need not wait for a benchmark that is not selected
        return self._futures[key].result()

    def open(self) -> None:
        self._gate.set()

    def close(self) -> None:
        self._closed.set()
        self._gate.set()

    def _work(self) -> None:
        while True:
            job, future, alone = self._jobs.get()
            self._gate.wait()
            if self._closed.is_set():
                future.cancel()
                continue
            if not future.set_running_or_notify_cancel():
                continue
            self._enter(alone)
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to the fixture that takes it, in its own thread
                future.set_exception(exc)
            finally:
                self._leave()

    def _enter(self, alone: bool) -> None:
        """A job ``alone`` waits until no child runs; while it waits or runs, no other starts."""
        with self._slots:
            if alone:
                self._alone_waiting += 1
                self._slots.wait_for(lambda: self._running == 0)
                self._alone_waiting -= 1
                self._alone_running = True
            else:
                self._slots.wait_for(lambda: not self._alone_running and not self._alone_waiting)
            self._running += 1

    def _leave(self) -> None:
        with self._slots:
            self._running -= 1
            self._alone_running = False if self._running == 0 else self._alone_running
            self._slots.notify_all()


POOL_KEY = pytest.StashKey[ChildPool]()


def pooled(request: pytest.FixtureRequest, jobs: dict[str, Callable[[], T]], parallel: int) -> dict[str, T]:
    """The results of ``jobs`` (key -> job): from the session's pool where it started them, the rest
    side by side here (a module run without tests/conftest.py's pool, or a job it did not know)."""
    pool = request.config.stash.get(POOL_KEY, None)
    found: dict[str, T] = {}
    here = [key for key in jobs if pool is None or not pool.has(key)]
    if here:
        found.update(side_by_side(lambda key: jobs[key](), here, parallel))
    for key in jobs:
        if key not in found:
            assert pool is not None
            found[key] = pool.result(key)
    return {key: found[key] for key in jobs}


@dataclass
class JunitOutcome:
    name: str  # test function name with its parameters, e.g. test_x[hung]
    result: str  # passed | failed | error | skipped
    message: str


@dataclass
class SuiteRun:
    returncode: int
    outcomes: dict[str, JunitOutcome]
    output: str

    def failed(self) -> set[str]:
        return {name for name, o in self.outcomes.items() if o.result == "failed"}

    def errors(self) -> set[str]:
        return {name for name, o in self.outcomes.items() if o.result == "error"}


def selected(request: pytest.FixtureRequest, param: str) -> list[Any]:
    """``param``'s value in each test of the requesting module that this session runs (``-k`` runs
    fewer): a module fixture that starts child runs for all its tests starts only these."""
    return [
        item.callspec.params[param]
        for item in request.session.items
        if item.module is request.module and param in getattr(getattr(item, "callspec", None), "params", {})
    ]


def params_of(items: Iterable[pytest.Item], module: str, param: str) -> list[Any]:
    """``param``'s value in each selected test of ``module`` (its ``__name__``): ``selected`` for a
    session's hook, which has the items but no fixture request."""
    return [
        item.callspec.params[param]
        for item in items
        if getattr(item, "module", None) is not None
        and item.module.__name__ == module  # type: ignore[attr-defined]
        and param in getattr(getattr(item, "callspec", None), "params", {})
    ]


def side_by_side(run: Callable[[str], T], keys: Iterable[str], parallel: int) -> dict[str, T]:
    """``run(key)`` for every key, ``parallel`` at a time (each starts its own child run): by key."""
    keys = list(keys)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return dict(zip(keys, pool.map(run, keys), strict=True))


def child_pytest(selection: list[str], reports: Path, *options: str) -> tuple[list[str], dict[str, str]]:
    """argv and environment of a child ``pytest <selection>`` writing its reports under ``reports``."""
    argv = [sys.executable, "-m", "pytest", *selection, "-p", "no:cacheprovider", "-q",
            "--reports", str(reports), *options]  # fmt: skip
    return argv, dict(os.environ, PYTHONPATH=str(REPO))


def run_suites(
    selection: list[str], manifests: Path, workdir: Path, timeout: float = 300, allure_html: bool = False
) -> SuiteRun:
    """``pytest <selection> --manifests <manifests>`` in a child process, reports under ``workdir``.

    The Allure HTML (seconds of Node.js per run) is only built when asked for.
    """
    html = "auto" if allure_html else "off"
    argv, env = child_pytest(
        selection, workdir / "reports", "--manifests", str(manifests), "--allure-html", html
    )
    done = subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        preexec_fn=die_with_parent,
    )  # fmt: skip
    junit = workdir / "reports" / "latest" / "junit.xml"  # where every run writes it by default
    return SuiteRun(done.returncode, _outcomes(junit), done.stdout[-6000:] + done.stderr[-3000:])


def _outcomes(junit: Path) -> dict[str, JunitOutcome]:
    if not junit.exists():
        return {}
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        result, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                result = {"failure": "failed"}.get(tag, tag)
                message = (node.get("message") or "") + "\n" + (node.text or "")
                break
        found[case.get("name", "")] = JunitOutcome(case.get("name", ""), result, message)
    return found
