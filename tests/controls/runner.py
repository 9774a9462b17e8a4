"""Run the conformance suites in a child pytest and read back what each test did (JUnit XML)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


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
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
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
