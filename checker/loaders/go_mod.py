"""Go's ``go.mod``: the modules a Go program requires, from ``require`` lines and blocks.

The syntax is line-based (the Go reference's grammar): ``require path version``
or a parenthesised block of ``path version`` lines, with ``//`` comments. A
requirement marked ``// indirect`` is one Go added for another module.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from checker.loaders.packages import package
from checker.model import LoadError, LoadOutcome, Resource
from checker.sources import SourceFile, texts

FORMAT = "go-mod"
_SPEC = re.compile(r'^"?([^\s"]+)"?\s+(v[^\s/]+)\s*(//.*)?$')
_BLOCK_START = re.compile(r"^(\w+)\s*\(\s*(//.*)?$")
_DIRECTIVES = {"module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug", "tool", "ignore"}


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "go.mod"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(files, outcome):
        found = parse(text, source.path)
        if isinstance(found, LoadError):
            outcome.errors.append(found)
        else:
            outcome.resources.extend(found)
    return outcome


def parse(text: str, path: str) -> list[Resource] | LoadError:
    resources: list[Resource] = []
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if block is not None:
            if line == ")":
                block = None
            elif block == "require":
                spec = _SPEC.match(line)
                if spec is None:
                    return LoadError(path, number, f"invalid require line: {line[:60]}")
                resources.append(_module(spec, path, number))
            continue
        opening = _BLOCK_START.match(line)
        if opening is not None:
            if opening.group(1) not in _DIRECTIVES:
                return LoadError(path, number, f"unknown directive `{opening.group(1)}`")
            block = opening.group(1)
            continue
        directive, _, rest = line.partition(" ")
        if directive not in _DIRECTIVES:
            return LoadError(path, number, f"unknown directive `{directive}`")
        if directive == "require":
            spec = _SPEC.match(rest.strip())
            if spec is None:
                return LoadError(path, number, f"invalid require line: {line[:60]}")
            resources.append(_module(spec, path, number))
    if block is not None:
        return LoadError(path, len(text.splitlines()), f"`{block} (` is never closed")
    return resources


def _module(spec: re.Match[str], path: str, line: int) -> Resource:
    indirect = bool(spec.group(3) and "indirect" in spec.group(3))
    return package(FORMAT, "go", spec.group(1), path, line, version=spec.group(2), direct=not indirect)
