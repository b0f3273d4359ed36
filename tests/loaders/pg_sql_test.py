from __future__ import annotations

import pytest

from checker.loaders import pg_sql


def _expr(text: str) -> pg_sql.Node:
    statements, problems = pg_sql.parse(f"select {text}")
    assert not problems
    return statements[0].node["select_stmt"]["target_list"][0]["res_target"]["val"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("text, expected", [
    ("true", True), ("TRUE", True), ("'t'::boolean", True), ("1 = 1", True), ("auth.uid() = id OR true", True),
    ("false", False), ("auth.uid() = id", False), ("1 = 2", False), ("true AND auth.uid() = id", False),
    ("NOT false", False),
])
def test_always_true(text: str, expected: bool) -> None:
    assert pg_sql.always_true(_expr(text)) is expected


def test_deparse_prints_expressions_as_postgres_does() -> None:
    assert pg_sql.deparse_expr(_expr("(select auth.uid())=user_id")) == "(SELECT auth.uid()) = user_id"


@pytest.mark.parametrize("text, days", [("90 days", 90), ("1 year", 365), ("2 weeks", 14), ("1 mon 2 days", 32),
                                        ("12 hours", 0.5), ("soon", None), ("3 fortnights", None)])
def test_interval_days(text: str, days: float | None) -> None:
    assert pg_sql.interval_days(text) == days


def test_a_syntax_error_reports_its_byte_offset_and_keeps_the_other_statements() -> None:
    text = "select 1;\n-- ü\nselect from from;\nselect 2;"
    statements, problems = pg_sql.parse(text)
    assert len(statements) == 2
    assert pg_sql.line_of(text.encode(), problems[0].offset) == 3


def test_an_unterminated_string_is_one_problem() -> None:
    statements, problems = pg_sql.parse("select 'abc;\n")
    assert statements == [] and len(problems) == 1


def test_plpgsql_trigger_bodies_are_read() -> None:
    statements = pg_sql.function_statements(
        "create function public.t() returns trigger language plpgsql as $$ begin "
        "perform 1 from auth.users where id = new.id; return new; end $$")
    assert isinstance(statements, list)
    assert any(pg_sql.reads_table(s, "auth", "users") for s in statements)
