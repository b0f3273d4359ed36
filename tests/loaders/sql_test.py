from __future__ import annotations

from pathlib import Path

from checker.loaders import sql
from checker.model import LoadOutcome, Resource
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from policy_spec.config import Config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loaders" / "sql"


def _load(files: dict[str, str], config: Config | None = None) -> LoadOutcome:
    sources = [SourceFile(path, text.encode("utf-8")) for path, text in files.items()]
    return sql.load_configured(sources, config or Config())


def _by_address(outcome: LoadOutcome, rtype: str = "pg_table") -> dict[str, Resource]:
    return {r.address: r for r in outcome.resources if r.type == rtype}


def _corpus(name: str) -> LoadOutcome:
    root = FIXTURES / name
    return sql.load([SourceFile(str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*.sql")])


def test_claims_migrations_folders_and_server_config_only() -> None:
    assert sql.claims("supabase/migrations/20240101_init.sql")
    assert sql.claims("prisma/migrations/20240101_init/migration.sql")
    assert sql.claims("docker/postgresql.conf")
    assert not sql.claims("supabase/seed.sql")
    assert not sql.claims("schema.sql")


def test_a_table_dropped_by_a_later_migration_is_gone() -> None:
    tables = _by_address(_corpus("nextbase"))
    assert "public.items" not in tables
    assert tables["public.private_items"].attrs["rls_enabled"] is True


def test_migrations_replay_in_file_name_order_not_listing_order() -> None:
    outcome = _load({
        "supabase/migrations/20240201_disable.sql": "alter table public.t disable row level security;",
        "supabase/migrations/20240101_create.sql": "create table public.t (id int);\n"
                                                   "alter table public.t enable row level security;",
    })
    assert _by_address(outcome)["public.t"].attrs["rls_enabled"] is False


def test_flyway_versions_sort_as_numbers() -> None:
    assert sorted(["db/migrations/V10__b.sql", "db/migrations/V2__a.sql"], key=sql.natural_key)[0].endswith("V2__a.sql")


def test_each_property_points_at_the_statement_that_set_it() -> None:
    table = _by_address(_corpus("vercel"))["public.customers"]
    assert table.location.line == 38
    assert table.location_of(("rls_enabled",)).line == 44


def test_policies_keep_command_roles_and_deparsed_expressions() -> None:
    table = _by_address(_corpus("nextbase"))["public.private_items"]
    policies = {p["name"]: p for p in table.attrs["policies"]}
    assert policies["select_all_policy"] == {
        "name": "select_all_policy", "command": "select", "roles": ["public"], "using": "true",
        "with_check": None, "always_true": True, "permissive": True}
    assert policies["update_own_policy"]["using"] == "auth.uid() = owner_id"
    assert table.location_of(("policies", 3)).path.endswith("20251117162807_add_owner_id_to_private_items.sql")


def test_rls_without_a_policy_is_noted_not_failed() -> None:
    customers = _by_address(_corpus("vercel"))["public.customers"]
    assert customers.attrs["policy_count"] == 0
    assert any("no policy" in note for note in customers.notes)


def test_lines_count_lines_not_utf8_bytes() -> None:
    outcome = _load({"migrations/001.sql": "-- données personnelles: é, ü, 日本\n\ncreate table public.t (id int);\n"})
    assert _by_address(outcome)["public.t"].location.line == 3


def test_a_bad_statement_is_an_error_at_its_line_and_the_rest_still_counts() -> None:
    outcome = _load({"supabase/migrations/001.sql": "create table public.a (id int);\n"
                                                    "alter table public.a enable row level security;\n"
                                                    "-- é\ncreate polcy p on public.a using (true);\n"
                                                    "create table public.b (id int);\n"})
    assert [(e.path, e.line) for e in outcome.errors] == [("supabase/migrations/001.sql", 4)]
    assert set(_by_address(outcome)) == {"public.a", "public.b"}
    assert _by_address(outcome)["public.a"].attrs["rls_enabled"] is True


def test_rename_and_set_schema_move_the_table() -> None:
    outcome = _load({"migrations/001.sql": "create table public.a (id int);\nalter table a rename to b;\n"
                                           "create table public.c (id int);\nalter table public.c set schema private;"})
    assert set(_by_address(outcome)) == {"public.b", "private.c"}
    assert _by_address(outcome)["private.c"].attrs["schema_exposed"] is False


def test_revoking_client_privileges_closes_the_table() -> None:
    outcome = _load({"migrations/001.sql": "create table public.a (id int);\n"
                                           "revoke all on all tables in schema public from anon, authenticated;\n"
                                           "create table public.b (id int);"})
    tables = _by_address(outcome)
    assert tables["public.a"].attrs["clients_can_access"] is False
    assert tables["public.b"].attrs["clients_can_access"] is True


def test_default_privileges_revoked_apply_to_later_tables() -> None:
    outcome = _load({"migrations/001.sql": "alter default privileges in schema public revoke all on tables "
                                           "from anon, authenticated;\ncreate table public.b (id int);"})
    assert _by_address(outcome)["public.b"].attrs["grants"] == {}


def test_exposed_schemas_come_from_the_configuration() -> None:
    config = Config.model_validate({"database": {"exposed_schemas": ["api"]}})
    outcome = _load({"migrations/001.sql": "create table api.a (id int); create table public.b (id int);"}, config)
    tables = _by_address(outcome)
    assert tables["api.a"].attrs["schema_exposed"] is True
    assert tables["public.b"].attrs["schema_exposed"] is False


def test_views_record_invoker_rights_and_what_they_read() -> None:
    outcome = _load({"migrations/001.sql": "create view public.v as with x as (select 1) "
                                           "select * from auth.users join x on true;\n"
                                           "alter view public.v set (security_invoker = true);"})
    view = _by_address(outcome, "pg_view")["public.v"]
    assert view.attrs["reads"] == ["auth.users"]
    assert view.attrs["security_invoker"] is True
    assert view.location_of(("security_invoker",)).line == 2


def test_drop_cascade_removes_views_over_the_table() -> None:
    outcome = _load({"migrations/001.sql": "create table public.a (id int); create view public.v as select * from a;"
                                           "drop table public.a cascade;"})
    assert _by_address(outcome, "pg_view") == {}


def test_security_definer_function_without_search_path() -> None:
    functions = _by_address(_corpus("vercel"), "pg_function")
    handler = functions["public.handle_new_user"]
    assert handler.attrs["security_definer"] is True
    assert handler.attrs["search_path_fixed"] is False
    assert handler.attrs["reads_auth_users"] is False
    assert handler.attrs["returns_trigger"] is True


def test_search_path_set_later_is_fixed() -> None:
    outcome = _load({"migrations/001.sql": "create function public.f() returns int language sql security definer "
                                           "as $$ select count(*)::int from auth.users $$;\n"
                                           "alter function public.f() set search_path = '';"})
    function = _by_address(outcome, "pg_function")["public.f"]
    assert function.attrs["search_path"] == '""'
    assert function.attrs["reads_auth_users"] is True


def test_cron_jobs_follow_schedule_unschedule_and_called_functions() -> None:
    outcome = _load({"supabase/migrations/001.sql": """
        create function public.purge() returns void language plpgsql as $$
        begin delete from public.events where created_at < now() - interval '2 weeks'; end $$;
        select cron.schedule('purge', '0 3 * * *', 'select public.purge()');
        select cron.schedule('old', '@daily', 'delete from public.x');
        select cron.unschedule('old');
    """})
    jobs = _by_address(outcome, "pg_cron_job")
    assert list(jobs) == ["cron.purge"]
    assert jobs["cron.purge"].attrs["tables"] == ["public.events"]
    assert jobs["cron.purge"].attrs["max_age_days"] == 14
    assert jobs["cron.purge"].attrs["longest_kept_days"] == 15


def test_down_migrations_are_skipped_with_a_note() -> None:
    outcome = _load({"db/migrations/001_init.down.sql": "drop table public.a;",
                     "db/migrations/001_init.up.sql": "create table public.a (id int);"})
    assert "public.a" in _by_address(outcome)
    assert [n.path for n in outcome.notes] == ["db/migrations/001_init.down.sql"]


def test_server_config_values_and_lines() -> None:
    outcome = _load({"postgresql.conf": "# tls\nssl = on\nssl_min_protocol_version = 'TLSv1.3'  # strict\n"})
    server = outcome.resources[0]
    assert server.attrs == {"ssl": True, "ssl_min_protocol_version": "TLSv1.3"}
    assert server.location_of(("ssl_min_protocol_version",)).line == 3


def test_extra_migration_folders_come_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "db" / "changes").mkdir(parents=True)
    (tmp_path / "db" / "changes" / "001.sql").write_text("create table public.a (id int);\n")
    config = Config.model_validate({"database": {"migrations": ["db/changes/*.sql"]}})
    report = scan([tmp_path], config, rule_set(config))
    assert {(r.rule, r.status) for r in report.results if r.rule.startswith("PP-RLS")} == {("PP-RLS-001", "fail")}


def test_corpus_verdicts() -> None:
    rules = rule_set(Config())
    for name, expected in [
        ("vercel", {("PP-RLS-001", "public.customers"): "pass", ("PP-RLS-001", "public.users"): "pass",
                    ("PP-ACC-021", "public.handle_new_user"): "fail"}),
        ("nextbase", {("PP-RLS-001", "public.private_items"): "pass",
                      ("PP-ACC-021", "public.set_private_item_owner_id"): "fail"}),
    ]:
        report = scan([FIXTURES / name], Config(), rules)
        found = {(r.rule, r.resource.address): r.status for r in report.results if r.resource}
        assert {k: found.get(k) for k in expected} == expected
        assert not any(r.rule == "PP-RLS-001" and r.status != "pass" for r in report.results)


def test_objects_created_inside_a_do_block_count() -> None:
    functions = _by_address(_corpus("nextbase"), "pg_function")
    assert functions["public.set_updated_at"].location.line == 6


def test_a_statement_nested_too_deeply_is_an_error_not_a_crash() -> None:
    policy = "create policy p on public.t using (" + "not " * 5000 + "true);"
    outcome = _load({"migrations/001.sql": "create table public.t (id int);\n" + policy})
    assert [(e.line, e.message) for e in outcome.errors] == [(2, "invalid SQL: statement nested too deeply to read")]
