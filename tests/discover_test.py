"""The walk on hostile trees: odd names, odd file types, depth, files that vanish. Never a crash or a silent pass."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checker import scan as scan_module
from checker.discover import walk
from checker.reporters import REPORTERS
from checker.reporters.options import RenderOptions
from checker.scan import rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Report

RULES = rule_set(Config())
BUCKET = 'resource "aws_s3_bucket" "b" {}\n'


def run(root: Path) -> Report:
    return scan([root], Config(), RULES)


def statuses(report: Report) -> dict[str, str]:
    return {f"{r.location.path}:{r.rule}": r.status for r in report.results if r.location}


def test_a_file_name_that_is_not_utf8_is_scanned_and_every_report_renders(tmp_path: Path) -> None:
    for name in (b"bad\xff.tf", b"bad\xfe.tf"):
        with open(os.path.join(os.fsencode(tmp_path), name), "w") as handle:
            handle.write(BUCKET)
    report = run(tmp_path)
    assert statuses(report) == {"bad\\xfe.tf:PP-ENC-001": "fail", "bad\\xff.tf:PP-ENC-001": "fail"}
    for module in REPORTERS.values():
        module.render(report, RenderOptions(verbose=True)).encode("utf-8")
    json.loads(report.model_dump_json())


def test_a_folder_tree_deeper_than_the_python_stack_is_walked(tmp_path: Path) -> None:
    chain = [tmp_path / "d"]
    for _ in range(1200):
        chain[-1].mkdir()
        chain.append(chain[-1] / "d")
    (chain[-2] / "main.tf").write_text(BUCKET)
    try:
        assert list(statuses(run(tmp_path)).values()) == ["fail"]
    finally:  # bottom up: a recursive removal (pytest's own clean-up) would exhaust the stack too
        (chain[-2] / "main.tf").unlink()
        for folder in reversed(chain[:-1]):
            folder.rmdir()


def test_a_fifo_named_like_a_source_file_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.tf")
    report = run(tmp_path)
    assert statuses(report) == {"main.tf:PP-LOAD-000": "error"}
    assert "not a regular file" in report.results[0].message


def test_a_folder_named_like_a_source_file_is_walked_as_a_folder(tmp_path: Path) -> None:
    (tmp_path / "main.tf").mkdir()
    (tmp_path / "main.tf" / "inner.tf").write_text(BUCKET)
    assert statuses(run(tmp_path)) == {"main.tf/inner.tf:PP-ENC-001": "fail"}


def test_a_file_removed_between_walk_and_read_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(BUCKET)
    (tmp_path / "gone.tf").write_text(BUCKET)

    def walk_then_remove(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for candidate in walk(*args, **kwargs):  # type: ignore[arg-type]
            if candidate.path == "gone.tf":
                (tmp_path / "gone.tf").unlink()
            yield candidate

    monkeypatch.setattr(scan_module, "walk", walk_then_remove)
    found = statuses(run(tmp_path))
    assert found == {"gone.tf:PP-LOAD-000": "error", "main.tf:PP-ENC-001": "fail"}


def test_an_unreadable_file_is_an_error_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(BUCKET)
    (tmp_path / "main.tf").chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it would for anyone else
        real_open = os.open

        def denied(path: object, *args: object, **kwargs: object) -> int:
            if str(path).endswith("main.tf"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(scan_module.os, "open", denied)
    report = run(tmp_path)
    assert statuses(report) == {"main.tf:PP-LOAD-000": "error"}
    assert "Permission denied" in report.results[0].message


def test_a_folder_that_cannot_be_listed_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "main.tf").write_text(BUCKET)
    real_scandir = os.scandir

    def denied(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr("checker.discover.os.scandir", denied)
    report = run(tmp_path)
    assert statuses(report) == {"locked:PP-LOAD-000": "error"}


def test_a_symlink_to_a_file_outside_the_root_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "outside.tf").write_text(BUCKET)
    (tmp_path / "root").mkdir()
    os.symlink(tmp_path / "outside.tf", tmp_path / "root" / "main.tf")
    assert run(tmp_path / "root").inputs == []


def test_the_walk_order_is_each_folders_files_then_its_subfolders_by_name(tmp_path: Path) -> None:
    for name in ("b/z.tf", "b/a/y.tf", "a.tf", "c.tf", "a/x.tf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BUCKET)
    assert [c.path for c in walk(tmp_path)] == ["a.tf", "c.tf", "a/x.tf", "b/z.tf", "b/a/y.tf"]
