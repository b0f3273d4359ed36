"""``.env`` files: the connection settings among their ``KEY=VALUE`` lines.

The parser is small and strict on purpose. It follows the syntax Compose and
python-dotenv share (``export`` prefixes, ``#`` comments, single quotes
taken literally, double quotes with escapes and line breaks), and it keeps
each key's line so a finding points at it. A line it cannot read is an error
with that line, not a line skipped with a warning as the tolerant readers do,
since a skipped ``DATABASE_URL`` would silently hide what the file sets.

``${VAR}`` and ``${VAR:-default}`` are expanded from keys earlier in the same
file; anything else is left to the environment the file is loaded into.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from checker.loaders import env_settings
from checker.model import LoadError, LoadOutcome, SourceLocation
from checker.sources import SourceFile, texts

FORMAT = "dotenv"

_KEY = re.compile(r"(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*")
_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}
_UNSET = "set by the environment the file is loaded into"


@dataclass(frozen=True)
class Entry:
    key: str
    value: str | None
    """``None`` for a bare ``KEY``: declared, value taken from the environment."""
    line: int
    literal: bool = False
    """Single-quoted: taken as written, with no ``${VAR}`` expansion."""


class DotenvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def claims(path: str, head: bytes) -> bool:
    name = posixpath.basename(path)
    return name in (".env", "env.example") or name.startswith(".env.") or (name.endswith(".env") and len(name) > 4)


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(sorted(files, key=lambda f: f.path), outcome):
        try:
            entries = parse(text)
        except DotenvError as exc:
            outcome.errors.append(LoadError(source.path, exc.line, f"invalid .env line: {exc}"))
            continue
        values = expand(entries)
        locations = {entry.key: SourceLocation(source.path, entry.line) for entry in entries}
        outcome.resources.extend(env_settings.settings(values, locations, "", frozenset(), _UNSET))
    return outcome


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY.match(stripped)
        if match is None:
            raise DotenvError(number, "expected KEY=VALUE")
        key, rest = match.group(1), stripped[match.end():]
        if not rest or rest.startswith("#"):
            entries.append(Entry(key, None, number))
            continue
        if not rest.startswith("="):
            raise DotenvError(number, f"expected `=` after `{key}`")
        text = rest[1:].lstrip(" \t")
        value, index = _value(text, lines, index, number)
        entries.append(Entry(key, value, number, text.startswith("'")))
    return entries


def _value(text: str, lines: list[str], index: int, number: int) -> tuple[str, int]:
    """The value starting at ``text``; a quoted one may continue over the following lines."""
    if not text or text[0] not in "'\"":
        return re.split(r"[ \t]#", text, maxsplit=1)[0].rstrip(), index
    quote, body = text[0], text[1:]
    while True:
        end = _closing(body, quote)
        if end is not None:
            trailing = body[end + 1:].strip()
            if trailing and not trailing.startswith("#"):
                raise DotenvError(number, f"unexpected text after the closing quote: {trailing[:20]!r}")
            raw = body[:end]
            return (raw if quote == "'" else _unescape(raw)), index
        if index >= len(lines):
            raise DotenvError(number, f"the {quote} quote opened here is never closed")
        body += "\n" + lines[index]
        index += 1


def _closing(body: str, quote: str) -> int | None:
    position = 0
    while position < len(body):
        char = body[position]
        if char == "\\" and quote == '"':
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return None


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), raw)


def expand(entries: Sequence[Entry]) -> dict[str, str | None]:
    """Values with ``${VAR}`` filled from earlier keys, as Compose and python-dotenv do."""
    values: dict[str, str | None] = {}
    for entry in entries:
        if entry.value is None or entry.literal:
            values[entry.key] = entry.value
            continue

        def fill(match: re.Match[str]) -> str:
            known = values.get(match.group(1))
            if known:
                return known
            return match.group(2) if match.group(2) is not None else match.group(0)

        values[entry.key] = _EXPANSION.sub(fill, entry.value)
    return values
