"""Which files changed, asked of git: for reporting only on what a pull request touches."""
from __future__ import annotations

import subprocess
from pathlib import Path

from checker.errors import CheckerError


def changed_since(ref: str, root: Path) -> set[str]:
    """Files changed since ``ref`` (committed, staged, unstaged or untracked), relative to ``root``."""
    top = _git(["rev-parse", "--show-toplevel"], root).strip()
    prefix = Path(root).resolve().relative_to(Path(top).resolve()).as_posix()
    names = _git(["diff", "--name-only", "--no-renames", ref, "--", "."], root).splitlines()
    names += _git(["ls-files", "--others", "--exclude-standard", "--full-name", "--", "."], root).splitlines()
    strip = "" if prefix == "." else prefix + "/"
    return {name[len(strip):] for name in names if name.startswith(strip)}


def _git(args: list[str], cwd: Path) -> str:
    try:
        run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckerError(f"cannot run git: {exc}") from None
    if run.returncode != 0:
        raise CheckerError(f"git {' '.join(args[:2])} failed: {run.stderr.strip() or run.stdout.strip()}")
    return run.stdout
