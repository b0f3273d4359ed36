"""npm's ``package.json``: the packages a JavaScript project depends on, each at its line."""
from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from checker.loaders.packages import json_files, package
from checker.model import LoadError, LoadOutcome
from checker.sources import SourceFile

FORMAT = "package-json"
SECTIONS = (("dependencies", False), ("optionalDependencies", False), ("peerDependencies", False),
            ("devDependencies", True))
"""Peer dependencies are installed beside the package in production, so they are not development-only."""


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "package.json"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, document in json_files(files, outcome):
        if not isinstance(document.value, Mapping):
            outcome.errors.append(LoadError(source.path, document.line, "package.json must hold an object"))
            continue
        seen: set[str] = set()
        for section, dev in SECTIONS:
            entries = document.value.get(section)
            if not isinstance(entries, Mapping):
                continue
            for name, version in entries.items():
                if name in seen:
                    continue
                seen.add(name)
                line = document.location(source.path, (section, name)).line
                outcome.resources.append(package(FORMAT, "npm", name, source.path, line,
                                                 version=version if isinstance(version, str) else None, dev=dev))
    return outcome
