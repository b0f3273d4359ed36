"""A cache of loader outputs and of rule verdicts, so that scanning an unchanged tree again
skips parsing and evaluation.

A loader entry is one loader's ``LoadOutcome`` for one set of files (for
Terraform, one group of folders linked by module calls, so an edit re-reads
only its own group). A scan entry holds the verdicts of a whole scan before
exemptions, keyed also on the rules in force, so a changed rule re-evaluates
(from the loader entries) and exemptions, attestations and dates are applied
afresh on every run. The validated rule set and each file's detected format are
kept the same way, so a repeated scan reads no rule YAML and imports no loader.
Every key is a SHA-256 over everything the entry depends
on: each file's path and content digest, the format, the configuration, the
Python and tool versions, and a digest of the tool's own code (so an edited
or upgraded loader never reads an entry an older one wrote).

Entries are pickled, and each is signed with HMAC-SHA256 under a random key
kept in the user's cache home (mode 0600), never in the cache folder itself:
a file that this installation did not write (one committed into a
repository, say) fails the check and is never unpickled. Any unreadable,
unsigned or stale entry is a miss; writing is best-effort and atomic.
"""
from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from checker.cachefiles import code_digest, create_key, default_dir, default_key_file, read_key, signed, verified
from checker.cachefiles import write_atomic
from checker.model import LoadOutcome
from checker.sources import SourceFile

FORMAT_VERSION = b"3"
"""Bumped when the entry layout changes."""

T = TypeVar("T")


class Cache:
    """Signed entries in ``folder``; the signing key lives in ``key_file``."""

    def __init__(self, folder: Path, key_file: Path | None = None) -> None:
        self.folder = folder
        self._key_file = key_file or default_key_file()
        self._key: bytes | None = None

    def prepare(self) -> None:
        """Create the signing key now, before processes that write entries are forked."""
        self._signing_key(create=True)

    def get(self, fmt: str, files: Sequence[SourceFile], settings: str) -> LoadOutcome | None:
        """The outcome stored for exactly these files under these settings, if any."""
        return self.get_object(self._loader_key(fmt, files, settings), LoadOutcome)

    def has(self, fmt: str, files: Sequence[SourceFile], settings: str) -> bool:
        """Whether an entry for these files may be stored, without reading it: what decides which
        groups to start loading before the scan knows whether it needs them."""
        if self._signing_key(create=False) is None:
            return False
        key = self._loader_key(fmt, files, settings)
        return (self.folder / key[:2] / key).is_file()

    def put(self, fmt: str, files: Sequence[SourceFile], settings: str, outcome: LoadOutcome) -> None:
        self.put_object(self._loader_key(fmt, files, settings), outcome)

    def get_object(self, key: str, kind: type[T]) -> T | None:
        """The object stored under ``key`` (from ``key()``) if there is one of type ``kind``."""
        found = self._read(self.folder / key[:2] / key)
        return found if isinstance(found, kind) else None

    def put_object(self, key: str, value: object) -> None:
        self._write(self.folder / key[:2] / key, value)

    def key(self, *parts: bytes) -> str:
        """A key over ``parts`` and everything an entry's meaning depends on: the entry layout, the
        tool's version and code, and Python's version."""
        digest = hashlib.sha256()
        for part in (FORMAT_VERSION, code_digest(), *parts):
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def _loader_key(self, fmt: str, files: Sequence[SourceFile], settings: str) -> str:
        listing = b"".join(source.path.encode("utf-8", "surrogateescape") + b"\0" + source.sha256.encode() + b"\n"
                           for source in sorted(files, key=lambda f: f.path))
        return self.key(b"load", fmt.encode(), settings.encode(), listing)

    def _signing_key(self, create: bool) -> bytes | None:
        if self._key is None:
            self._key = read_key(self._key_file)
            if self._key is None and create:
                self._key = create_key(self._key_file)
        return self._key

    def _read(self, entry: Path) -> object | None:
        try:
            blob = entry.read_bytes()
        except OSError:
            return None
        key = self._signing_key(create=False)
        payload = verified(key, blob) if key is not None else None
        if payload is None:
            return None
        try:
            return pickle.loads(payload)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never a failed scan
            return None

    def _write(self, entry: Path, value: object) -> None:
        try:
            key = self._signing_key(create=True)
            if key is None:
                return
            write_atomic(entry, signed(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return


_active: Cache | None = None


def enable(folder: Path | None = None, key_file: Path | None = None) -> None:
    """Use a cache for the rest of this process (the command line does, unless ``--no-cache``)."""
    global _active
    _active = Cache(folder or default_dir(), key_file)


def disable() -> None:
    global _active
    _active = None


def active() -> Cache | None:
    return _active
