from __future__ import annotations

import pickle
from pathlib import Path

from checker.cache import Cache
from checker.cachefiles import write_atomic
from checker.model import LoadError, LoadOutcome
from checker.sources import SourceFile


def _outcome(message: str) -> LoadOutcome:
    return LoadOutcome(errors=[LoadError("main.tf", 1, message)])


def _cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "entries", key_file=tmp_path / "home" / "key")


def _load(tmp_path: Path, files: list[SourceFile], settings: str, message: str) -> LoadOutcome:
    """What a scan does: the cached outcome if there is one, else this one, stored."""
    store = _cache(tmp_path)
    found = store.get("terraform", files, settings)
    if found is None:
        found = _outcome(message)
        store.put("terraform", files, settings, found)
    return found


def test_unchanged_files_are_read_from_the_cache(tmp_path: Path) -> None:
    files = [SourceFile("main.tf", b'resource "aws_s3_bucket" "b" {}\n')]
    _load(tmp_path, files, "", "first")

    again = _load(tmp_path, files, "", "second")

    assert again.errors[0].message == "first"


def test_an_edited_file_is_loaded_again(tmp_path: Path) -> None:
    _load(tmp_path, [SourceFile("main.tf", b"a = 1\n")], "", "first")

    edited = _load(tmp_path, [SourceFile("main.tf", b"a = 2\n")], "", "second")

    assert edited.errors[0].message == "second"


def test_other_settings_are_another_entry(tmp_path: Path) -> None:
    files = [SourceFile("main.tf", b"a = 1\n")]
    _load(tmp_path, files, '{"x": 1}', "first")

    other = _load(tmp_path, files, '{"x": 2}', "second")

    assert other.errors[0].message == "second"


class _Planted:
    """Unpickling it creates a file: proof that a foreign entry was executed."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.target), "w"))


def test_an_entry_this_installation_did_not_sign_is_never_unpickled(tmp_path: Path) -> None:
    files = [SourceFile("main.tf", b"a = 1\n")]
    _load(tmp_path, files, "", "first")
    entry = next(p for p in (tmp_path / "entries").rglob("*") if p.is_file())
    entry.write_bytes(b"\0" * 32 + pickle.dumps(_Planted(tmp_path / "planted")))

    result = _load(tmp_path, files, "", "recomputed")

    assert result.errors[0].message == "recomputed"
    assert not (tmp_path / "planted").exists()


def test_an_entry_is_written_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    entry = tmp_path / "entries" / "ab" / "abcd"
    write_atomic(entry, b"x" * 300_000)
    write_atomic(entry, b"second")
    assert entry.read_bytes() == b"second"
    assert [p.name for p in entry.parent.iterdir()] == ["abcd"]
