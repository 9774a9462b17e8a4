"""Apply a mutant's declarative patch to a copy of the reference manifests.

A patch is a list of operations on YAML files, addressed by dotted keys, digits indexing lists. A
YAML document held in a string (LiteLLM's ``config.yaml`` in the ConfigMap) is entered with ``>``;
the part before it is split on ``/`` because its key holds a dot:

    - {file: litellm/configmap.yaml, set: "data/config.yaml>model_list.0.litellm_params.timeout", value: 30}
    - {file: paperless-ai/configmap.yaml, remove: data.CUSTOM_MODEL}
    - {file: paperless-ai/data.env, dotenv: {AI_PROVIDER: ollama}}
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

REFERENCE = Path(__file__).resolve().parents[2] / "manifests"


class PatchError(Exception):
    pass


def _walk(node: Any, parts: list[str], where: str) -> tuple[Any, str | int]:
    """The container holding the last part, and that part (a key or a list index)."""
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        return node, int(last)
    if not isinstance(node, dict):
        raise PatchError(f"{where}: {'.'.join(parts[:-1])} is not a mapping")
    return node, last


def _apply(document: Any, path: str, op: str, value: Any, where: str) -> Any:
    outer, _, inner = path.partition(">")
    if inner:  # a YAML document inside a string: parse, patch, dump back
        holder, key = _walk(document, outer.split("/"), where)
        embedded = yaml.safe_load(holder[key])  # type: ignore[index]
        holder[key] = yaml.safe_dump(_apply(embedded, inner, op, value, where), sort_keys=False)  # type: ignore[index]
        return document
    holder, key = _walk(document, path.split("."), where)
    if op == "set":
        holder[key] = value  # type: ignore[index]
    elif isinstance(holder, dict) and key not in holder:
        raise PatchError(f"{where}: cannot remove {path}: not there")
    else:
        del holder[key]  # type: ignore[arg-type]
    return document


def apply(ops: list[dict[str, Any]], target: Path, reference: Path = REFERENCE) -> Path:
    """``target`` becomes a copy of ``reference`` with ``ops`` applied; returns ``target``."""
    shutil.copytree(reference, target, dirs_exist_ok=True)
    for index, op in enumerate(ops):
        where = f"op {index} ({op.get('file')})"
        path = target / str(op["file"])
        if "dotenv" in op:
            path.write_text("".join(f"{k}={v}\n" for k, v in op["dotenv"].items()))
            continue
        document = yaml.safe_load(path.read_text())
        if "set" in op:
            document = _apply(document, str(op["set"]), "set", op.get("value"), where)
        elif "remove" in op:
            document = _apply(document, str(op["remove"]), "remove", None, where)
        else:
            raise PatchError(f"{where}: needs set, remove or dotenv")
        path.write_text(yaml.safe_dump(document, sort_keys=False))
    return target
