"""The doubles image (./Dockerfile) holds what the kind manifests run, and needs nothing it lacks.

No Docker engine here: the image is checked by reading. Starting from each module the kind
Deployments run, the import closure inside ``fixtures`` is walked; every third-party package it
reaches must be in requirements-doubles.txt, the only thing the image installs.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from fixtures.stack.factory import DOUBLES_IMAGE
from fixtures.stack.kube.render import render_manifests
from tests.controls.runner import REPO

DISTRIBUTION_OF = {"yaml": "pyyaml"}


def _module_file(name: str) -> Path:
    path = REPO / Path(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def closure(start: str) -> tuple[set[str], set[str]]:
    """(fixtures modules reached, third-party top-level imports) from ``start``."""
    seen: set[str] = set()
    third_party: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or not _module_file(name).exists():
            continue
        seen.add(name)
        # importing a module runs its packages' __init__ first: the image needs them too
        todo.extend(name.rsplit(".", depth)[0] for depth in range(1, name.count(".") + 1))
        for node in ast.walk(ast.parse(_module_file(name).read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for imported in names:
                top = imported.split(".")[0]
                if top == "fixtures":
                    todo.append(imported)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    third_party.add(top)
    return seen, third_party


def test_the_kind_deployments_run_the_doubles_image_that_is_never_pulled() -> None:
    doubles = [
        o
        for o in render_manifests(REPO / "manifests", "kind")
        if o["kind"] == "Deployment"
        and o["spec"]["template"]["spec"]["containers"][0]["image"] == DOUBLES_IMAGE
    ]

    assert {o["metadata"]["name"] for o in doubles} == {"vllm-server", "ollama", "openai-standin"}
    assert all(o["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never" for o in doubles)


def test_every_module_the_image_runs_imports_only_what_the_image_installs() -> None:
    wanted = {
        line.split("==")[0].strip().lower()
        for line in (REPO / "requirements-doubles.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    start = "fixtures.doubles.tiers.__main__"  # the only module the kind Deployments run from the image
    modules, third_party = closure(start)
    missing = {DISTRIBUTION_OF.get(top, top) for top in third_party} - wanted
    assert len(modules) >= 3 and not missing, (
        f"{start} needs {sorted(missing)}, not in requirements-doubles.txt"
    )


def test_the_dockerfile_installs_the_doubles_requirements_and_copies_what_the_tiers_import() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    copied = [
        source
        for line in re.findall(r"^COPY (.+)$", dockerfile, re.M)
        for source in line.split()[:-1]
        if source.startswith("fixtures/")
    ]
    modules, _ = closure("fixtures.doubles.tiers.__main__")
    files = {str(_module_file(name).relative_to(REPO)) for name in modules}
    uncopied = sorted(f for f in files if not any(f == c or f.startswith(c) for c in copied))

    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    assert "pip install --no-cache-dir -r requirements-doubles.txt" in dockerfile
    assert re.search(r"^USER \d+$", dockerfile, re.M)
    assert not uncopied, f"the tiers import these, which the image does not copy: {uncopied}"
    assert "fixtures/" not in copied, "the whole harness is copied into the doubles image"
