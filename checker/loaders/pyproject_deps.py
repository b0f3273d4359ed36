"""Python dependencies declared in ``pyproject.toml``: PEP 621 ``[project]`` and Poetry's tables.

PEP 621 lists PEP 508 strings (parsed with ``packaging``); Poetry keys its
tables by name. Optional dependencies and Poetry's non-main groups count as
development dependencies: they are not installed with the service.
"""
from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from checker.lazy import lazy_import
from checker.loaders.packages import key_line, package, section_line, toml_files
from checker.model import LoadError, LoadOutcome, Resource
from checker.sources import SourceFile

FORMAT = "pyproject"
_requirements = lazy_import("packaging.requirements")  # PEP 508 parsing, only for files that need it
_DEV_GROUPS = {"dev", "test", "tests", "lint", "docs", "typing"}


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "pyproject.toml"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text, data in toml_files(files, outcome):
        try:
            outcome.resources.extend(_pep621(data.get("project"), text, source.path))
        except _requirements.InvalidRequirement as exc:
            outcome.errors.append(LoadError(source.path, section_line(text, "project"), f"invalid requirement: {exc}"))
        outcome.resources.extend(_poetry(data.get("tool", {}).get("poetry"), text, source.path))
    return outcome


def _pep621(project: Any, text: str, path: str) -> Iterator[Resource]:
    if not isinstance(project, Mapping):
        return
    start = section_line(text, "project")
    for spec in project.get("dependencies") or []:
        requirement = _requirements.Requirement(str(spec))
        yield package(FORMAT, "pypi", requirement.name, path, key_line(text, requirement.name, start),
                      version=str(requirement.specifier) or None)
    optional = project.get("optional-dependencies") or {}
    for extra in optional.values() if isinstance(optional, Mapping) else []:
        for spec in extra or []:
            requirement = _requirements.Requirement(str(spec))
            yield package(FORMAT, "pypi", requirement.name, path, key_line(text, requirement.name, start),
                          version=str(requirement.specifier) or None, dev=True)


def _poetry(poetry: Any, text: str, path: str) -> Iterator[Resource]:
    if not isinstance(poetry, Mapping):
        return
    tables: list[tuple[str, Any, bool]] = [
        ("tool.poetry.dependencies", poetry.get("dependencies"), False),
        ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), True),
    ]
    groups = poetry.get("group") or {}
    for group, body in groups.items() if isinstance(groups, Mapping) else []:
        optional = isinstance(body, Mapping) and body.get("optional") is True
        tables.append((f"tool.poetry.group.{group}.dependencies", (body or {}).get("dependencies"),
                       group in _DEV_GROUPS or optional))
    for header, table, dev in tables:
        if not isinstance(table, Mapping):
            continue
        start = section_line(text, header)
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            version = spec if isinstance(spec, str) else (spec.get("version") if isinstance(spec, Mapping) else None)
            yield package(FORMAT, "pypi", name, path, key_line(text, name, start),
                          version=version if isinstance(version, str) else None, dev=dev)
