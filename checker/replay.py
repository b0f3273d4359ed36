"""Replaying a whole scan of unchanged inputs, before anything heavy is imported.

Most scans repeat the last one: the same command in the same folder, over the
same files. Even with every verdict cached, such a scan spends most of its time
starting up (click, pydantic and the models). So the command line first looks
for a *replay entry*, kept per command line, working folder, environment
variables the tool reads and kind of standard output, and holding the digest of
the tool's code and the day it was made (waivers expire and attestations fall
due), which must both still be current.

The entry lists every file and folder the scan that wrote it read, which is
recorded rather than declared: an audit hook (PEP 578) sees every file opened
for reading and every folder listed with ``os.scandir`` (as the walk and the rule
loader do), and the few places that merely test
whether a file exists say so with ``probe``. For each file it keeps the
SHA-256 of its bytes (or that it was absent), for each folder a digest of its
entries and their kinds. A replay re-reads all of them and writes the stored
report only if every one is unchanged; one difference and the scan runs in
full. The same idea as ccache's direct mode.

An entry is not written when a file or folder it lists changed during the scan
before its digest was taken (its ctime is not older than the scan's start, with
a margin for coarse clocks; an input's digest is that of the very bytes the
scan read, so it needs no such check), nor for a scan whose outcome depends on
more than files (``--db``, ``--changed-since``), on the time of day (formats
that print it), or that did not finish with exit 0 or 1. Entries are signed like every cache entry.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from checker.cachefiles import code_digest, create_key, default_dir, default_key_file, read_key, signed, verified
from checker.cachefiles import write_atomic

if TYPE_CHECKING:
    from checker.sources import SourceFile

FORMAT = b"1"
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "NO_COLOR", "FORCE_COLOR", "TERM", "LANG", "LC_ALL", "LC_CTYPE",
               "PYTHONIOENCODING", "PYTHONUTF8", "XDG_CACHE_HOME", "HOME")
"""Variables besides ``POLICYPROOF_*`` that a scan's report may depend on."""
MARGIN_NS = 2_000_000_000
"""How much older than the scan a file must be to be trusted unchanged: the coarsest file system clocks tick
every two seconds."""
_CODE = (".py", ".pyc", ".so", ".pyd")
"""Modules the import system reads (from Python's and the packages' folders, or this tool's own, which the code
digest covers) are not inputs; neither are the kernel's files."""
_KERNEL = ("/proc/", "/sys/", "/dev/")
_ACCESS = getattr(os, "O_ACCMODE", os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
_TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

Dependency = tuple[str, str, bytes | None]
"""``("f" | "d", absolute path, digest or None when absent)``."""


def replayed(argv: Sequence[str]) -> int | None:
    """The exit code of ``argv`` replayed from a stored entry, its report written; None when it must run."""
    if not argv or argv[0] != "scan":
        return None
    key = read_key(default_key_file())
    if key is None:
        return None
    try:
        blob = _entry_path(argv).read_bytes()
    except OSError:
        return None
    payload = verified(key, blob)
    if payload is None:
        return None
    try:
        tool, day, dependencies, destination, report, code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    try:
        if tool != code_digest() or day != _today() or any(_digest(kind, path) != digest
                                                           for kind, path, digest in dependencies):
            return None
    except OSError:
        return None
    try:
        if destination is None:
            sys.stdout.write(report.decode("utf-8"))
            sys.stdout.flush()
        else:
            with open(destination, "wb") as out:
                out.write(report)
    except (OSError, UnicodeError, ValueError, AttributeError):
        return None
    return int(code)


@dataclass
class _Recording:
    argv: tuple[str, ...]
    started_ns: int
    day: str
    files: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    digests: dict[tuple[str, str], bytes | None] = field(default_factory=dict)
    """Taken before the scan ended (``settle``); the check that nothing changed since it began covers them."""
    report: tuple[str | None, bytes] | None = None
    unrecorded: bool = False
    """Something read could not be noted down, or changed before its digest was taken, so no entry may
    be stored."""


_recording: _Recording | None = None
_hooked = False


def record(argv: Sequence[str]) -> None:
    """Note every file and folder read from now on, for an entry ``finish`` may store."""
    global _recording, _hooked
    if not argv or argv[0] != "scan":
        return
    _recording = _Recording(tuple(argv), time.time_ns(), _today())
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True


def probe(path: Path | str) -> None:
    """Whether ``path`` exists is part of what the scan read (a configuration file that may appear later)."""
    if _recording is not None:
        _recording.files.add(os.path.abspath(path))


def read(path: str, source: SourceFile) -> None:
    """An input read whole: its digest is that of the bytes the scan read, not read again."""
    if _recording is not None:
        _recording.sources[os.path.abspath(path)] = source


def settle() -> None:
    """Digest what the scan has read so far, now, rather than once it is done: a scan calls this while
    other processes load its files, leaving less for the one process that finishes. Each digest is
    then checked as ``finish`` would check it."""
    recording = _recording
    if recording is None or recording.unrecorded:
        return
    try:
        for kind, path in _recorded(recording):
            if kind == "d" or path not in recording.sources:
                digest = _digest(kind, path)
                if _changed(path, recording.started_ns):
                    recording.unrecorded = True
                    return
                recording.digests[(kind, path)] = digest
    except OSError:
        recording.digests.clear()


def offer(report: str, destination: Path | None) -> None:
    """The report of a scan that may be replayed, as it was written: to ``destination``, or to standard
    output when None (only when that takes UTF-8, the encoding a replay writes)."""
    if _recording is None or _recording.unrecorded:
        return
    if destination is None and not _utf8(getattr(sys.stdout, "encoding", None)):
        return
    _recording.report = (os.path.abspath(destination) if destination else None, report.encode("utf-8"))


def finish(code: int) -> None:
    """Store the entry of the recorded scan if it may be replayed."""
    global _recording
    recording, _recording = _recording, None
    if (recording is None or recording.report is None or recording.unrecorded or code not in (0, 1)
            or _today() != recording.day):
        return
    try:
        dependencies = _dependencies(recording)
        if dependencies is None:
            return
        key = read_key(default_key_file()) or create_key(default_key_file())
        if key is None:
            return
        destination, report = recording.report
        payload = marshal.dumps((code_digest(), recording.day, dependencies, destination, report, code))
        write_atomic(_entry_path(recording.argv), signed(key, payload))
    except (OSError, ValueError):
        return


def _audit(event: str, args: tuple[object, ...]) -> None:
    recording = _recording
    if recording is None or event not in ("open", "os.scandir"):
        return
    try:
        _note(recording, event, args)
    except Exception:  # noqa: BLE001 - an audit hook that raised would fail the open it reports
        recording.report = None
        recording.unrecorded = True


def _note(recording: _Recording, event: str, args: tuple[object, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        writing = (any(c in mode for c in "wax+") if isinstance(mode, str)
                   else isinstance(flags, int) and flags & _ACCESS != os.O_RDONLY)
        if not writing:
            recording.files.add(os.path.abspath(os.fsdecode(path)))  # type: ignore[arg-type]
    else:  # os.scandir; os.listdir is left to the import system, whose folders hold code
        path = args[0]
        if not isinstance(path, int):
            folder = os.fsdecode(path) if path is not None else "."  # type: ignore[arg-type]
            recording.folders.add(os.path.abspath(folder))


def _dependencies(recording: _Recording) -> list[Dependency] | None:
    """Every file and folder read, with its digest; None when one digested apart from the scan's own
    reading of it changed while the scan ran, since its digest may then not be of what the scan read.
    An input's digest is that of the bytes the scan read, whatever happened to the file after."""
    dependencies: list[Dependency] = []
    for kind, path in _recorded(recording):
        source = recording.sources.get(path) if kind == "f" else None
        digest: bytes | None
        try:
            if source is not None:
                digest = bytes.fromhex(source.sha256)
            elif (kind, path) in recording.digests:
                digest = recording.digests[(kind, path)]
            else:
                digest = _digest(kind, path)
                if _changed(path, recording.started_ns):
                    return None
        except OSError:
            return None
        dependencies.append((kind, path, digest))
    return dependencies


def _changed(path: str, started_ns: int) -> bool:
    """Whether ``path`` may have changed since the scan began (raises OSError if it cannot tell). Asked
    after a digest, so that a digest taken of a path that changed in between is never trusted."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    return max(info.st_mtime_ns, info.st_ctime_ns) >= started_ns - MARGIN_NS


def _recorded(recording: _Recording) -> list[tuple[str, str]]:
    """The files and folders read that are inputs: not code, the cache or the kernel's files."""
    folder = os.path.abspath(default_dir())
    skipped = (*_KERNEL, os.path.join(folder, ""), os.path.join(os.path.realpath(folder), ""))
    key_file = os.path.abspath(default_key_file())
    code = tuple(os.path.join(os.path.abspath(p), "") for p in {*sys.path, sys.prefix, sys.base_prefix, _TOP} if p)
    return [(kind, path) for kind, paths in (("f", recording.files), ("d", recording.folders)) for path in sorted(paths)
            if not (path == key_file or path.startswith(skipped) or (path.endswith(_CODE) and path.startswith(code))
                    or ".dist-info" + os.sep in path)]


def _digest(kind: str, path: str) -> bytes | None:
    """A file's SHA-256, a folder's entries with their kinds, or None for a path that does not exist
    (raises OSError for one that cannot be read)."""
    try:
        if kind == "f":
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).digest()
        with os.scandir(path) as listing:
            entries = sorted(f"{e.name}\0{_kind(e)}" for e in listing)
        return hashlib.sha256("\n".join(entries).encode("utf-8", "surrogateescape")).digest()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return b"not a folder"
    except IsADirectoryError:
        return b"not a file"


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "l"
    if entry.is_dir(follow_symlinks=False):
        return "d"
    return "f" if entry.is_file(follow_symlinks=False) else "o"


def _entry_path(argv: Sequence[str]) -> Path:
    """One entry per command, folder and environment: the next run of a command replaces its entry."""
    digest = hashlib.sha256(FORMAT)
    out = sys.stdout
    environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("POLICYPROOF_") or k in ENVIRONMENT)
    for part in (*argv, "\0cwd", os.getcwd(), "\0stdout", str(_isatty(out)), str(getattr(out, "encoding", None)),
                 "\0environment", *(f"{k}={v}" for k, v in environment)):
        encoded = part.encode("utf-8", "surrogateescape")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    name = digest.hexdigest()
    return default_dir() / "replay" / name[:2] / name


def _today() -> str:
    """The UTC day, the one a scan judges waivers and attestations on."""
    return time.strftime("%Y-%m-%d", time.gmtime())


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _utf8(encoding: str | None) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding or "").name == "utf-8"
    except LookupError:
        return False
