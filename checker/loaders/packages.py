"""The one resource every dependency manifest produces: a package of an ecosystem, with its line.

Manifests differ (PEP 508 lines, TOML tables, JSON maps, Ruby calls), but what
vendor detection needs from them is the same: the exact package name, whether
it is a development-only dependency, and whether the project asked for it
directly or a lockfile pulled it in for another package.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from checker.loaders.json_documents import load_json
from checker.loaders.yaml_documents import Document
from checker.model import LoadError, LoadOutcome, Resource, SourceLocation
from checker.sources import SourceFile, texts

TYPE = "package"


def package(fmt: str, ecosystem: str, name: str, path: str, line: int, *, version: str | None = None,
            dev: bool = False, direct: bool = True) -> Resource:
    attrs = {"ecosystem": ecosystem, "name": name, "version": version, "dev": dev, "direct": direct}
    return Resource(fmt, TYPE, name, f"{TYPE}.{ecosystem}.{name}", attrs, SourceLocation(path, line), scope=path)


def key_line(text: str, name: str, start: int = 1) -> int:
    """The first line from ``start`` on where ``name`` is written as a key or a quoted string.

    TOML parsers give no positions; the name is searched for as a whole token, so
    ``stripe`` is never found inside ``stripe-mock``.
    """
    token = re.compile(rf"""(^|["'\s\[{{,])["']?{re.escape(name)}["']?(\s*[=:<>!~;\[@,\]}}]|["'\s]|$)""", re.IGNORECASE)
    lines = text.splitlines()
    for number in range(max(start, 1), len(lines) + 1):
        if token.search(lines[number - 1]):
            return number
    return max(start, 1)


def section_line(text: str, header: str) -> int:
    """The line of a TOML table header such as ``[tool.poetry.dependencies]`` (1 when absent)."""
    wanted = re.compile(rf"^\s*\[\s*{re.escape(header)}\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), 1):
        if wanted.match(line):
            return number
    return 1


def load_toml(text: str, path: str) -> dict[str, Any] | LoadError:
    """The TOML document, or an error at the line ``tomllib`` names (it has no attribute for it)."""
    import tomllib  # not for the scans that read no TOML, which import this module for its names

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        return LoadError(path, int(found.group(1)) if found else 1, f"invalid TOML: {exc}")
    except RecursionError:
        return LoadError(path, 1, "invalid TOML: nested too deeply")


def toml_files(files: Sequence[SourceFile], outcome: LoadOutcome) -> Iterator[tuple[SourceFile, str, dict[str, Any]]]:
    """Each file's text and TOML document; one that does not parse becomes an error in ``outcome``."""
    for source, text in texts(files, outcome):
        data = load_toml(text, source.path)
        if isinstance(data, LoadError):
            outcome.errors.append(data)
        else:
            yield source, text, data


def json_files(files: Sequence[SourceFile], outcome: LoadOutcome) -> Iterator[tuple[SourceFile, Document]]:
    """Each file's JSON document; one that does not parse becomes an error in ``outcome``."""
    for source, text in texts(files, outcome):
        document = load_json(text, source.path)
        if isinstance(document, LoadError):
            outcome.errors.append(document)
        else:
            yield source, document
