"""``poetry.lock``: every package Poetry resolved, direct or pulled in by another one.

The lock does not say which packages the project asked for (``pyproject.toml``
does), so each is marked indirect; an entry's line is its ``name = "..."`` line.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence

from checker.loaders.packages import package, toml_files
from checker.model import LoadOutcome
from checker.sources import SourceFile

FORMAT = "poetry-lock"
_NAME_LINE = re.compile(r'^name\s*=\s*"([^"]+)"')


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "poetry.lock"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text, data in toml_files(files, outcome):
        lines: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if (match := _NAME_LINE.match(line)) is not None:
                lines.setdefault(match.group(1), number)
        for entry in data.get("package") or []:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                continue
            name = entry["name"]
            dev = entry.get("category") == "dev"
            version = entry.get("version") if isinstance(entry.get("version"), str) else None
            outcome.resources.append(package(FORMAT, "pypi", name, source.path, lines.get(name, 1), version=version,
                                             dev=dev, direct=False))
    return outcome
