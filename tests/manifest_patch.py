"""The one manifest patcher of the project's tests: a copy of the reference manifests, changed.

Declarative patches (``apply``; the mutant catalog's form) are lists of operations on YAML files,
in the key language of ``fixtures.patching``:

    - {file: litellm/configmap.yaml, set: "data/config.yaml>model_list.0.litellm_params.timeout", value: 30}
    - {file: paperless-ai/configmap.yaml, remove: data.CUSTOM_MODEL}
    - {file: paperless-ai/data.env, dotenv: {AI_PROVIDER: ollama}}
    - {file: paperless-ai/deployment.yaml, doc: 1, remove: spec.template.spec.initContainers}

``patched_manifests`` is the same with a function over LiteLLM's parsed config.yaml, for a change
easier to write as code.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from fixtures.patching import PatchError, apply_op

REFERENCE = Path(__file__).resolve().parents[1] / "manifests"
LITELLM = Path("litellm/configmap.yaml")


def apply(ops: list[dict[str, Any]], target: Path, reference: Path = REFERENCE) -> Path:
    """``target`` becomes a copy of ``reference`` with ``ops`` applied; returns ``target``."""
    shutil.copytree(reference, target, dirs_exist_ok=True)
    for index, op in enumerate(ops):
        where = f"op {index} ({op.get('file')})"
        path = target / str(op["file"])
        if "dotenv" in op:
            path.write_text("".join(f"{k}={v}\n" for k, v in op["dotenv"].items()))
            continue
        documents = list(yaml.safe_load_all(path.read_text()))
        index = int(op.get("doc", 0))  # which document of a multi-document file
        if "set" in op:
            documents[index] = apply_op(documents[index], str(op["set"]), "set", op.get("value"), where)
        elif "remove" in op:
            documents[index] = apply_op(documents[index], str(op["remove"]), "remove", None, where)
        else:
            raise PatchError(f"{where}: needs set, remove or dotenv")
        path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return target


def patched_manifests(target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """``target`` holds the reference manifests with ``change`` applied to the parsed config.yaml,
    as the declarative operations that turn the reference's top-level keys into the changed ones."""
    before = yaml.safe_load(yaml.safe_load((REFERENCE / LITELLM).read_text())["data"]["config.yaml"])
    after = yaml.safe_load(yaml.safe_dump(before))  # a deep copy, as YAML sees it
    change(after)
    ops: list[dict[str, Any]] = [
        {"file": str(LITELLM), "set": f"data/config.yaml>{key}", "value": value}
        for key, value in after.items()
    ]
    ops += [{"file": str(LITELLM), "remove": f"data/config.yaml>{key}"} for key in before if key not in after]
    return apply(ops, target)
