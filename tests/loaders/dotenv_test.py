from __future__ import annotations

import pytest

from checker.loaders import dotenv
from checker.sources import SourceFile


def test_quotes_export_and_comments() -> None:
    entries = dotenv.parse(
        "# comment\nexport A=1\nB='literal $X # kept'\nC=\"line\\nbreak\"\nD=plain # trailing\nE=\nF\n"
    )
    assert [(e.key, e.value, e.line) for e in entries] == [
        ("A", "1", 2), ("B", "literal $X # kept", 3), ("C", "line\nbreak", 4), ("D", "plain", 5), ("E", "", 6),
        ("F", None, 7)]


def test_a_double_quoted_value_may_span_lines() -> None:
    (entry, after) = dotenv.parse('KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\n')
    assert entry.value == "-----BEGIN-----\nabc\n-----END-----" and after.line == 4


@pytest.mark.parametrize(("text", "line"), [("A=1\nB='open\n", 2), ("A=1\n=2\n", 2), ("A 1\n", 1),
                                            ('A="x" y\n', 1)])
def test_an_unreadable_line_is_an_error_with_its_line(text: str, line: int) -> None:
    outcome = dotenv.load([SourceFile(".env", text.encode())])
    assert outcome.errors[0].line == line and outcome.errors[0].path == ".env"


def test_expansion_uses_earlier_keys_and_defaults() -> None:
    values = dotenv.expand(dotenv.parse("HOST=db.acme-corp.net\nURL=postgres://u@${HOST}:${PORT:-5432}/x\n"))
    assert values["URL"] == "postgres://u@db.acme-corp.net:5432/x"


def test_connection_settings_are_found_with_their_lines() -> None:
    text = "APP=shop\nDATABASE_URL=postgresql://app:pw-123@db.acme-corp.net/app?sslmode=require\n"
    (setting,) = dotenv.load([SourceFile("deploy/.env.production", text.encode())]).resources
    assert setting.name == "DATABASE_URL" and setting.location.line == 2
    assert setting.attrs["host_scope"] == "external" and "pw-123" not in repr(setting.attrs)


@pytest.mark.parametrize(("path", "claimed"), [(".env", True), ("app/.env.example", True), ("env.example", True),
                                               ("prod.env", True), (".envrc", False), ("environment.yml", False),
                                               (".env.d/x.yaml", False)])
def test_claims_env_files(path: str, claimed: bool) -> None:
    assert dotenv.claims(path, b"") is claimed


def test_single_quoted_values_are_not_expanded() -> None:
    assert dotenv.expand(dotenv.parse("A=x\nB='${A}'\n"))["B"] == "${A}"
