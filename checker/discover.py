"""Which files a scan reads: a walk that never leaves the root and skips what is not source."""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ALWAYS_SKIPPED = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass(frozen=True)
class Candidate:
    path: str
    """Relative to the scanned root, with `/` separators."""
    absolute: Path
    size: int


def walk(root: Path, excludes: Sequence[str] = (), recursive: bool = True) -> Iterator[Candidate]:
    """Regular files below ``root`` in a stable order; symbolic links are never followed."""
    root = root.resolve()
    if root.is_file():
        yield Candidate(root.name, root, root.stat().st_size)
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        relative_folder = os.path.relpath(folder, root)
        relative_folder = "" if relative_folder == "." else relative_folder.replace(os.sep, "/")
        dirs[:] = sorted(
            d
            for d in dirs
            if recursive and d not in ALWAYS_SKIPPED and not _excluded(_join(relative_folder, d), excludes)
        )
        for name in sorted(files):
            relative = _join(relative_folder, name)
            absolute = Path(folder) / name
            if absolute.is_symlink() or _excluded(relative, excludes):
                continue
            try:
                stat = absolute.stat()
            except OSError:
                continue
            yield Candidate(relative, absolute, stat.st_size)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, f"{p.rstrip('/')}/*") for p in patterns)
