"""A file as read once from disk: its path relative to the scanned root, bytes and digest."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from checker.model import LoadError, LoadOutcome


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
