"""Supabase CLI configuration (``supabase/config.toml``): database SSL and Auth settings.

The file configures the local stack, and ``supabase config push`` applies its
Auth and database settings to the hosted project, so it is the reviewed
record of how sign-in and connections are protected. Values that hold secrets
are replaced before any rule or report sees them.
"""
from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from checker.model import AttrPath, LoadError, LoadOutcome, Resource, SourceLocation
from checker.sources import SourceFile, texts

FORMAT = "supabase-config"
REDACTED = "(redacted)"
_SECRET_KEY = re.compile(r"(?i)(secret|password|token|key|auth_token)$")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=""")
_ERROR_LINE = re.compile(r"at line (\d+)")


def claims(path: str, head: bytes = b"") -> bool:
    return posixpath.basename(path) == "config.toml" and posixpath.basename(posixpath.dirname(path)) == "supabase"


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(files, outcome):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _ERROR_LINE.search(str(exc))
            outcome.errors.append(LoadError(source.path, int(found.group(1)) if found else 1, f"invalid TOML: {exc}"))
            continue
        except RecursionError:
            outcome.errors.append(LoadError(source.path, 1, "TOML nested too deeply to read"))
            continue
        lines = key_lines(text)
        locations = {path: SourceLocation(source.path, line) for path, line in lines.items()}
        name = str(data.get("project_id") or posixpath.dirname(posixpath.dirname(source.path)) or "supabase")
        outcome.resources.append(Resource(
            FORMAT, "supabase_project", name, f"supabase_project.{name}", redact(data),
            SourceLocation(source.path, 1), scope=posixpath.dirname(source.path), value_locations=locations,
        ))
    return outcome


def key_lines(text: str) -> dict[AttrPath, int]:
    """The line of every ``key =`` and ``[table]``, as attribute paths (dotted keys and inline tables aside)."""
    lines: dict[AttrPath, int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            table = tuple(_unquote(p) for p in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            parts = tuple(_unquote(p) for p in key.group(1).split("."))
            lines.setdefault(table + parts, number)
    return lines


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part


def redact(value: Any, key: str = "") -> Any:
    """Secret values become a marker; ``env(NAME)`` references say where the secret comes from and stay."""
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if isinstance(value, str) and _SECRET_KEY.search(key) and value and not value.startswith("env("):
        return REDACTED
    return value
