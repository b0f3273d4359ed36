"""The live catalog reader, against a real PostgreSQL server (``POLICYPROOF_TEST_DB``, started by .ci/run).

Each rule fixture's migrations are loaded into a fresh database; the scan of
the files and the scan of the database must report the same objects with the
same verdicts.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from checker.cli import main
from checker.live.postgres import load_database, redact
from checker.loaders import sql
from checker.model import LoadOutcome
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from policy_spec.config import Config

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "fixtures" / "loaders" / "sql" / "supabase_bootstrap.sql"
SERVER = os.environ.get("POLICYPROOF_TEST_DB")
needs_server = pytest.mark.skipif(SERVER is None, reason="POLICYPROOF_TEST_DB is unset: run .ci/run, or point it "
                                  "at a PostgreSQL server where the tests may create databases")
CASES = sorted(
    case for rule in ("PP-RLS-001", "PP-RLS-002", "PP-RLS-003", "PP-RLS-004", "PP-ACC-020", "PP-ACC-021")
    for kind in ("pass", "fail") for case in (ROOT / "fixtures" / rule / kind).iterdir()
) + [ROOT / "fixtures" / "loaders" / "sql" / name for name in ("nextbase", "vercel")]
RULES = rule_set(Config())
PG_TYPES = {"pg_table", "pg_view", "pg_function"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture
def database() -> Iterator[str]:
    import psycopg

    assert SERVER is not None
    name = f"pp_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f"create database {name}")
    try:
        yield _with_database(SERVER, name)
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f"drop database {name} with (force)")


def _apply(url: str, case: Path) -> None:
    import psycopg

    files = sorted(case.rglob("*.sql"), key=lambda p: sql.natural_key(str(p)))
    with psycopg.connect(url, autocommit=True) as conn:
        for script in [BOOTSTRAP, *files]:
            conn.execute(script.read_text(encoding="utf-8"))  # type: ignore[arg-type]


def _verdicts(outcome: LoadOutcome) -> dict[tuple[str, str], str]:
    report = scan([], Config(), RULES, live=outcome)
    return {(r.rule, r.resource.address): r.status for r in report.results
            if r.resource and r.resource.type in PG_TYPES}


def _static(case: Path) -> LoadOutcome:
    files = [SourceFile(str(p.relative_to(case)), p.read_bytes()) for p in case.rglob("*.sql")]
    return sql.load(files)


@needs_server
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.parents[1].name}-{c.parent.name}-{c.name}")
def test_the_database_and_its_migrations_get_the_same_verdicts(database: str, case: Path) -> None:
    _apply(database, case)
    static = _verdicts(_static(case))
    assert static
    assert _verdicts(load_database(database, ["public", "graphql_public"])) == static


@needs_server
def test_a_live_table_points_at_its_pseudo_path(database: str) -> None:
    _apply(database, ROOT / "fixtures" / "PP-RLS-001" / "fail" / "rls-never-enabled")
    tables = {r.address: r for r in load_database(database, ["public"]).resources if r.type == "pg_table"}
    assert tables["public.orders"].location.path == "db:public.orders"
    assert tables["public.orders"].attrs["rls_enabled"] is False
    assert tables["public.order_items"].attrs["policies"][0]["roles"] == ["authenticated"]


@needs_server
def test_server_settings_are_read(database: str) -> None:
    server = next(r for r in load_database(database, ["public"]).resources if r.type == "pg_server")
    assert server.attrs["password_encryption"] in ("scram-sha-256", "md5")
    assert isinstance(server.attrs["ssl"], bool)


@needs_server
def test_the_session_cannot_write(database: str) -> None:
    import psycopg

    from checker.live.postgres import STATEMENT_TIMEOUT_MS

    with psycopg.connect(database, autocommit=True,
                         options=f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS}"
                         ) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("create table t (id int)")


def test_an_unreachable_database_exits_2_without_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", "--db", "postgresql://app:Hunter2Secret@127.0.0.1:9/app?connect_timeout=2"])
    captured = capsys.readouterr()
    assert code == 2
    assert "Hunter2Secret" not in captured.out + captured.err
    assert "postgresql://app:***@127.0.0.1:9/app" in captured.err
    assert "Traceback" not in captured.err


def test_a_bad_dsn_does_not_echo_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--db", "host=127.0.0.1 port=9 password='Hunter2 Secret' bogus_option=1"]) == 2
    assert "Hunter2" not in capsys.readouterr().err


@pytest.mark.parametrize("url, shown", [
    ("postgresql://app:pw%40x@db.example.com:5432/app", "postgresql://app:***@db.example.com:5432/app"),
    ("postgresql://app@db/app?password=pw&sslmode=require", "postgresql://app@db/app?password=***&sslmode=require"),
    ("host=db user=app password=s3cr3t dbname=app", "host=db user=app password=*** dbname=app"),
    ("postgresql:///app?host=/tmp", "postgresql:///app?host=/tmp"),
])
def test_redact_hides_every_spelling_of_the_password(url: str, shown: str) -> None:
    assert redact(url) == shown
