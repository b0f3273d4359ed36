"""Modules imported on first use, so a command pays only for the parsers it needs.

PostgreSQL's parser, the nginx parser and the database driver take most of the
start-up time; a commit hook checking one Terraform file uses none of them.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator, Mapping
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """``name``, whose code runs at the first attribute access (already imported: the module itself)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class ModuleTable(Mapping[str, ModuleType]):
    """A table of modules by name (reporters, say), each imported when first looked up, so that a
    command writing JSON never imports the HTML reporter."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._names = dict(modules)
        self._imported: dict[str, ModuleType] = {}

    def __getitem__(self, key: str) -> ModuleType:
        module = self._imported.get(key)
        if module is None:
            module = self._imported[key] = importlib.import_module(self._names[key])
        return module

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
