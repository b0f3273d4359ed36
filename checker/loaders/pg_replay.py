"""Replaying migrations statement by statement, so what counts is the schema they leave behind.

A table created without row-level security and dropped by a later migration
is gone; a policy created, dropped and created again is there once. Statements
that do not change tables, views, functions, policies, grants or pg_cron jobs
are passed over.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from checker.loaders import pg_sql
from checker.loaders.pg_model import (
    RLS_BYPASSING_ROLES,
    TABLE_PRIVILEGES,
    CronJob,
    Function,
    Policy,
    Schema,
    Table,
    View,
    qualified,
)
from checker.loaders.pg_sql import Node, Statement, kind, role_name, strings
from checker.model import SourceLocation, Unknown

SUPABASE_DEFAULT_GRANTS = {"public": {"anon": set(TABLE_PRIVILEGES), "authenticated": set(TABLE_PRIVILEGES)}}
"""Supabase's default privileges: tables created in ``public`` are granted to the API roles."""


@dataclass
class Replay:
    state: Schema = field(default_factory=Schema)
    default_grants: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: {s: {r: set(p) for r, p in g.items()} for s, g in SUPABASE_DEFAULT_GRANTS.items()})
    bypassing_roles: set[str] = field(default_factory=lambda: set(RLS_BYPASSING_ROLES))
    search_schema: str = "public"
    _unnamed_jobs: int = 0

    def start_file(self) -> None:
        """Each migration runs in a session of its own: ``SET search_path`` does not carry over."""
        self.search_schema = "public"

    def apply(self, statement: Statement, where: SourceLocation) -> None:
        handler = _HANDLERS.get(kind(statement.node))
        if handler is not None:
            handler(self, statement.node[kind(statement.node)], statement, where)
        for call in _cron_calls(statement.node):
            self._cron(call, where)

    def name(self, relation: Node) -> tuple[str, str]:
        return relation.get("schemaname") or self.search_schema, relation.get("relname", "")

    def qualified_name(self, parts: list[str]) -> tuple[str, str]:
        return (parts[-2], parts[-1]) if len(parts) >= 2 else (self.search_schema, parts[-1] if parts else "")

    # tables -----------------------------------------------------------------------------------

    def _create_table(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        schema, name = self.name(stmt.get("relation", {}))
        key = qualified(schema, name)
        if key in self.state.tables and stmt.get("if_not_exists"):
            return
        columns = [e["column_def"]["colname"] for e in stmt.get("table_elts", []) if "column_def" in e]
        grants = {role: set(privs) for role, privs in self.default_grants.get(schema, {}).items()}
        table = Table(schema, name, where, columns=columns, grants=grants)
        table.set_at.update({"rls_enabled": where, "grants": where, "clients_can_access": where})
        self.state.tables[key] = table

    def _create_table_as(self, stmt: Node, statement: Statement, where: SourceLocation) -> None:
        into = stmt.get("into", {})
        if stmt.get("objtype") == "OBJECT_MATVIEW":
            return
        self._create_table({"relation": into.get("rel", {}), "if_not_exists": stmt.get("if_not_exists")},
                           statement, where)

    def _alter_table(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        schema, name = self.name(stmt.get("relation", {}))
        key = qualified(schema, name)
        if stmt.get("objtype") == "OBJECT_VIEW" or key in self.state.views:
            self._alter_view(key, stmt, where)
            return
        table = self.state.tables.get(key)
        if table is None:
            return
        for item in stmt.get("cmds", []):
            cmd = item.get("alter_table_cmd", {})
            subtype = cmd.get("subtype")
            if subtype in ("AT_EnableRowSecurity", "AT_DisableRowSecurity"):
                table.rls_enabled = subtype == "AT_EnableRowSecurity"
                table.set_at["rls_enabled"] = where
            elif subtype in ("AT_ForceRowSecurity", "AT_NoForceRowSecurity"):
                table.rls_forced = subtype == "AT_ForceRowSecurity"
                table.set_at["rls_forced"] = where
            elif subtype == "AT_AddColumn" and "column_def" in cmd.get("def", {}):
                table.columns.append(cmd["def"]["column_def"]["colname"])
            elif subtype == "AT_DropColumn" and cmd.get("name") in table.columns:
                table.columns.remove(cmd["name"])
            elif subtype == "AT_ChangeOwner":
                table.owner = role_name(cmd.get("newowner", {}))

    def _alter_view(self, key: str, stmt: Node, where: SourceLocation) -> None:
        view = self.state.views.get(key)
        if view is None:
            return
        for item in stmt.get("cmds", []):
            cmd = item.get("alter_table_cmd", {})
            subtype = cmd.get("subtype")
            options = [i["def_elem"] for i in cmd.get("def", {}).get("list", {}).get("items", []) if "def_elem" in i]
            if subtype == "AT_SetRelOptions":
                for option in options:
                    if option.get("defname") == "security_invoker":
                        view.security_invoker = _option_true(option)
                        view.set_at["security_invoker"] = view.set_at["runs_as_owner"] = where
            elif subtype == "AT_ResetRelOptions" and any(o.get("defname") == "security_invoker" for o in options):
                view.security_invoker = False
                view.set_at["security_invoker"] = view.set_at["runs_as_owner"] = where
            elif subtype == "AT_ChangeOwner":
                view.owner = role_name(cmd.get("newowner", {}))
                view.owner_bypasses_rls = view.owner in self.bypassing_roles
                view.set_at["owner"] = view.set_at["owner_bypasses_rls"] = where

    def _rename(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        rename_type = stmt.get("rename_type")
        if rename_type in ("OBJECT_TABLE", "OBJECT_VIEW"):
            schema, name = self.name(stmt.get("relation", {}))
            old, new = qualified(schema, name), qualified(schema, stmt.get("newname", ""))
            if old in self.state.tables:
                table = self.state.tables.pop(old)
                table.name = stmt.get("newname", "")
                self.state.tables[new] = table
            elif old in self.state.views:
                view = self.state.views.pop(old)
                view.name = stmt.get("newname", "")
                self.state.views[new] = view
        elif rename_type == "OBJECT_POLICY":
            owner = self.state.tables.get(qualified(*self.name(stmt.get("relation", {}))))
            if owner is not None and stmt.get("subname") in owner.policies:
                policy = owner.policies.pop(stmt["subname"])
                policy.name = stmt.get("newname", "")
                owner.policies[policy.name] = policy
        elif rename_type == "OBJECT_FUNCTION":
            schema, name = self.qualified_name(strings(stmt.get("object", {}).get("object_with_args", {})
                                                       .get("objname")))
            function = self.state.functions.pop(qualified(schema, name), None)
            if function is not None:
                function.name = stmt.get("newname", "")
                self.state.functions[qualified(schema, function.name)] = function

    def _set_schema(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        target = stmt.get("newschema", "")
        if stmt.get("object_type") in ("OBJECT_TABLE", "OBJECT_VIEW"):
            schema, name = self.name(stmt.get("relation", {}))
            table = self.state.tables.pop(qualified(schema, name), None)
            if table is not None:
                table.schema = target
                self.state.tables[qualified(target, name)] = table
            view = self.state.views.pop(qualified(schema, name), None)
            if view is not None:
                view.schema = target
                self.state.views[qualified(target, name)] = view
        elif stmt.get("object_type") == "OBJECT_FUNCTION":
            schema, name = self.qualified_name(strings(stmt.get("object", {}).get("object_with_args", {})
                                                       .get("objname")))
            function = self.state.functions.pop(qualified(schema, name), None)
            if function is not None:
                function.schema = target
                self.state.functions[qualified(target, name)] = function

    def _drop(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        remove = stmt.get("remove_type")
        for obj in stmt.get("objects", []):
            if remove in ("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"):
                key = qualified(*self.qualified_name(strings(obj.get("list", {}).get("items"))))
                self.state.tables.pop(key, None)
                self.state.views.pop(key, None)
                if stmt.get("behavior") == "DROP_CASCADE":
                    self._drop_dependent_views(key)
            elif remove == "OBJECT_POLICY":
                parts = strings(obj.get("list", {}).get("items"))
                table = self.state.tables.get(qualified(*self.qualified_name(parts[:-1]))) if parts else None
                if table is not None:
                    table.policies.pop(parts[-1], None)
            elif remove in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE"):
                parts = strings(obj.get("object_with_args", {}).get("objname"))
                self.state.functions.pop(qualified(*self.qualified_name(parts)), None)
            elif remove == "OBJECT_SCHEMA" and stmt.get("behavior") == "DROP_CASCADE":
                schema = strings([obj])[0] if "string" in obj else ""
                self.state.tables = {k: v for k, v in self.state.tables.items() if v.schema != schema}
                self.state.views = {k: v for k, v in self.state.views.items() if v.schema != schema}
                self.state.functions = {k: v for k, v in self.state.functions.items() if v.schema != schema}

    def _drop_dependent_views(self, key: str) -> None:
        for view_key in [k for k, v in self.state.views.items() if key in v.reads]:
            self.state.views.pop(view_key)
            self._drop_dependent_views(view_key)

    # policies ---------------------------------------------------------------------------------

    def _create_policy(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        table = self.state.tables.get(qualified(*self.name(stmt.get("table", {}))))
        if table is None:
            return
        roles = [role_name(r) for r in stmt.get("roles", [])] or ["public"]
        qual, check = stmt.get("qual"), stmt.get("with_check")
        table.policies[stmt.get("policy_name", "")] = Policy(
            name=stmt.get("policy_name", ""),
            command=stmt.get("cmd_name", "all"),
            roles=roles,
            using=pg_sql.deparse_expr(qual) if qual else None,
            with_check=pg_sql.deparse_expr(check) if check else None,
            always_true=pg_sql.always_true(qual) or (qual is None and pg_sql.always_true(check)),
            permissive=bool(stmt.get("permissive", False)),
            location=where,
        )

    def _alter_policy(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        table = self.state.tables.get(qualified(*self.name(stmt.get("table", {}))))
        policy = table.policies.get(stmt.get("policy_name", "")) if table else None
        if policy is None:
            return
        if stmt.get("roles"):
            policy.roles = [role_name(r) for r in stmt["roles"]]
        if stmt.get("qual"):
            policy.using = pg_sql.deparse_expr(stmt["qual"])
            policy.always_true = pg_sql.always_true(stmt["qual"])
        if stmt.get("with_check"):
            policy.with_check = pg_sql.deparse_expr(stmt["with_check"])
        policy.location = where

    # privileges -------------------------------------------------------------------------------

    def _grant(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        if stmt.get("objtype") != "OBJECT_TABLE":
            return
        privileges = _privileges(stmt)
        roles = [role_name(g) for g in stmt.get("grantees", [])]
        if stmt.get("targtype") == "ACL_TARGET_ALL_IN_SCHEMA":
            schemas = set(strings(stmt.get("objects")))
            tables = [t for t in self.state.tables.values() if t.schema in schemas]
        else:
            tables = [t for rv in stmt.get("objects", []) if "range_var" in rv
                      if (t := self.state.tables.get(qualified(*self.name(rv["range_var"])))) is not None]
        for table in tables:
            _change(table.grants, roles, privileges, bool(stmt.get("is_grant")))
            table.set_at["grants"] = table.set_at["clients_can_access"] = where

    def _default_privileges(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        action = stmt.get("action", {})
        if action.get("objtype") != "OBJECT_TABLE":
            return
        options = {o["def_elem"]["defname"]: o["def_elem"].get("arg") for o in stmt.get("options", [])
                   if "def_elem" in o}
        schemas = strings(options.get("schemas", {}).get("list", {}).get("items")) if "schemas" in options else []
        for schema in schemas or list(self.default_grants) or [self.search_schema]:
            grants = self.default_grants.setdefault(schema, {})
            _change(grants, [role_name(g) for g in action.get("grantees", [])], _privileges(action),
                    bool(action.get("is_grant")))

    def _create_role(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        for option in stmt.get("options", []):
            elem = option.get("def_elem", {})
            if elem.get("defname") in ("bypassrls", "superuser") and elem.get("arg", {}).get("boolean", {}).get(
                    "boolval"):
                self.bypassing_roles.add(stmt.get("role", ""))

    # views and functions ----------------------------------------------------------------------

    def _create_view(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        schema, name = self.name(stmt.get("view", {}))
        ctes = {c["common_table_expr"]["ctename"] for c in pg_sql.walk(stmt.get("query"))
                if isinstance(c.get("common_table_expr"), dict)}
        reads = sorted({qualified(*self.name(rv)) for rv in pg_sql.range_vars(stmt.get("query"))
                        if rv.get("schemaname") or rv.get("relname") not in ctes})
        invoker = any(o["def_elem"].get("defname") == "security_invoker" and _option_true(o["def_elem"])
                      for o in stmt.get("options", []) if "def_elem" in o)
        view = View(schema, name, where, reads, security_invoker=invoker)
        view.set_at.update({"security_invoker": where, "runs_as_owner": where})
        self.state.views[qualified(schema, name)] = view

    def _create_function(self, stmt: Node, statement: Statement, where: SourceLocation) -> None:
        schema, name = self.qualified_name(strings(stmt.get("funcname")))
        options = _def_elems(stmt.get("options", []))
        language = strings([options["language"]])[0].lower() if "language" in options else "sql"
        returns = strings(stmt.get("return_type", {}).get("names"))
        function = Function(
            schema, name, where, language,
            security_definer=bool(options.get("security", {}).get("boolean", {}).get("boolval")),
            search_path=_search_path(options.get("set")),
            reads_auth_users=_reads_auth_users(statement.text),
            returns_trigger=bool(returns) and returns[-1] in ("trigger", "event_trigger"),
            definition=statement.text,
        )
        function.set_at.update({"security_definer": where, "runs_as_owner": where, "search_path_fixed": where})
        self.state.functions[qualified(schema, name)] = function

    def _alter_function(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        parts = strings(stmt.get("func", {}).get("objname"))
        function = self.state.functions.get(qualified(*self.qualified_name(parts)))
        if function is None:
            return
        for action in stmt.get("actions", []):
            elem = action.get("def_elem", {})
            if elem.get("defname") == "security":
                function.security_definer = bool(elem.get("arg", {}).get("boolean", {}).get("boolval"))
                function.set_at["security_definer"] = function.set_at["runs_as_owner"] = where
            elif elem.get("defname") == "set":
                setting = elem.get("arg", {}).get("variable_set_stmt", {})
                if setting.get("name") == "search_path" or setting.get("kind") == "VAR_RESET_ALL":
                    function.search_path = _search_path(elem.get("arg"))
                    function.set_at["search_path_fixed"] = where

    def _set(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        if stmt.get("name") == "search_path" and stmt.get("kind") == "VAR_SET_VALUE":
            first = _setting_values(stmt)
            self.search_schema = next((s for s in first if s and s != "$user"), self.search_schema)

    def _do(self, stmt: Node, _: Statement, where: SourceLocation) -> None:
        options = _def_elems(stmt.get("args", []))
        language = strings([options["language"]])[0].lower() if "language" in options else "plpgsql"
        body = strings([options["as"]]) if "as" in options else []
        if language == "plpgsql" and body:
            for statement in pg_sql.block_statements(body[0]):
                self.apply(statement, where)

    # pg_cron ----------------------------------------------------------------------------------

    def _cron(self, call: Node, where: SourceLocation) -> None:
        name = strings(call.get("funcname"))[-1]
        args = _call_args(call)
        if name == "unschedule":
            self.state.cron_jobs.pop(str(args.get(0, args.get("job_name", ""))), None)
            return
        if name == "schedule" and len(args) == 2:
            job_name = None
            schedule, command = args.get(0, args.get("schedule")), args.get(1, args.get("command"))
        else:
            job_name = args.get(0, args.get("job_name"))
            schedule, command = args.get(1, args.get("schedule")), args.get(2, args.get("command"))
        if job_name is None:
            self._unnamed_jobs += 1
            job_name = f"job_{self._unnamed_jobs}"
        self.state.cron_jobs[str(job_name)] = cron_job(str(job_name), schedule, command, where, self)


def _def_elems(items: list[Node]) -> dict[str, Node]:
    return {i["def_elem"]["defname"]: i["def_elem"].get("arg", {}) for i in items if "def_elem" in i}


def _option_true(option: Node) -> bool:
    arg = option.get("arg")
    if arg is None:
        return True
    if "boolean" in arg:
        return bool(arg["boolean"].get("boolval"))
    value = arg.get("string", {}).get("sval", arg.get("integer", {}).get("ival", ""))
    return str(value).lower() in {"true", "on", "1", "yes"}


def _privileges(stmt: Node) -> set[str]:
    named = {p["access_priv"].get("priv_name", "").upper() for p in stmt.get("privileges", []) if "access_priv" in p}
    return set(TABLE_PRIVILEGES) if not named or "ALL" in named else named


def _change(grants: dict[str, set[str]], roles: list[str], privileges: set[str], grant: bool) -> None:
    for role in roles:
        held = grants.setdefault(role, set())
        if grant:
            held |= privileges
        else:
            held -= privileges


def _setting_values(setting: Node) -> list[str]:
    values = []
    for arg in setting.get("args", []):
        const = arg.get("a_const", {})
        values.append(str(const.get("sval", {}).get("sval", "")))
    return values


def _search_path(arg: Node | None) -> str | None:
    """The pinned search_path of a function (``SET search_path = ''`` counts: it pins an empty path)."""
    setting = (arg or {}).get("variable_set_stmt", {})
    if setting.get("name") != "search_path":
        return None
    if setting.get("kind") == "VAR_SET_CURRENT":
        return "(from current)"
    if setting.get("kind") != "VAR_SET_VALUE":
        return None
    return ", ".join(v if v else '""' for v in _setting_values(setting))


def _reads_auth_users(definition: str) -> bool | Unknown:
    statements = pg_sql.function_statements(definition)
    if isinstance(statements, Unknown):
        return statements
    return any(pg_sql.reads_table(s, "auth", "users") for s in statements)


def _cron_calls(node: Node) -> list[Node]:
    if kind(node) not in ("select_stmt", "call_stmt"):
        return []
    calls = []
    for found in pg_sql.walk(node):
        call = found.get("func_call")
        if isinstance(call, dict):
            parts = strings(call.get("funcname"))
            if len(parts) == 2 and parts[0] == "cron" and parts[1] in ("schedule", "schedule_in_database",
                                                                        "unschedule"):
                calls.append(call)
    return calls


def _call_args(call: Node) -> dict[int | str, object]:
    """Positional (by index) and named arguments; a value that is not a literal is an Unknown."""
    args: dict[int | str, object] = {}
    for index, arg in enumerate(call.get("args", [])):
        if "named_arg_expr" in arg:
            named = arg["named_arg_expr"]
            args[named.get("name", "")] = _literal(named.get("arg", {}))
        else:
            args[index] = _literal(arg)
    return args


def _literal(node: Node) -> object:
    const = node.get("a_const")
    if isinstance(const, dict) and "sval" in const:
        return const["sval"].get("sval", "")
    return Unknown("the argument is an expression, not a literal", pg_sql.deparse_expr(node))


def cron_job(name: str, schedule: object, command: object, where: SourceLocation, replay: Replay) -> CronJob:
    if not isinstance(command, str):
        reason = command if isinstance(command, Unknown) else Unknown("the job's command is not given")
        return CronJob(name, str(schedule), "", where, reason, reason, [], reason)
    statements, problems = pg_sql.parse(command)
    if problems:
        unknown = Unknown(f"the job's command does not parse: {problems[0].message}", command)
        return CronJob(name, str(schedule), command, where, unknown, unknown, [], unknown)
    nodes: list[Node] = [s.node for s in statements]
    for node in list(nodes):
        for call in pg_sql.walk(node):
            function = _called_function(call, replay)
            if function is not None:
                body = pg_sql.function_statements(function.definition)
                if isinstance(body, Unknown):
                    return CronJob(name, str(schedule), command, where, body, body, [], body)
                nodes.extend(body)
    erasing = [n for n in nodes if kind(n) in ("delete_stmt", "update_stmt", "truncate_stmt")]
    tables = sorted({qualified(*replay.name(rv)) for n in erasing for rv in _targets(n)})
    ages = [days for n in erasing for days in pg_sql.intervals(n[kind(n)].get("where_clause"))]
    return CronJob(
        name, str(schedule) if not isinstance(schedule, Unknown) else schedule.expr, command, where,
        deletes=any(kind(n) in ("delete_stmt", "truncate_stmt") for n in erasing),
        updates=any(kind(n) == "update_stmt" for n in erasing),
        tables=tables,
        max_age_days=max(ages) if ages else (0.0 if any(kind(n) == "truncate_stmt" for n in erasing) else None),
    )


def _called_function(node: Node, replay: Replay) -> Function | None:
    call = node.get("func_call") if isinstance(node, dict) else None
    if not isinstance(call, dict):
        call = node.get("call_stmt", {}).get("funccall") if isinstance(node.get("call_stmt"), dict) else None
    if not isinstance(call, dict):
        return None
    parts = strings(call.get("funcname"))
    return replay.state.functions.get(qualified(*replay.qualified_name(parts))) if parts else None


def _targets(node: Node) -> list[Node]:
    body = node[kind(node)]
    if kind(node) == "truncate_stmt":
        return [r["range_var"] for r in body.get("relations", []) if "range_var" in r]
    return [body["relation"]] if "relation" in body else []


_HANDLERS: dict[str, Callable[[Replay, Node, Statement, SourceLocation], None]] = {
    "create_stmt": Replay._create_table,
    "create_table_as_stmt": Replay._create_table_as,
    "alter_table_stmt": Replay._alter_table,
    "rename_stmt": Replay._rename,
    "alter_object_schema_stmt": Replay._set_schema,
    "drop_stmt": Replay._drop,
    "create_policy_stmt": Replay._create_policy,
    "alter_policy_stmt": Replay._alter_policy,
    "grant_stmt": Replay._grant,
    "alter_default_privileges_stmt": Replay._default_privileges,
    "create_role_stmt": Replay._create_role,
    "view_stmt": Replay._create_view,
    "create_function_stmt": Replay._create_function,
    "alter_function_stmt": Replay._alter_function,
    "variable_set_stmt": Replay._set,
    "do_stmt": Replay._do,
}
