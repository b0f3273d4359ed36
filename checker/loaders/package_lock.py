"""npm's ``package-lock.json`` (lockfile versions 1 to 3): the installed tree.

Version 2 and 3 locks list every installed package under ``packages`` keyed by
its ``node_modules/...`` path; the root entry (``""``) names the direct
dependencies. Version 1 locks nest ``dependencies``. Packages the root does not
name are marked indirect.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from checker.loaders.package_json import SECTIONS
from checker.loaders.packages import json_files, package
from checker.loaders.yaml_documents import Document
from checker.model import AttrPath, LoadError, LoadOutcome, Resource
from checker.sources import SourceFile

FORMAT = "package-lock"


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) in ("package-lock.json", "npm-shrinkwrap.json")


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, document in json_files(files, outcome):
        if not isinstance(document.value, Mapping):
            outcome.errors.append(LoadError(source.path, document.line, "a package lock must hold an object"))
            continue
        outcome.resources.extend(_packages(document, source.path))
    return outcome


def _packages(document: Document, path: str) -> Iterator[Resource]:
    data: Mapping[str, Any] = document.value
    packages = data.get("packages")
    if isinstance(packages, Mapping):
        root = packages.get("")
        root = root if isinstance(root, Mapping) else {}
        direct = {name: dev for section, dev in SECTIONS for name in (root.get(section) or {})}
        seen: set[str] = set()
        for key, entry in packages.items():
            if not key or not isinstance(entry, Mapping) or entry.get("link"):
                continue
            declared = entry.get("name")
            name = declared if isinstance(declared, str) else key.rsplit("node_modules/", 1)[-1]
            if name in seen:
                continue
            seen.add(name)
            top_level = key == f"node_modules/{name}"
            yield _resource(document, path, ("packages", key), name, entry,
                            dev=bool(entry.get("dev")), direct=top_level and name in direct)
        return
    yield from _v1(document, path, data.get("dependencies"), ("dependencies",), set())


def _v1(document: Document, path: str, deps: Any, at: AttrPath, seen: set[str]) -> Iterator[Resource]:
    if not isinstance(deps, Mapping):
        return
    for name, entry in deps.items():
        if not isinstance(entry, Mapping):
            continue
        if name not in seen:
            seen.add(name)
            yield _resource(document, path, at + (name,), name, entry, dev=bool(entry.get("dev")),
                            direct=len(at) == 1 and not entry.get("bundled"))
        yield from _v1(document, path, entry.get("dependencies"), at + (name, "dependencies"), seen)


def _resource(document: Document, path: str, at: AttrPath, name: str, entry: Mapping[str, Any], *, dev: bool,
              direct: bool) -> Resource:
    version = entry.get("version") if isinstance(entry.get("version"), str) else None
    return package(FORMAT, "npm", name, path, document.location(path, at).line, version=version, dev=dev,
                   direct=direct)
