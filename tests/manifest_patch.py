"""Copy the reference manifests with a change to LiteLLM's config.yaml (unit tests, broken-input controls).

The mutant catalog uses its own declarative patches (``tests/mutants/patch.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REFERENCE = Path(__file__).resolve().parents[1] / "manifests"
LITELLM = Path("litellm/configmap.yaml")


def patched_manifests(target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """``target`` holds the reference manifests with ``change`` applied to the parsed config.yaml."""
    shutil.copytree(REFERENCE, target, dirs_exist_ok=True)
    path = target / LITELLM
    doc = yaml.safe_load(path.read_text())
    config = yaml.safe_load(doc["data"]["config.yaml"])
    change(config)
    doc["data"]["config.yaml"] = yaml.safe_dump(config, sort_keys=False)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return target
