"""Terraform parsed on speculation on a second core while a scan starts up.

A cold scan spends its first fifth of a second on one core (imports, the
configuration, finding and reading its files) before it knows its pieces of
work and can spread them over the others. So a scan run as a command forks a
helper at once (``start``), before any of that: it finds the Terraform files
under the folders named on the command line, as a scan with no configuration
would, and parses them, largest module group first. When the scan knows its
pieces it hands them to the helper, which becomes one of its workers and keeps
the pieces whose files it has begun (``checker.parallel.spawn``). A parse made
ahead is used only for a file whose bytes are exactly those the scan read, so a
wrong guess (a configuration that excludes other files, a file changed
meanwhile) costs time on a core that had none to do, never a result. Nothing
here imports the models or the command line: the helper starts parsing within
a few hundredths of a second.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from checker.parallel import Connection, Helper, available_cores, can_spawn, spawn

_MAX_FILE_BYTES = 5_000_000
"""The default ``max_file_bytes``: a scan without configuration reads no larger file."""

_started: Helper | None = None


def start(argv: Sequence[str]) -> None:
    """Fork the helper for a ``scan`` of folders, where a second core is free to run it."""
    global _started
    targets = scan_targets(argv)
    if targets and available_cores() > 1 and can_spawn():
        _started = spawn(partial(_parse_ahead, [Path(t) for t in targets]), _begun)


def claim() -> Helper | None:
    """The helper, once: whoever takes it hands it the work or dismisses it."""
    global _started
    helper, _started = _started, None
    return helper


def scan_targets(argv: Sequence[str]) -> list[str]:
    """The folders a ``scan`` command line names (the current folder when it names no path), unless
    it asks for one process. The command line is read without click, which is not imported yet."""
    if not argv or argv[0] != "scan" or "--help" in argv or os.environ.get("POLICYPROOF_JOBS") == "1":
        return []
    if any(arg in ("--jobs=1", "-j1") or (arg in ("--jobs", "-j") and value == "1")
           for arg, value in zip(argv, [*argv[1:], ""])):
        return []
    named = _paths(argv[1:])
    return [path for path in named if os.path.isdir(path)] if named else ["."]


SCAN_VALUE_OPTIONS = frozenset({"--format", "--output", "-o", "--config", "--fail-on", "--baseline",
                                "--changed-since", "--db", "--jobs", "-j"})
"""The options of ``scan`` that take a value (a test checks this against the command line)."""


def _paths(arguments: Sequence[str]) -> list[str]:
    paths: list[str] = []
    value_next = False
    for number, arg in enumerate(arguments):
        if value_next:
            value_next = False
        elif arg == "--":
            return paths + list(arguments[number + 1:])
        elif arg.startswith("-") and arg != "-":
            value_next = arg in SCAN_VALUE_OPTIONS
        else:
            paths.append(arg)
    return paths


def _parse_ahead(targets: list[Path], control: Connection) -> None:
    """Parse the Terraform files under ``targets``, largest group first, until the work comes."""
    from checker.discover import walk
    from checker.loaders import terraform
    from checker.parallel import largest_first
    from checker.sources import SourceFile, read_file

    files: list[SourceFile] = []
    for number, target in enumerate(targets):
        for candidate in walk(target):
            if candidate.problem is None and candidate.size <= _MAX_FILE_BYTES and terraform.claims(candidate.path):
                try:
                    files.append(SourceFile(f"{number}/{candidate.path}", read_file(candidate.absolute)))
                except OSError:
                    continue
    groups = terraform.partition(files)
    for index in largest_first([sum(len(f.data) for f in group) for group in groups]):
        for source in groups[index]:
            if control.poll():
                return
            terraform.parse_ahead(source)


def _begun(item: Any) -> bool:
    """Whether a piece of a scan's work (a loader's format and group of files) has a file parsed
    ahead: the helper keeps such pieces for itself."""
    from checker.loaders import terraform

    fmt, group = item
    return bool(fmt == terraform.FORMAT and any(terraform.parsed_ahead(source) for source in group))
