"""The shipped YAML read from its pre-parsed JSON: the same data, and never stale."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker import fastyaml, preparsed


@pytest.mark.parametrize("folder", preparsed.bundled_folders(), ids=lambda folder: folder.name)
def test_the_shipped_preparsed_files_are_current(folder: Path) -> None:
    committed = (folder / preparsed.BUNDLE).read_text(encoding="utf-8")
    assert committed == preparsed.bundle(folder), "run `python -m checker.preparsed` and commit the result"


def test_every_shipped_yaml_file_reads_the_same_from_its_entry() -> None:
    for folder in preparsed.bundled_folders():
        for path in sorted(folder.rglob("*.yaml")):
            raw = path.read_bytes()
            assert preparsed._entries().get(str(path), ("", None))[0], f"{path} has no entry"
            assert preparsed.load_yaml(path, raw) == fastyaml.safe_load(raw.decode("utf-8"))


def test_a_file_whose_bytes_changed_is_read_as_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    path = preparsed.bundled_folders()[0] / "x.yaml"
    monkeypatch.setattr(preparsed, "_entries", lambda: {str(path): ("0" * 64, {"stale": True})})
    assert preparsed.load_yaml(path, b"fresh: true\n") == {"fresh": True}


def test_a_document_json_cannot_hold_exactly_gets_no_entry(tmp_path: Path) -> None:
    (tmp_path / "dated.yaml").write_text("expires: 2027-01-31\n")
    (tmp_path / "keyed.yaml").write_text("1: one\n")
    (tmp_path / "plain.yaml").write_text("name: x\n")
    bundle = preparsed.bundle(tmp_path)
    assert '"plain.yaml"' in bundle and "dated.yaml" not in bundle and "keyed.yaml" not in bundle
    assert fastyaml.safe_load("expires: 2027-01-31\n") == {"expires": dt.date(2027, 1, 31)}
