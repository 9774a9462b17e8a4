"""Copy the reference manifests with a small declarative change: LiteLLM's config.yaml, Paperless-AI's
ConfigMap, or a seeded ``paperless-ai/data.env`` (the persistent volume's file)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

REFERENCE = Path(__file__).resolve().parents[1] / "manifests"
LITELLM = Path("litellm/configmap.yaml")
PAPERLESS_AI = Path("paperless-ai/configmap.yaml")


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


def patched_paperless_ai(
    target: Path, data: dict[str, str | None] | None = None, dotenv: dict[str, str] | None = None
) -> Path:
    """``target`` holds the reference manifests with Paperless-AI's ConfigMap ``data`` changed
    (a None value removes the key) and, when given, a seeded ``data/.env``."""
    shutil.copytree(REFERENCE, target, dirs_exist_ok=True)
    path = target / PAPERLESS_AI
    doc = yaml.safe_load(path.read_text())
    for key, value in (data or {}).items():
        if value is None:
            doc["data"].pop(key, None)
        else:
            doc["data"][key] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    if dotenv is not None:
        (target / "paperless-ai" / "data.env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()))
    return target
