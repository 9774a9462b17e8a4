"""Apply a mutant's declarative patch to a copy of the reference manifests.

A patch is a list of operations on YAML files, in the key language of ``fixtures.patching``:

    - {file: litellm/configmap.yaml, set: "data/config.yaml>model_list.0.litellm_params.timeout", value: 30}
    - {file: paperless-ai/configmap.yaml, remove: data.CUSTOM_MODEL}
    - {file: paperless-ai/data.env, dotenv: {AI_PROVIDER: ollama}}
    - {file: paperless-ai/deployment.yaml, doc: 1, remove: spec.template.spec.initContainers}
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from fixtures.patching import PatchError, apply_op

REFERENCE = Path(__file__).resolve().parents[2] / "manifests"


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
