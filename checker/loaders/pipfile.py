"""Pipenv's ``Pipfile``: TOML tables ``[packages]`` and ``[dev-packages]`` keyed by project name."""
from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from checker.loaders.packages import key_line, package, section_line, toml_files
from checker.model import LoadOutcome
from checker.sources import SourceFile

FORMAT = "pipfile"


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "Pipfile"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text, data in toml_files(files, outcome):
        for table, dev in (("packages", False), ("dev-packages", True)):
            entries = data.get(table)
            if not isinstance(entries, Mapping):
                continue
            start = section_line(text, table)
            for name, spec in entries.items():
                version = spec if isinstance(spec, str) and spec != "*" else None
                outcome.resources.append(package(FORMAT, "pypi", name, source.path, key_line(text, name, start),
                                                 version=version, dev=dev))
    return outcome
