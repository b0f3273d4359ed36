"""Reading a running PostgreSQL's catalog into the same resources the migrations give.

The connection is read-only (``default_transaction_read_only``) with a
statement timeout, and the connection string's password never leaves this
module: every message that could carry it is redacted first. Resources are
located at ``db:<schema>.<name>`` line 1, since a catalog has no files.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from checker.errors import CheckerError
from checker.loaders import pg_sql
from checker.loaders.pg_model import CronJob, Function, Policy, Schema, Server, Table, View, qualified, resources
from checker.loaders.pg_replay import Replay, cron_job
from checker.loaders.sql import normalise_server
from checker.model import LoadOutcome, SourceLocation, Unknown

SCOPE = "db"
CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_MS = 30_000
SERVER_SETTINGS = ("ssl", "ssl_min_protocol_version", "password_encryption")
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast', 'cron')"
_DSN_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class DatabaseError(CheckerError):
    """The database could not be reached or read; the message is already redacted."""


def redact(url: str) -> str:
    """The connection string with its password replaced, in URL or ``key=value`` form."""
    if "://" not in url:
        return _DSN_PASSWORD.sub(r"\1***", url)
    parts = urlsplit(url)
    netloc, query = parts.netloc, parts.query
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if has_password else netloc
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(k.lower() == "password" for k, _ in pairs):
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*/")
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _secrets(url: str) -> list[str]:
    found = []
    if "://" in url:
        parts = urlsplit(url)
        if parts.password:
            found.append(parts.password)
        found += [v for k, v in parse_qsl(parts.query) if k.lower() == "password" and v]
    else:
        found += [m.group(2).strip("'") for m in _DSN_PASSWORD.finditer(url)]
    return [s for s in found if s]


def _scrub(message: str, url: str) -> str:
    for secret in _secrets(url):
        message = message.replace(secret, "***")
    return message.replace(url, redact(url))


def load_database(url: str, exposed: Iterable[str]) -> LoadOutcome:
    """The database's tables, views, functions, pg_cron jobs and server settings as resources."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True,
                             options=f"-c default_transaction_read_only=on -c statement_timeout={STATEMENT_TIMEOUT_MS}"
                             ) as conn:
            conn.execute("SET default_transaction_read_only = on")
            conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            state = read_state(conn)
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot read the database {redact(url)}: {_scrub(str(exc).strip(), url)}") from None
    except Exception as exc:  # noqa: BLE001 - libpq option errors are not psycopg.Error; never echo the password
        raise DatabaseError(f"cannot connect to {redact(url)}: {_scrub(str(exc).strip(), url)}") from None
    outcome = LoadOutcome(resources=resources(state, list(exposed), scope=SCOPE))
    return outcome


def _at(name: str) -> SourceLocation:
    return SourceLocation(f"db:{name}", 1)


def read_state(conn: psycopg.Connection[Any]) -> Schema:
    state = Schema()
    _read_tables(conn, state)
    _read_policies(conn, state)
    _read_views(conn, state)
    _read_functions(conn, state)
    _read_cron(conn, state)
    _read_server(conn, state)
    return state


def _rows(conn: psycopg.Connection[Any], query: str, *params: Any) -> list[tuple[Any, ...]]:
    return list(conn.execute(query, params or None).fetchall())


def _read_tables(conn: psycopg.Connection[Any], state: Schema) -> None:
    rows = _rows(conn, f"""
        select n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
               array(select a.attname::text from pg_attribute a
                     where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum),
               array(select case when acl.grantee = 0 then 'public' else pg_get_userbyid(acl.grantee)::text end
                            || ':' || acl.privilege_type
                     from aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) acl)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname not in {_SYSTEM_SCHEMAS} and n.nspname not like 'pg_%'""")
    for schema, name, rls, forced, owner, columns, acl in rows:
        key = qualified(schema, name)
        table = Table(schema, name, _at(key), columns=list(columns), rls_enabled=rls, rls_forced=forced, owner=owner)
        for entry in acl:
            role, _, privilege = entry.rpartition(":")
            table.grants.setdefault(role, set()).add(privilege)
        state.tables[key] = table


def _read_policies(conn: psycopg.Connection[Any], state: Schema) -> None:
    rows = _rows(conn, "select schemaname, tablename, policyname, permissive, roles::text[], cmd, qual, with_check "
                       "from pg_policies")
    for schema, table_name, name, permissive, roles, cmd, qual, check in rows:
        table = state.tables.get(qualified(schema, table_name))
        if table is None:
            continue
        using, using_true = _expression(qual)
        with_check, check_true = _expression(check)
        table.policies[name] = Policy(name, cmd.lower(), list(roles), using, with_check,
                                      using_true or (qual is None and check_true), permissive == "PERMISSIVE",
                                      table.location)


def _expression(text: str | None) -> tuple[str | None, bool]:
    """An expression from the catalog printed the way the migrations' are, and whether it is always true."""
    if text is None:
        return None, False
    statements, problems = pg_sql.parse(f"SELECT {text}")
    if problems or not statements:
        return text, False
    expr = statements[0].node["select_stmt"]["target_list"][0]["res_target"]["val"]
    return pg_sql.deparse_expr(expr), pg_sql.always_true(expr)


def _read_views(conn: psycopg.Connection[Any], state: Schema) -> None:
    rows = _rows(conn, f"""
        select n.nspname, c.relname, coalesce(c.reloptions, '{{}}'), pg_get_userbyid(c.relowner),
               r.rolsuper or r.rolbypassrls,
               array(select distinct rn.nspname || '.' || rc.relname
                     from pg_rewrite rw join pg_depend d on d.objid = rw.oid and d.classid = 'pg_rewrite'::regclass
                     join pg_class rc on rc.oid = d.refobjid join pg_namespace rn on rn.oid = rc.relnamespace
                     where rw.ev_class = c.oid and d.refobjid <> c.oid and rc.relkind in ('r', 'p', 'v', 'm', 'f'))
        from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_roles r on r.oid = c.relowner
        where c.relkind in ('v', 'm') and n.nspname not in {_SYSTEM_SCHEMAS} and n.nspname not like 'pg_%'""")
    for schema, name, options, owner, bypasses, reads in rows:
        invoker = any(o.split("=", 1)[0] == "security_invoker" and o.split("=", 1)[1].lower() in ("true", "on", "1")
                      for o in options)
        key = qualified(schema, name)
        state.views[key] = View(schema, name, _at(key), sorted(reads), security_invoker=invoker, owner=owner,
                                owner_bypasses_rls=bool(bypasses))


def _read_functions(conn: psycopg.Connection[Any], state: Schema) -> None:
    rows = _rows(conn, f"""
        select n.nspname, p.proname, l.lanname, p.prosecdef, coalesce(p.proconfig, '{{}}'),
               p.prorettype in ('trigger'::regtype, 'event_trigger'::regtype),
               case when p.prokind in ('f', 'p') then pg_get_functiondef(p.oid) end
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
        where n.nspname not in {_SYSTEM_SCHEMAS} and n.nspname not like 'pg_%' and p.prokind in ('f', 'p')
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
                          and d.deptype = 'e')""")
    for schema, name, language, definer, config, trigger, definition in rows:
        key = qualified(schema, name)
        search_path = next((c.split("=", 1)[1] for c in config if c.startswith("search_path=")), None)
        statements = pg_sql.function_statements(definition or "")
        reads: bool | Unknown = statements if isinstance(statements, Unknown) else any(
            pg_sql.reads_table(s, "auth", "users") for s in statements)
        state.functions[key] = Function(schema, name, _at(key), language, bool(definer),
                                        _normalise_path(search_path), reads, bool(trigger), definition or "")


def _normalise_path(path: str | None) -> str | None:
    """``search_path=""`` in proconfig is the empty path the migrations write as ``''``."""
    if path is None:
        return None
    return ", ".join(p.strip() or '""' for p in path.split(","))


def _read_cron(conn: psycopg.Connection[Any], state: Schema) -> None:
    if _rows(conn, "select to_regclass('cron.job')")[0][0] is None:
        return
    replay = Replay(state=state)
    for number, (name, schedule, command) in enumerate(
            _rows(conn, "select jobname, schedule, command from cron.job order by jobid"), start=1):
        job_name = name or f"job_{number}"
        job: CronJob = cron_job(job_name, schedule, command, _at(f"cron.{job_name}"), replay)
        state.cron_jobs[job_name] = job


def _read_server(conn: psycopg.Connection[Any], state: Schema) -> None:
    rows = _rows(conn, "select name, setting from pg_settings where name = any(%s)", list(SERVER_SETTINGS))
    server = Server(_at("server"), {name: value for name, value in rows})
    normalise_server(server)
    state.server = server
