"""pip requirements files: one PEP 508 requirement per line, plus pip's own options.

Lines are parsed with ``packaging`` (the reference implementation of PEP 508),
so a name is exactly what pip would install. Options (``-r``, ``--hash``,
``--index-url``) and editable or URL-only lines name no PyPI project and are
skipped; a line that is neither is an error with its line, as pip would refuse it.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checker.lazy import lazy_import
from checker.loaders.packages import package
from checker.model import LoadError, LoadOutcome
from checker.sources import SourceFile, texts

if TYPE_CHECKING:
    from packaging.requirements import Requirement

FORMAT = "pip-requirements"
_requirements = lazy_import("packaging.requirements")  # PEP 508 parsing, only for files that need it
_NAME = re.compile(r"^requirements[\w.-]*\.(txt|in)$|^[\w.-]*requirements\.(txt|in)$", re.IGNORECASE)
_DEV = re.compile(r"(?i)(^|[-_./])(dev|test|tests|testing|lint|docs|ci)([-_./]|$)")


def claims(path: str, head: bytes = b"") -> bool:
    name = posixpath.basename(path)
    folder = posixpath.basename(posixpath.dirname(path))
    return bool(_NAME.match(name)) or (folder == "requirements" and name.endswith((".txt", ".in")))


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(files, outcome):
        dev = bool(_DEV.search(posixpath.basename(source.path).rsplit(".", 1)[0]))
        for line, content in logical_lines(text):
            parsed = parse_line(content)
            if isinstance(parsed, str):
                outcome.errors.append(LoadError(source.path, line, f"invalid requirement: {parsed}"))
            elif parsed is not None:
                version = str(parsed.specifier) or None
                outcome.resources.append(package(FORMAT, "pypi", parsed.name, source.path, line, version=version,
                                                 dev=dev))
    return outcome


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with comments removed and ``\\`` continuations joined, each with its first line number."""
    result: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"(^|\s)#", raw, maxsplit=1)[0].rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        if whole:
            result.append((start, whole))
    if pending.strip():
        result.append((start, pending.strip()))
    return result


def parse_line(content: str) -> Requirement | str | None:
    """The requirement on a line, ``None`` for a pip option or a URL-only line, or why it is invalid."""
    if content.startswith("-") or re.match(r"^[a-z][a-z0-9+.-]*://", content, re.IGNORECASE):
        return None
    if content.startswith((".", "/")) or re.match(r"^[\w.-]+\.(whl|zip|tar\.gz)$", content):
        return None
    requirement = re.split(r"\s+--?[a-zA-Z]", content, maxsplit=1)[0]
    try:
        parsed: Requirement = _requirements.Requirement(requirement.strip())
    except _requirements.InvalidRequirement as exc:
        return str(exc).splitlines()[0]
    return parsed
