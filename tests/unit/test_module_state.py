"""No module under ``fixtures/`` holds mutable state at module level (issue 26).

Every module of the ``fixtures`` package is imported (``__main__`` modules aside: importing one runs
it) and every module-level name but dunders is checked to be bound to an immutable value: a scalar,
a tuple or frozenset of immutable items, a ``MappingProxyType`` of immutable values, an enum member,
a frozen dataclass instance, a compiled pattern, a pure path, a timezone, a function, class, module
or builtin, a typing construct, a ``pytest.StashKey``, a bare ``object()`` sentinel or a
``__future__`` feature. Anything else (a list, dict, set, counter, lock, an instance of an ordinary
class) is state shared by every run in the interpreter, and fails the test by name.
"""

from __future__ import annotations
import __future__

import dataclasses
import datetime
import enum
import importlib
import inspect
import pkgutil
import re
import types
from pathlib import PurePath
from types import MappingProxyType, ModuleType

import pytest

import fixtures

IMMUTABLE_SCALARS = (type(None), bool, int, float, complex, str, bytes)
IMMUTABLE_OBJECTS = (
    enum.Enum,
    re.Pattern,
    PurePath,
    datetime.timezone,
    ModuleType,
    type,  # classes
    types.GenericAlias,  # list[int]
    types.UnionType,  # int | None
    pytest.StashKey,
    type(__future__.annotations),
)


def fixtures_modules() -> tuple[list[ModuleType], list[str]]:
    """Every module of the fixtures package, imported, and the import failures (name: error)."""
    failures: list[str] = []
    names = [
        info.name
        for info in pkgutil.walk_packages(
            fixtures.__path__, "fixtures.", onerror=lambda name: failures.append(f"{name}: package")
        )
        if info.name.rpartition(".")[2] != "__main__"
    ]
    imported = []
    for name in ["fixtures", *names]:
        try:
            imported.append(importlib.import_module(name))
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {error}")
    return imported, failures


def is_immutable(value: object) -> bool:
    if isinstance(value, IMMUTABLE_SCALARS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(is_immutable(item) for item in value)
    if isinstance(value, MappingProxyType):
        return all(is_immutable(item) for item in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return bool(value.__dataclass_params__.frozen)  # type: ignore[attr-defined]
    return (
        isinstance(value, IMMUTABLE_OBJECTS)
        or inspect.isroutine(value)  # functions, methods, builtins
        or type(value).__module__ == "typing"  # TypeVar, ParamSpec, Literal[...], Final, ...
        or type(value) is object  # a bare sentinel
    )


def mutable_names(module: ModuleType) -> list[str]:
    """``module.NAME (type)`` for each module-level name of ``module`` bound to a mutable value."""
    return [
        f"{module.__name__}.{name} ({type(value).__name__})"
        for name, value in vars(module).items()
        if not (name.startswith("__") and name.endswith("__")) and not is_immutable(value)
    ]


def test_every_fixtures_module_imports() -> None:
    _, failures = fixtures_modules()
    assert not failures, "fixtures modules that fail to import:\n  " + "\n  ".join(failures)


def test_no_mutable_module_level_state_in_fixtures() -> None:
    modules, _ = fixtures_modules()
    offenders = [offender for module in modules for offender in mutable_names(module)]
    assert not offenders, (
        "module-level mutable values in fixtures/: a module-level mutable is state shared by every "
        "run in the interpreter; put run state in the Run object, and make a constant table a tuple, "
        "frozenset or MappingProxyType:\n  " + "\n  ".join(offenders)
    )
