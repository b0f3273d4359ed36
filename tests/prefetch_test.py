"""Parsing ahead while a scan starts: it may make a scan sooner, never different."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from checker import parallel, prefetch
from checker.scan import rule_set, scan
from policy_spec.config import Config

ROOT = Path(__file__).resolve().parent.parent
RULES = rule_set(Config())
needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers are forked only on Linux")


def _tree(root: Path, stacks: int = 8, padding: int = 0) -> None:
    for n in range(stacks):
        folder = root / f"stack{n}"
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text("".join(_bucket(f"b{n}x{m}", encrypted=(n + m) % 2 == 0) for m in range(4))
                                        + f"# {'-' * 98}\n" * padding)
    (root / "stack0" / "call.tf").write_text('module "m" {\n  source = "../stack1"\n}\n')


def _bucket(name: str, encrypted: bool) -> str:
    text = f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n'
    if encrypted:
        text += (f'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{\n'
                 f'  bucket = aws_s3_bucket.{name}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n'
                 f'      sse_algorithm = "aws:kms"\n    }}\n  }}\n}}\n')
    return text


def _parsed_ahead(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tree under ``root`` whose files a helper has had time to parse ahead, as on two cores."""
    _tree(root)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)
    monkeypatch.setattr(prefetch, "available_cores", lambda: 2)
    prefetch.start(["scan", str(root)])
    assert prefetch._started is not None
    time.sleep(0.3)


def test_a_scan_of_folders_is_parsed_ahead_under_those_folders(tmp_path: Path) -> None:
    argv = ["scan", str(tmp_path), "--format", "json", "-o", str(tmp_path / "report.json")]
    assert prefetch.scan_targets(argv) == [str(tmp_path)]


def test_a_scan_that_names_no_path_is_parsed_ahead_in_the_current_folder() -> None:
    assert prefetch.scan_targets(["scan"]) == ["."]
    assert prefetch.scan_targets(["scan", "-v", "--format", "json", "-o", "report.json", "--jobs", "2"]) == ["."]


def test_option_values_are_not_taken_for_paths(tmp_path: Path) -> None:
    argv = ["scan", "--config", str(tmp_path), "--format=json", "-o", "out", str(tmp_path / "missing")]
    assert prefetch.scan_targets(argv) == []
    assert prefetch.scan_targets(["scan", "--fail-on", "high", "--", str(tmp_path)]) == [str(tmp_path)]


def test_the_options_read_as_taking_a_value_are_those_of_the_scan_command() -> None:
    from checker.cli import cli

    taking = {name for param in cli.commands["scan"].params if isinstance(param, click.Option) and not param.is_flag
              for name in param.opts}
    assert prefetch.SCAN_VALUE_OPTIONS == taking


def test_a_scan_of_files_alone_is_not_parsed_ahead(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("")
    assert prefetch.scan_targets(["scan", str(tmp_path / "main.tf")]) == []


def test_no_other_command_is_parsed_ahead(tmp_path: Path) -> None:
    assert prefetch.scan_targets(["hook", str(tmp_path)]) == []
    assert prefetch.scan_targets(["rules", "test", str(tmp_path)]) == []
    assert prefetch.scan_targets(["scan", "--help"]) == []


@pytest.mark.parametrize("jobs", [["--jobs", "1"], ["-j", "1"], ["--jobs=1"], ["-j1"]])
def test_a_scan_asked_to_use_one_process_is_not_parsed_ahead(tmp_path: Path, jobs: list[str]) -> None:
    assert prefetch.scan_targets(["scan", str(tmp_path), *jobs]) == []


def test_a_scan_told_by_the_environment_to_use_one_process_is_not_parsed_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYPROOF_JOBS", "1")
    assert prefetch.scan_targets(["scan", str(tmp_path)]) == []


@needs_fork
def test_a_scan_whose_files_were_parsed_ahead_reports_what_one_process_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _parsed_ahead(tmp_path, monkeypatch)

    ahead = scan([tmp_path], Config(), RULES, jobs=2).model_dump_json()

    assert prefetch.claim() is None, "the scan took the helper"
    assert ahead == scan([tmp_path], Config(), RULES, jobs=1).model_dump_json()


@needs_fork
def test_a_file_changed_after_it_was_parsed_ahead_is_reported_as_it_is_now(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _parsed_ahead(tmp_path, monkeypatch)
    (tmp_path / "stack2" / "main.tf").write_text(_bucket("changed", encrypted=False))

    ahead = scan([tmp_path], Config(), RULES, jobs=2).model_dump_json()

    assert '"changed"' in ahead
    assert ahead == scan([tmp_path], Config(), RULES, jobs=1).model_dump_json()


@needs_fork
def test_files_parsed_ahead_that_the_configuration_excludes_are_not_scanned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _parsed_ahead(tmp_path, monkeypatch)
    config = Config(exclude=["stack3"])

    ahead = scan([tmp_path], config, RULES, jobs=2)

    assert not [i for i in ahead.inputs if i.path.startswith("stack3/")]
    assert ahead.model_dump_json() == scan([tmp_path], config, RULES, jobs=1).model_dump_json()


def test_the_command_reports_the_same_with_a_helper_as_with_one_process(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    _tree(tree, stacks=12, padding=500)  # over twice the input that makes a second process worth it
    assert sum(f.stat().st_size for f in tree.rglob("*.tf")) > 2 * parallel.MIN_BYTES_PER_WORKER
    reports = []
    for number, jobs in enumerate([[], ["--jobs", "1"]]):
        report = tmp_path / f"report{number}.json"
        done = subprocess.run([sys.executable, "-m", "checker", "scan", str(tree), "--format", "json", "-o",
                               str(report), *jobs], cwd=ROOT, capture_output=True, check=False,
                              env={**os.environ, "POLICYPROOF_CACHE_DIR": str(tmp_path / f"cache{number}")})
        assert done.returncode == 1, done.stderr
        reports.append(report.read_bytes())

    assert reports[0] == reports[1]
