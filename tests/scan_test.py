from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker import cache, parallel
from checker.errors import RuleError
from checker.scan import RuleSet, rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Report

RULES = rule_set(Config())


def run(root: Path, config: Config | None = None) -> Report:
    return scan([root], config or Config(), RULES)


def statuses(report: Report) -> dict[str, str]:
    return {f"{r.location.path}:{r.rule}": r.status for r in report.results if r.location}


def test_deeply_nested_hcl_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.tf").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert statuses(run(tmp_path)) == {"deep.tf:PP-LOAD-000": "error"}


def test_a_nul_byte_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "nul.tf").write_bytes(b'resource "a" "b" {\x00}\n')
    assert statuses(run(tmp_path))["nul.tf:PP-LOAD-000"] == "error"


def test_a_byte_order_mark_and_crlf_are_read(tmp_path: Path) -> None:
    (tmp_path / "bom.tf").write_bytes(b'\xef\xbb\xbfresource "aws_s3_bucket" "b" {\r\n}\r\n')
    assert statuses(run(tmp_path)) == {"bom.tf:PP-ENC-001": "fail"}


def test_a_file_over_the_size_limit_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "big.tf").write_text('resource "aws_s3_bucket" "b" {}\n' + "# padding\n" * 100)
    report = run(tmp_path, Config(max_file_bytes=100))
    assert statuses(report) == {"big.tf:PP-LOAD-000": "error"}
    assert "max_file_bytes" in report.results[0].message


def test_symlinks_are_never_followed_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "link")
    os.symlink(outside / "secret.tf", root / "file.tf")
    assert run(root).inputs == []


def test_excluded_paths_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert run(tmp_path, Config(exclude=["examples"])).inputs == []


def test_input_order_does_not_change_the_results(tmp_path: Path) -> None:
    for name in ("b.tf", "a.tf", "c.tf"):
        (tmp_path / name).write_text(f'resource "aws_s3_bucket" "{name[0]}" {{}}\n')
    first = run(tmp_path).model_dump()
    (tmp_path / "a.tf").rename(tmp_path / "z.tf")
    (tmp_path / "z.tf").rename(tmp_path / "a.tf")
    assert run(tmp_path).model_dump() == first


def test_a_format_can_be_forced_for_files_detection_would_skip(tmp_path: Path) -> None:
    (tmp_path / "bucket.hcl").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert run(tmp_path).inputs == []
    forced = run(tmp_path, Config.model_validate({"formats": {"force": {"*.hcl": "terraform"}}}))
    assert statuses(forced) == {"bucket.hcl:PP-ENC-001": "fail"}


def test_a_format_can_be_disabled(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert run(tmp_path, Config.model_validate({"formats": {"disable": ["terraform"]}})).inputs == []


def test_a_platform_default_never_excuses_an_explicit_opt_out(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules" / "encryption-at-rest"
    rules_dir.mkdir(parents=True)
    (rules_dir / "PP-TST-001.yaml").write_text(
        "id: PP-TST-001\nname: queue-unencrypted\ntitle: Queue is encrypted\nmessage: Queue is not encrypted\n"
        "commitment: encryption-at-rest\nseverity: high\nselect: {format: terraform, types: [aws_sqs_queue]}\n"
        "condition: {attr: sse, equals: true}\n"
        "platform_default: {note: new queues are encrypted, when: {attr: sse, exists: false}}\n"
        "docs: {what: what it checks here, why: why it matters here, fix: how to fix it here}\n")
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "silent" {}\n'
                                      'resource "aws_sqs_queue" "off" {\n  sse = false\n}\n')
    config = Config(bundled_rules=False, rules=[str(tmp_path / "rules")], platform_defaults="accept")
    from checker.scan import rule_set as build

    report = scan([tmp_path], config, build(config, tmp_path))
    verdicts = {r.resource.name: (r.status, r.basis) for r in report.results if r.resource}
    assert verdicts == {"silent": ("pass", "platform-default"), "off": ("fail", "declared")}


def test_include_limits_the_scan_to_matching_paths(tmp_path: Path) -> None:
    for folder in ("infra", "examples"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "s3.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    assert [i.path for i in run(tmp_path, Config(include=["infra"])).inputs] == ["infra/s3.tf"]


def test_what_gitignore_ignores_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n*.local.tf\n")
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "s3.tf").write_text('resource "aws_s3_bucket" "g" {}\n')
    (tmp_path / "dev.local.tf").write_text('resource "aws_s3_bucket" "l" {}\n')
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "m" {}\n')
    assert [i.path for i in run(tmp_path).inputs] == ["main.tf"]


def test_a_symlink_loop_does_not_hang_the_walk(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    (tmp_path / "a" / "main.tf").write_text('resource "aws_s3_bucket" "m" {}\n')
    assert [i.path for i in run(tmp_path).inputs] == ["a/main.tf"]


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[Path]:
    """The scan's cache switched on, in a folder and signing-key home of the test's own."""
    cache.enable(tmp_path / "cache", key_file=tmp_path / "home" / "key")
    yield tmp_path / "tree"
    cache.disable()


def _bucket(name: str, encrypted: bool) -> str:
    text = f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n}}\n'
    if encrypted:
        text += (f'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{\n'
                 f'  bucket = aws_s3_bucket.{name}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n'
                 f'      sse_algorithm = "aws:kms"\n    }}\n  }}\n}}\n')
    return text


def test_a_repeated_scan_of_an_unchanged_tree_reports_the_same(cached: Path) -> None:
    cached.mkdir()
    (cached / "main.tf").write_text(_bucket("data", encrypted=False))
    first = run(cached).model_dump_json()

    assert run(cached).model_dump_json() == first
    assert any((cached.parent / "cache").rglob("*"))


def test_an_edit_is_seen_by_the_next_scan(cached: Path) -> None:
    cached.mkdir()
    (cached / "main.tf").write_text(_bucket("data", encrypted=False))
    assert statuses(run(cached))["main.tf:PP-ENC-001"] == "fail"

    (cached / "main.tf").write_text(_bucket("data", encrypted=True))

    assert statuses(run(cached))["main.tf:PP-ENC-001"] == "pass"


def test_a_changed_rule_pack_is_applied_to_unchanged_files(cached: Path, tmp_path: Path) -> None:
    cached.mkdir()
    (cached / "main.tf").write_text(_bucket("data", encrypted=False))
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    rule = (Path(__file__).parent.parent / "rules" / "encryption-at-rest" / "PP-ENC-001.yaml").read_text()
    (rules_dir / "ACME-ENC-001.yaml").write_text(rule.replace("PP-ENC-001", "ACME-ENC-001"))
    config = Config(bundled_rules=False, rules=[str(rules_dir)])
    assert statuses(scan([cached], config, rule_set(config, tmp_path))) == {"main.tf:ACME-ENC-001": "fail"}

    (rules_dir / "ACME-ENC-001.yaml").write_text(rule.replace("PP-ENC-001", "ACME-ENC-001")
                                                 .replace("severity: high", "severity: low"))

    again = scan([cached], config, rule_set(config, tmp_path))
    assert [r.severity for r in again.results] == ["low"]


def test_a_file_whose_first_bytes_change_is_detected_again(cached: Path) -> None:
    cached.mkdir()
    (cached / "app.yaml").write_text("name: not a manifest\n")
    assert run(cached).inputs == []

    (cached / "app.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n")

    assert [(i.path, i.format) for i in run(cached).inputs] == [("app.yaml", "kubernetes")]


def _stacks(root: Path, count: int = 12) -> None:
    for n in range(count):
        folder = root / f"stack{n}"
        folder.mkdir()
        (folder / "main.tf").write_text(_bucket(f"b{n}", encrypted=n % 2 == 0))
    (root / "stack0" / "call.tf").write_text('module "m" {\n  source = "../stack1"\n}\n')


def test_loading_in_several_processes_reports_what_one_process_does(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _stacks(tmp_path)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)
    if sys.platform.startswith("linux"):
        assert parallel.worker_count(10_000, jobs=2) == 2
    spread = scan([tmp_path], Config(), RULES, jobs=2).model_dump_json()

    assert spread == scan([tmp_path], Config(), RULES, jobs=1).model_dump_json()


def test_rules_given_as_a_function_are_read_once_while_the_files_load(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _stacks(tmp_path)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)
    reads: list[int] = []

    def read_rules() -> RuleSet:
        reads.append(len(multiprocessing.active_children()))
        return RULES

    report = scan([tmp_path], Config(), read_rules, jobs=2)

    assert reads == [1 if sys.platform.startswith("linux") else 0]
    assert report.model_dump_json() == scan([tmp_path], Config(), RULES, jobs=1).model_dump_json()


def test_rules_that_cannot_be_read_stop_the_loading_they_overlapped(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _stacks(tmp_path)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)

    def broken_rules() -> RuleSet:
        raise RuleError("rules/bad.yaml", "select", "not a rule")

    with pytest.raises(RuleError, match="bad.yaml: select"):
        scan([tmp_path], Config(), broken_rules, jobs=2)
    assert multiprocessing.active_children() == []


def test_groups_begun_before_the_verdicts_were_found_cached_are_stopped(cached: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cached.mkdir()
    _stacks(cached)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)
    first = scan([cached], Config(), RULES, jobs=2).model_dump_json()
    begun: list[int] = []
    monkeypatch.setattr(cache.Cache, "has", lambda *_: False)  # as if every group's entry were gone

    def read_rules() -> RuleSet:
        begun.append(len(multiprocessing.active_children()))
        return RULES

    assert scan([cached], Config(), read_rules, jobs=2).model_dump_json() == first
    assert begun == [1 if sys.platform.startswith("linux") else 0]
    assert multiprocessing.active_children() == []
