"""Hostile and broken input, for every loader: results or an error with file and line, never a crash.

The cases are generated here rather than committed: every loader is fed arbitrary
bytes (hypothesis) and a fixed set of classic attacks (alias bombs, deep nesting,
NUL bytes, invalid UTF-8, huge lines), each under a name the loader claims.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.loaders import LOADERS
from checker.model import LoadOutcome
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from policy_spec.config import Config

NAMES = {
    "terraform": "main.tf",
    "terraform-plan": "plan.json",
    "kubernetes": "deploy.yaml",
    "compose": "docker-compose.yml",
    "dotenv": ".env",
    "cloudformation": "template.yaml",
    "nginx": "nginx.conf",
    "sql": "supabase/migrations/20240101000000_init.sql",
    "supabase_config": "supabase/config.toml",
}
FRAGMENTS = ["{", "}", "[", "]", "(", ")", "resource \"a\" \"b\" ", "=", ":", "- ", "\n", "  ", "\r\n", "\x00",
             "\ufeff", "${", "{{", "}}", "!Ref ", "&a ", "*a", "<<", "--", "/*", "*/", "'", '"', "#", ";",
             "apiVersion: v1\nkind: List\n", "server {", "listen 80;", "CREATE TABLE t (id int);",
             "AWSTemplateFormatVersion: '2010-09-09'\n", '{"format_version": "1.2", ', "services:\n",
             "postgres://u:p@h/db?sslmode=disable", "\\", "\t", "é", "\U0001f600"]
hostile_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=20), max_size=60).map("".join)


def name_for(fmt: str) -> str:
    return NAMES.get(fmt, f"input.{fmt}")


def assert_well_formed(outcome: LoadOutcome, path: str) -> None:
    assert isinstance(outcome, LoadOutcome)
    for problem in [*outcome.errors, *outcome.notes]:
        assert problem.path and problem.line >= 1 and problem.message


@pytest.mark.parametrize("fmt", sorted(LOADERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000))
def test_any_bytes_give_resources_or_errors(fmt: str, data: bytes) -> None:
    path = name_for(fmt)
    assert_well_formed(LOADERS[fmt].load([SourceFile(path, data)]), path)


@pytest.mark.parametrize("fmt", sorted(LOADERS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text)
def test_any_near_valid_text_gives_resources_or_errors(fmt: str, text: str) -> None:
    path = name_for(fmt)
    assert_well_formed(LOADERS[fmt].load([SourceFile(path, text.encode("utf-8", "surrogatepass"))]), path)


def attacks() -> dict[str, bytes]:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 10):
        bomb += f"{chr(97 + level)}: &{chr(97 + level)} [" + ", ".join([f"*{chr(96 + level)}"] * 9) + "]\n"
    return {
        "empty": b"",
        "nul": b"key = \x00\x00\n",
        "invalid-utf8": b"name: \xff\xfe\xfd\n",
        "bom-crlf": b"\xef\xbb\xbfkey: value\r\nother: 1\r\n",
        "alias-bomb": ("apiVersion: v1\nkind: ConfigMap\n" + bomb).encode(),
        "deep-brackets": b"x = " + b"[" * 20000 + b"]" * 20000 + b"\n",
        "deep-braces": b"{" * 20000 + b"}" * 20000,
        "deep-yaml": ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000))).encode(),
        "long-line": b"x = \"" + b"a" * 2_000_000 + b"\"\n",
        "binary": bytes(range(256)) * 64,
    }


@pytest.mark.parametrize("attack", sorted(attacks()))
@pytest.mark.parametrize("fmt", sorted(LOADERS))
def test_classic_attacks_give_resources_or_errors(fmt: str, attack: str) -> None:
    path = name_for(fmt)
    assert_well_formed(LOADERS[fmt].load([SourceFile(path, attacks()[attack])]), path)


def test_a_tree_of_hostile_files_scans_without_a_crash_and_fails_closed(tmp_path: Path) -> None:
    for attack, data in attacks().items():
        for fmt in LOADERS:
            target = tmp_path / attack / fmt / name_for(fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    report = scan([tmp_path], Config(), rule_set(Config()))
    unreadable = {r.location.path for r in report.results if r.status == "error" and r.location}
    assert any(path.startswith("invalid-utf8/") for path in unreadable)
    assert any(path.startswith("deep-brackets/") for path in unreadable)
    assert all(r.status != "pass" for r in report.results if r.location and r.location.path.startswith("binary/"))
