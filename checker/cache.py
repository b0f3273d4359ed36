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
import hmac
import os
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from checker import __version__
from checker.model import LoadOutcome
from checker.sources import SourceFile

FORMAT_VERSION = b"2"
"""Bumped when the entry layout changes."""

_SIGNATURE_BYTES = 32

T = TypeVar("T")


def default_dir() -> Path:
    """``$POLICYPROOF_CACHE_DIR``, else ``$XDG_CACHE_HOME/policyproof``, else ``~/.cache/policyproof``."""
    configured = os.environ.get("POLICYPROOF_CACHE_DIR")
    if configured:
        return Path(configured)
    return _cache_home() / "policyproof"


def _cache_home() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg else Path.home() / ".cache"


class Cache:
    """Signed entries in ``folder``; the signing key lives in ``key_file``."""

    def __init__(self, folder: Path, key_file: Path | None = None) -> None:
        self.folder = folder
        self._key_file = key_file or _cache_home() / "policyproof" / "key"
        self._key: bytes | None = None
        self._code: bytes | None = None

    def prepare(self) -> None:
        """Create the signing key now, before processes that write entries are forked."""
        self._signing_key(create=True)

    def get(self, fmt: str, files: Sequence[SourceFile], settings: str) -> LoadOutcome | None:
        """The outcome stored for exactly these files under these settings, if any."""
        return self.get_object(self._loader_key(fmt, files, settings), LoadOutcome)

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
        for part in (FORMAT_VERSION, __version__.encode(), sys.version.encode(), self._code_digest(), *parts):
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def _loader_key(self, fmt: str, files: Sequence[SourceFile], settings: str) -> str:
        listing = b"".join(source.path.encode("utf-8", "surrogateescape") + b"\0" + source.sha256.encode() + b"\n"
                           for source in sorted(files, key=lambda f: f.path))
        return self.key(b"load", fmt.encode(), settings.encode(), listing)

    def _code_digest(self) -> bytes:
        """Size and modification time of every module of the checker and of its models: any edit to
        the code is a new key."""
        if self._code is None:
            top = Path(__file__).resolve().parent.parent
            digest = hashlib.sha256()
            for package in ("checker", "policy_spec"):
                for path in sorted((top / package).rglob("*.py")):
                    stat = path.stat()
                    digest.update(f"{path.relative_to(top)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
            self._code = digest.digest()
        return self._code

    def _signing_key(self, create: bool) -> bytes | None:
        if self._key is None:
            try:
                key = self._key_file.read_bytes()
                self._key = key if len(key) >= 32 else None
            except OSError:
                self._key = None
            if self._key is None and create:
                self._key = _create_key(self._key_file)
        return self._key

    def _read(self, entry: Path) -> object | None:
        try:
            blob = entry.read_bytes()
        except OSError:
            return None
        key = self._signing_key(create=False)
        if key is None or len(blob) <= _SIGNATURE_BYTES:
            return None
        signature, payload = blob[:_SIGNATURE_BYTES], blob[_SIGNATURE_BYTES:]
        if not hmac.compare_digest(signature, hmac.new(key, payload, hashlib.sha256).digest()):
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
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            entry.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # only a run that writes pays for it

            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(hmac.new(key, payload, hashlib.sha256).digest() + payload)
            os.replace(temporary, entry)
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            return


def _create_key(path: Path) -> bytes | None:
    """A new random signing key, written so that only this user can read it; a concurrent writer's key wins."""
    import secrets

    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            existing = path.read_bytes()
        except OSError:
            return None
        return existing if len(existing) >= 32 else None
    except OSError:
        return None
    with os.fdopen(handle, "wb") as out:
        out.write(key)
    return key


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
