"""Which files a scan reads: a walk that never leaves the root and skips what is not source."""
from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.lazy import lazy_import

if TYPE_CHECKING:
    import pathspec
else:
    pathspec = lazy_import("pathspec")  # imported only where a .gitignore is found

ALWAYS_SKIPPED = {".git", ".terraform", "node_modules", ".venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass(frozen=True)
class Candidate:
    path: str
    """Relative to the scanned root, with `/` separators."""
    absolute: str
    size: int
    problem: str | None = None
    """Why this entry cannot be read (a FIFO, a folder that cannot be listed): the scan reports it as an
    error rather than skipping it, since a gate cannot know what it holds."""


def walk(root: Path, excludes: Sequence[str] = (), recursive: bool = True) -> Iterator[Candidate]:
    """Regular files below ``root`` in a stable order (each folder's files, then its subfolders, by name);
    symbolic links are never followed, and what the ``.gitignore`` files below ``root`` ignore is not read.

    The walk keeps its own stack rather than recursing, so no depth of folders exhausts Python's stack.
    """
    root = root.resolve()
    if not root.exists():
        return
    if not root.is_dir():
        yield _entry(root.name, str(root))
        return
    ignores: dict[str, pathspec.GitIgnoreSpec] = {}
    pending: list[tuple[str, Path]] = [("", root)]
    while pending:
        relative_folder, folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield Candidate(relative_folder or ".", str(folder), 0, f"cannot list folder: {exc.strerror or exc}")
            continue
        names = {e.name for e in entries}
        if ".gitignore" in names and (spec := _gitignore(folder / ".gitignore")) is not None:
            ignores[relative_folder] = spec
        subfolders: list[tuple[str, Path]] = []
        for entry in entries:
            relative = _join(relative_folder, entry.name)
            if entry.is_symlink() or _excluded(relative, excludes):
                continue
            if entry.is_dir(follow_symlinks=False):
                if recursive and entry.name not in ALWAYS_SKIPPED and not _ignored(relative + "/", ignores):
                    subfolders.append((relative, Path(entry.path)))
            elif not _ignored(relative, ignores):
                yield _entry(relative, entry.path)
        pending.extend(reversed(subfolders))


def _entry(relative: str, absolute: str) -> Candidate:
    try:
        info = os.stat(absolute, follow_symlinks=False)
    except FileNotFoundError:
        return Candidate(relative, absolute, 0, "removed while the scan was reading the folder")
    except OSError as exc:
        return Candidate(relative, absolute, 0, f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        return Candidate(relative, absolute, 0, "not a regular file (a FIFO, socket or device), so not read; "
                         "add it to `exclude` if it holds nothing to check")
    return Candidate(relative, absolute, info.st_size)


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
