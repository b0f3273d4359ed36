"""Which files a scan reads: a walk that never leaves the root and skips what is not source."""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

ALWAYS_SKIPPED = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass(frozen=True)
class Candidate:
    path: str
    """Relative to the scanned root, with `/` separators."""
    absolute: Path
    size: int


def walk(root: Path, excludes: Sequence[str] = (), recursive: bool = True) -> Iterator[Candidate]:
    """Regular files below ``root`` in a stable order; symbolic links are never followed, and what
    the ``.gitignore`` files below ``root`` ignore is not read."""
    root = root.resolve()
    if root.is_file():
        yield Candidate(root.name, root, root.stat().st_size)
        return
    ignores: dict[str, pathspec.GitIgnoreSpec] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        relative_folder = os.path.relpath(folder, root)
        relative_folder = "" if relative_folder == "." else relative_folder.replace(os.sep, "/")
        if ".gitignore" in files:
            spec = _gitignore(Path(folder) / ".gitignore")
            if spec is not None:
                ignores[relative_folder] = spec
        dirs[:] = sorted(
            d
            for d in dirs
            if recursive and d not in ALWAYS_SKIPPED and not _excluded(_join(relative_folder, d), excludes)
            and not _ignored(_join(relative_folder, d) + "/", ignores)
        )
        for name in sorted(files):
            relative = _join(relative_folder, name)
            absolute = Path(folder) / name
            if absolute.is_symlink() or _excluded(relative, excludes) or _ignored(relative, ignores):
                continue
            try:
                stat = absolute.stat()
            except OSError:
                continue
            yield Candidate(relative, absolute, stat.st_size)


def _gitignore(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        return pathspec.GitIgnoreSpec.from_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except (OSError, ValueError):
        return None


def _ignored(relative: str, ignores: dict[str, pathspec.GitIgnoreSpec]) -> bool:
    """Whether a .gitignore in a folder above ``relative`` ignores it (a trailing `/` marks a folder)."""
    for folder, spec in ignores.items():
        if not folder:
            inside = relative
        elif relative.startswith(folder + "/"):
            inside = relative[len(folder) + 1:]
        else:
            continue
        if spec.match_file(inside):
            return True
    return False


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, f"{p.rstrip('/')}/*") for p in patterns)
