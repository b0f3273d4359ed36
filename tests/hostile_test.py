"""Hostile and broken input, for every loader: results or an error with file and line, never a crash.

The cases are generated (``tests/hostile/corpus.py``) rather than committed: every loader
is fed arbitrary bytes (hypothesis) and a fixed set of classic attacks (alias bombs, deep
nesting, NUL bytes, invalid UTF-8, huge lines) under a name it claims, and multi-file
attacks (include and module loops, TOML and JSON bombs, 100,000 SQL statements) are
scanned as trees.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.loaders import LOADERS
from checker.model import LoadOutcome
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from policy_spec.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from corpus import GENERIC, NAMES, TREES, name_for, write  # noqa: E402
from timeouts import time_limit  # noqa: E402

RULES = rule_set(Config())
FRAGMENTS = ["{", "}", "[", "]", "(", ")", "resource \"a\" \"b\" ", "=", ":", "- ", "\n", "  ", "\r\n", "\x00",
             "\ufeff", "${", "{{", "}}", "!Ref ", "&a ", "*a", "<<", "--", "/*", "*/", "'", '"', "#", ";",
             "apiVersion: v1\nkind: List\n", "server {", "listen 80;", "CREATE TABLE t (id int);",
             "AWSTemplateFormatVersion: '2010-09-09'\n", '{"format_version": "1.2", ', "services:\n",
             "postgres://u:p@h/db?sslmode=disable", "\\", "\t", "é", "\U0001f600", "[tool.poetry]\n", "$$",
             "include *.conf;", "!!python/object/apply:os.system ['true']"]
hostile_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=60).map("".join)


def assert_well_formed(outcome: LoadOutcome) -> None:
    assert isinstance(outcome, LoadOutcome)
    for problem in [*outcome.errors, *outcome.notes]:
        assert problem.path and problem.line >= 1 and problem.message


def test_every_loader_has_a_name_it_claims() -> None:
    assert set(NAMES) == set(LOADERS)


@pytest.mark.parametrize("fmt", sorted(LOADERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000))
def test_any_bytes_give_resources_or_errors(fmt: str, data: bytes) -> None:
    assert_well_formed(LOADERS[fmt].load([SourceFile(name_for(fmt), data)]))


@pytest.mark.parametrize("fmt", sorted(LOADERS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text)
def test_any_near_valid_text_gives_resources_or_errors(fmt: str, text: str) -> None:
    assert_well_formed(LOADERS[fmt].load([SourceFile(name_for(fmt), text.encode("utf-8", "surrogatepass"))]))


@pytest.mark.parametrize("attack", sorted(GENERIC))
@pytest.mark.parametrize("fmt", sorted(LOADERS))
def test_classic_attacks_give_resources_or_errors(fmt: str, attack: str) -> None:
    with time_limit(60):
        assert_well_formed(LOADERS[fmt].load([SourceFile(name_for(fmt), GENERIC[attack]())]))


def test_the_generic_corpus_scans_without_a_crash_and_fails_closed(tmp_path: Path) -> None:
    for attack, make in GENERIC.items():
        data = make()
        for fmt in LOADERS:
            target = tmp_path / attack / fmt / name_for(fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    with time_limit(120):
        report = scan([tmp_path], Config(), RULES)
    unreadable = {r.location.path for r in report.results if r.status == "error" and r.location}
    for attack in ("invalid-utf8", "deep-brackets", "alias-bomb", "utf16", "nul"):
        assert any(path.startswith(f"{attack}/") for path in unreadable), attack
    for attack in ("binary", "python-tag", "invalid-utf8", "alias-bomb"):
        assert all(r.status != "pass" for r in report.results if r.location and r.location.path.startswith(attack))


UNREADABLE = {
    "toml-nested-arrays": {"supabase/config.toml", "pyproject.toml", "Pipfile"},
    "json-deep": {"plan.json"},
    "sql-deep-expression": {"supabase/migrations/20240101000000_init.sql"},
    "sql-unterminated": {"supabase/migrations/20240101000000_init.sql"},
    "nginx-deep-blocks": {"nginx.conf"},
    "terraform-deep-calls": {"main.tf"},
    "dotenv-cycles": {".env"},
}
"""Per tree, the files that must be reported as errors; every other file must at least be read."""


@pytest.mark.parametrize("attack", sorted(TREES))
def test_each_hostile_tree_is_read_or_reported_and_never_hangs(tmp_path: Path, attack: str) -> None:
    tree = TREES[attack]()
    for name, data in tree.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    with time_limit(120):
        report = scan([tmp_path], Config(), RULES)
    errors = {r.location.path for r in report.results if r.status == "error" and r.location and r.rule == "PP-LOAD-000"}
    assert errors >= UNREADABLE.get(attack, set())
    assert set(tree) <= {i.path for i in report.inputs} | errors
    assert all(r.status != "pass" for r in report.results if r.location and r.location.path in errors)


def test_the_corpus_can_be_written_for_a_manual_scan(tmp_path: Path) -> None:
    assert write(tmp_path) == len(GENERIC) * len(NAMES) + sum(len(make()) for make in TREES.values())
