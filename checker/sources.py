"""A file as read once from disk: its path relative to the scanned root, bytes and digest."""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from checker.model import LoadError, LoadOutcome


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: str) -> tuple[int, int]:
    """A descriptor for reading a regular file, and the file's size (raises OSError), never blocking
    on a FIFO that replaced the file after a walk saw it."""
    fd = os.open(path, _FLAGS)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return fd, info.st_size


def read_to_end(fd: int, expected: int) -> bytes:
    """The rest of a regular file about ``expected`` bytes long, in as few reads as it takes. A short
    read of a regular file is its end, so a file of the expected size takes one read, where a
    Python file object spends six more system calls on it."""
    parts: list[bytes] = []
    request = max(expected, 0) + 1
    while True:
        part = os.read(fd, request)
        if part:
            parts.append(part)
        if len(part) < request:
            return b"".join(parts)
        request = 1 << 20


def read_file(path: str) -> bytes:
    """A regular file's bytes (raises OSError)."""
    fd, size = open_regular(path)
    try:
        return read_to_end(fd, size)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class SourceFile:
    path: str
    data: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def text(self) -> str | LoadError:
        """The file as text; a byte-order mark is dropped, invalid UTF-8 is an error with its line."""
        data = self.data[3:] if self.data.startswith(b"\xef\xbb\xbf") else self.data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return LoadError(self.path, line, f"not valid UTF-8 (byte {exc.start})", kind="parse")


def texts(files: Iterable[SourceFile], outcome: LoadOutcome) -> Iterator[tuple[SourceFile, str]]:
    """Each file with its text; a file that is not text becomes an error in ``outcome``."""
    for source in files:
        text = source.text()
        if isinstance(text, LoadError):
            outcome.errors.append(text)
        else:
            yield source, text
