"""A PostgreSQL schema's access-relevant state, and the resources rules read from it.

Both ways of learning the state, replaying migrations and reading a live
catalog, fill these same objects and turn them into resources here, so every
rule gives the same verdict on a table whichever way it was read.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.model import AttrPath, Resource, SourceLocation, Unknown

FORMAT = "sql"
CLIENT_ROLES = ("anon", "authenticated", "public")
"""The roles a Supabase Data API request runs as (``public`` is every role)."""
RLS_BYPASSING_ROLES = frozenset({"postgres", "supabase_admin", "service_role"})
"""Roles that own objects created by migrations on Supabase and bypass row-level security."""
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


@dataclass
class Policy:
    name: str
    command: str
    roles: list[str]
    using: str | None
    with_check: str | None
    always_true: bool
    permissive: bool
    location: SourceLocation


@dataclass
class Table:
    schema: str
    name: str
    location: SourceLocation
    columns: list[str] = field(default_factory=list)
    rls_enabled: bool = False
    rls_forced: bool = False
    policies: dict[str, Policy] = field(default_factory=dict)
    grants: dict[str, set[str]] = field(default_factory=dict)
    owner: str | None = None
    set_at: dict[str, SourceLocation] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class View:
    schema: str
    name: str
    location: SourceLocation
    reads: list[str]
    security_invoker: bool = False
    owner: str | Unknown = "postgres"
    owner_bypasses_rls: bool | Unknown = True
    set_at: dict[str, SourceLocation] = field(default_factory=dict)


@dataclass
class Function:
    schema: str
    name: str
    location: SourceLocation
    language: str
    security_definer: bool
    search_path: str | None
    reads_auth_users: bool | Unknown
    returns_trigger: bool
    definition: str = ""
    """The ``CREATE FUNCTION`` text, read again when a pg_cron job calls the function."""
    set_at: dict[str, SourceLocation] = field(default_factory=dict)


@dataclass
class CronJob:
    name: str
    schedule: str
    command: str
    location: SourceLocation
    deletes: bool | Unknown
    updates: bool | Unknown
    tables: list[str]
    max_age_days: float | Unknown | None


@dataclass
class Server:
    """Server settings that decide how a connection and a stored password are protected."""

    location: SourceLocation
    settings: dict[str, Any]
    set_at: dict[str, SourceLocation] = field(default_factory=dict)


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    cron_jobs: dict[str, CronJob] = field(default_factory=dict)
    server: Server | None = None
    notes: list[str] = field(default_factory=list)


def qualified(schema: str, name: str) -> str:
    return f"{schema}.{name}"


def resources(state: Schema, exposed: Sequence[str], scope: str = "") -> list[Resource]:
    """The resources rules read, one per final object; ``exposed`` are the schemas clients reach."""
    exposed_set = set(exposed)
    found = [_table(t, t.schema in exposed_set, scope, state.notes) for t in state.tables.values()]
    protected = {key for key, t in state.tables.items() if t.rls_enabled}
    found += [_view(v, v.schema in exposed_set, protected, scope) for v in state.views.values()]
    found += [_function(f, f.schema in exposed_set, scope) for f in state.functions.values()]
    found += [_cron_job(j, scope) for j in state.cron_jobs.values()]
    if state.server is not None:
        found.append(_server(state.server, scope))
    return found


def _client_access(grants: dict[str, set[str]]) -> list[str]:
    return sorted(f"{role}:{p}" for role in CLIENT_ROLES for p in grants.get(role, set()))


def _table(table: Table, exposed: bool, scope: str, notes: Iterable[str]) -> Resource:
    policies = sorted(table.policies.values(), key=lambda p: p.name)
    attrs: dict[str, Any] = {
        "schema": table.schema,
        "name": table.name,
        "schema_exposed": exposed,
        "columns": list(table.columns),
        "rls_enabled": table.rls_enabled,
        "rls_forced": table.rls_forced,
        "policies": [
            {"name": p.name, "command": p.command, "roles": list(p.roles), "using": p.using,
             "with_check": p.with_check, "always_true": p.always_true, "permissive": p.permissive}
            for p in policies
        ],
        "policy_count": len(policies),
        "grants": {role: sorted(privs) for role, privs in sorted(table.grants.items()) if privs},
        "client_privileges": _client_access(table.grants),
        "clients_can_access": bool(_client_access(table.grants)),
    }
    locations: dict[AttrPath, SourceLocation] = {(k,): v for k, v in table.set_at.items()}
    for index, policy in enumerate(policies):
        locations[("policies", index)] = policy.location
    extra = list(table.notes) + list(notes)
    if table.rls_enabled and not policies:
        extra.append("row-level security is enabled with no policy: clients (anon, authenticated) see and change "
                     "no rows; only roles that bypass row-level security (the owner, service_role) reach it")
    return Resource(FORMAT, "pg_table", table.name, qualified(table.schema, table.name), attrs, table.location,
                    scope=scope, value_locations=locations, notes=tuple(extra))


def _view(view: View, exposed: bool, protected: set[str], scope: str) -> Resource:
    reads_auth = "auth.users" in view.reads
    attrs: dict[str, Any] = {
        "schema": view.schema,
        "name": view.name,
        "schema_exposed": exposed,
        "reads": list(view.reads),
        "reads_rls_tables": any(r in protected for r in view.reads),
        "reads_auth_users": reads_auth,
        "security_invoker": view.security_invoker,
        "runs_as_owner": not view.security_invoker,
        "owner": view.owner,
        "owner_bypasses_rls": view.owner_bypasses_rls,
    }
    locations: dict[AttrPath, SourceLocation] = {(k,): v for k, v in view.set_at.items()}
    return Resource(FORMAT, "pg_view", view.name, qualified(view.schema, view.name), attrs, view.location,
                    scope=scope, value_locations=locations)


def _function(function: Function, exposed: bool, scope: str) -> Resource:
    attrs: dict[str, Any] = {
        "schema": function.schema,
        "name": function.name,
        "schema_exposed": exposed,
        "language": function.language,
        "security_definer": function.security_definer,
        "runs_as_owner": function.security_definer,
        "search_path": function.search_path,
        "search_path_fixed": function.search_path is not None,
        "reads_auth_users": function.reads_auth_users,
        "returns_trigger": function.returns_trigger,
    }
    locations: dict[AttrPath, SourceLocation] = {(k,): v for k, v in function.set_at.items()}
    return Resource(FORMAT, "pg_function", function.name, qualified(function.schema, function.name), attrs,
                    function.location, scope=scope, value_locations=locations)


def _cron_job(job: CronJob, scope: str) -> Resource:
    erases: bool | Unknown
    if job.deletes is True or job.updates is True:
        erases = True
    elif isinstance(job.deletes, Unknown):
        erases = job.deletes
    else:
        erases = False
    attrs: dict[str, Any] = {
        "name": job.name,
        "schedule": job.schedule,
        "command": job.command,
        "deletes": job.deletes,
        "updates": job.updates,
        "erases": erases,
        "tables": list(job.tables),
        "max_age_days": job.max_age_days,
        "runs_per_year": runs_per_year(job.schedule),
        "longest_kept_days": _longest_kept(job.max_age_days, runs_per_year(job.schedule)),
    }
    return Resource(FORMAT, "pg_cron_job", job.name, qualified("cron", job.name), attrs, job.location, scope=scope)


def _longest_kept(max_age: float | Unknown | None, per_year: float | Unknown) -> float | Unknown:
    """A row lives up to the job's age threshold plus the gap until the next run."""
    if max_age is None:
        return Unknown("the job's statements compare no timestamp with an interval, so the age of the rows it "
                       "erases is not known")
    if isinstance(max_age, Unknown):
        return max_age
    if isinstance(per_year, Unknown):
        return per_year
    return round(max_age + 365 / per_year, 2) if per_year else Unknown("the schedule never fires")


def _server(server: Server, scope: str) -> Resource:
    attrs: dict[str, Any] = dict(server.settings)
    locations: dict[AttrPath, SourceLocation] = {(k,): v for k, v in server.set_at.items()}
    return Resource(FORMAT, "pg_server", "server", "server", attrs, server.location, scope=scope,
                    value_locations=locations)


_CRON_FIELDS = (60, 24, 31, 12, 7)


def runs_per_year(schedule: str) -> float | Unknown:
    """How often a pg_cron schedule fires, roughly: enough to tell "daily" from "yearly"."""
    text = schedule.strip().lower()
    if text.endswith("seconds") and text.split()[0].isdigit():
        return 365 * 86400 / max(1, int(text.split()[0]))
    fields = text.split()
    if len(fields) != 5:
        return Unknown(f"schedule `{schedule}` is not a five-field cron expression", schedule)
    per_year = 365.0 * 24 * 60
    for spec, size in zip(fields, _CRON_FIELDS):
        share = _share(spec, size)
        if share is None:
            return Unknown(f"cannot read the cron field `{spec}`", schedule)
        per_year *= share
    return per_year


def _share(spec: str, size: int) -> float | None:
    """The fraction of a cron field's values the spec selects."""
    if spec == "*":
        return 1.0
    count = 0.0
    for part in spec.split(","):
        base, _, step = part.partition("/")
        if step and not step.isdigit():
            return None
        if base == "*":
            span = size
        elif "-" in base:
            low, _, high = base.partition("-")
            if not (low.isdigit() and high.isdigit()):
                return None
            span = int(high) - int(low) + 1
        elif base.isdigit():
            span = 1 if not step else size - int(base)
        else:
            return None
        count += span / int(step) if step else span
    return min(1.0, count / size)
