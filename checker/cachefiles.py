"""Where the caches keep their files, how an entry is signed, and the digest of the tool's own code.

Shared by the object cache (``checker.cache``) and the replay of whole scans
(``checker.replay``); it imports nothing heavier than ``hashlib`` and ``hmac``,
since a replayed scan must not pay for more.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path

from checker import __version__

SIGNATURE_BYTES = 32


def default_dir() -> Path:
    """``$POLICYPROOF_CACHE_DIR``, else ``$XDG_CACHE_HOME/policyproof``, else ``~/.cache/policyproof``."""
    configured = os.environ.get("POLICYPROOF_CACHE_DIR")
    if configured:
        return Path(configured)
    return cache_home() / "policyproof"


def default_key_file() -> Path:
    """The signing key lives in the user's cache home, never in a cache folder a repository could hold."""
    return cache_home() / "policyproof" / "key"


def cache_home() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg else Path.home() / ".cache"


def read_key(path: Path) -> bytes | None:
    try:
        key = path.read_bytes()
    except OSError:
        return None
    return key if len(key) >= 32 else None


def create_key(path: Path) -> bytes | None:
    """A new random signing key, written so that only this user can read it; a concurrent writer's key wins."""
    import secrets

    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    except OSError:
        return None
    with os.fdopen(handle, "wb") as out:
        out.write(key)
    return key


def signed(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest() + payload


def verified(key: bytes, blob: bytes) -> bytes | None:
    """The payload of ``blob`` if this installation's key signed it, else None."""
    if len(blob) <= SIGNATURE_BYTES:
        return None
    signature, payload = blob[:SIGNATURE_BYTES], blob[SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, hmac.new(key, payload, hashlib.sha256).digest()):
        return None
    return payload


def write_atomic(path: Path, blob: bytes) -> None:
    """Readers see the old entry or the new one, never half of one (raises OSError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_temporary(path.parent)
    try:
        view = memoryview(blob)
        while view:
            view = view[os.write(handle, view):]
        os.close(handle)
        handle = -1
        os.replace(temporary, path)
    except BaseException:
        if handle >= 0:
            os.close(handle)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _create_temporary(folder: Path) -> tuple[int, str]:
    """A new file beside the entry, opened by this process alone: what ``tempfile.mkstemp`` makes,
    without importing ``tempfile`` (and ``shutil`` and the compression modules) into a scan."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.join(folder, f".tmp-{os.urandom(6).hex()}")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary name in {folder}")


_code: bytes | None = None


def code_digest() -> bytes:
    """What a cached entry's meaning depends on besides its inputs: the tool's version, Python's
    version, the size and modification time of every module of the checker and of its models (any
    edit to the code is a new key), and of the folders packages are installed in (installing,
    upgrading or removing a parser changes them)."""
    global _code
    if _code is None:
        top = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(f"{__version__}\0{sys.version}\n".encode())
        for package in ("checker", "policy_spec"):
            for folder, _, names in sorted(os.walk(top / package)):
                for name in sorted(names):
                    if name.endswith(".py"):
                        info = os.stat(os.path.join(folder, name))
                        digest.update(f"{os.path.relpath(folder, top)}/{name}:{info.st_size}:"
                                      f"{info.st_mtime_ns}\n".encode())
        for entry in sorted({p for p in sys.path if p.endswith("site-packages")}):
            try:
                digest.update(f"{entry}:{os.stat(entry).st_mtime_ns}\n".encode())
            except OSError:
                continue
        _code = digest.digest()
    return _code
