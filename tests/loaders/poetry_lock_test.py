from __future__ import annotations

from checker.loaders import poetry_lock
from checker.sources import SourceFile


def test_locked_packages_are_indirect_at_their_name_line() -> None:
    text = '[[package]]\nname = "certifi"\nversion = "2024.2.2"\n\n[[package]]\nname = "stripe"\nversion = "9.0.0"\n'
    outcome = poetry_lock.load([SourceFile("poetry.lock", text.encode())])
    assert [(r.attrs["name"], r.location.line, r.attrs["direct"]) for r in outcome.resources] == [
        ("certifi", 2, False), ("stripe", 6, False)]
