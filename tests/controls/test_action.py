"""The composite GitHub Action (``action.yml``), its steps run the way a runner runs them.

A runner runs each ``run:`` step in bash with ``GITHUB_ACTION_PATH``, ``GITHUB_WORKSPACE``,
``RUNNER_TEMP`` and a fresh ``GITHUB_OUTPUT`` file, after substituting ``${{ ... }}`` expressions;
a step without ``if:`` runs only while every earlier step succeeded, ``if: always()`` runs anyway;
a ``uses:`` step (the artifact upload) is not run here: its ``path`` must exist and hold the report.
The workspace holds the owner-style example tree (the lint fails on it) or its fixed copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.lint.fix import fix_tree
from tests.controls.runner import REPO

EXAMPLE = REPO / "examples" / "home-lab-14.3" / "applications"
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")

pytestmark = pytest.mark.control


def run_action(workspace: Path, temp: Path, inputs: dict[str, str]) -> dict[str, Any]:
    """Every step of action.yml as a runner would; the action's outputs, each step's status, uploads."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    steps: dict[str, dict[str, str]] = {}
    failed, statuses, uploads = False, [], []

    def value(expression: str) -> str:
        scope, _, rest = expression.partition(".")
        if scope == "inputs":
            spec = action["inputs"][rest]
            return inputs.get(rest, str(spec.get("default", "")))
        if scope == "steps":
            step_id, _, key = rest.partition(".outputs.")
            return steps.get(step_id, {}).get(key, "")
        return {"runner.temp": str(temp), "github.action_path": str(REPO)}[expression]

    def expand(text: str) -> str:
        return _EXPR.sub(lambda m: value(m.group(1)), text)

    for index, step in enumerate(action["runs"]["steps"]):
        if failed and step.get("if") != "always()":
            statuses.append("skipped")
            continue
        if "uses" in step:
            uploads.append(Path(expand(step["with"]["path"])))
            statuses.append("not run here")
            continue
        output = temp / f"output-{index}"
        output.write_text("")
        env = dict(os.environ, GITHUB_ACTION_PATH=str(REPO), GITHUB_WORKSPACE=str(workspace),
                   RUNNER_TEMP=str(temp), GITHUB_OUTPUT=str(output))  # fmt: skip
        env.update({key: expand(str(v)) for key, v in (step.get("env") or {}).items()})
        done = subprocess.run(["bash", "-e", "-c", expand(step["run"])], env=env, capture_output=True,
                              text=True, timeout=900, check=False)  # fmt: skip
        statuses.append(done.returncode)
        failed = failed or done.returncode != 0
        lines = [line.partition("=") for line in output.read_text().splitlines() if "=" in line]
        steps[str(step.get("id", index))] = {key: val for key, _, val in lines}
    outputs = {name: expand(spec["value"]) for name, spec in action["outputs"].items()}
    return {"outputs": outputs, "statuses": statuses, "uploads": uploads, "steps": steps}


def _workspace(path: Path, tree: Path) -> Path:
    shutil.copytree(tree, path / "applications")
    return path


def test_the_action_fails_on_the_owner_style_tree_with_its_verdict_and_uploads_the_report(
    tmp_path: Path,
) -> None:
    ran = run_action(_workspace(tmp_path / "ws", EXAMPLE), tmp_path, {"manifests": "applications",
                                                                      "pytest-args": "-m lint"})  # fmt: skip

    assert ran["steps"]["run"]["status"] == "1", ran
    assert ran["outputs"]["headline"].startswith("SIGN-OFF FAIL"), ran["outputs"]
    assert '"lint": "fail"' in ran["outputs"]["verdicts"], ran["outputs"]
    assert ran["statuses"][-1] == 1, f"the last step must fail with the verdict: {ran['statuses']}"
    assert all((upload / "signoff.html").is_file() for upload in ran["uploads"]), ran["uploads"]


def test_the_action_passes_the_lint_on_the_fixed_tree(tmp_path: Path) -> None:
    fixed = tmp_path / "fixed"
    fix_tree(EXAMPLE, fixed)
    ran = run_action(_workspace(tmp_path / "ws", fixed), tmp_path, {"manifests": "applications",
                                                                    "pytest-args": "-m lint"})  # fmt: skip

    assert ran["steps"]["run"]["status"] == "0", ran
    assert '"lint": "pass"' in ran["outputs"]["verdicts"], ran["outputs"]
    assert ran["statuses"][-1] == 0, ran["statuses"]
