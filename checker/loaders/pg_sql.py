"""PostgreSQL's own parser (libpg_query, through postgast) and the questions rules ask of its trees.

Statements are handled as plain dictionaries (the protobuf tree as JSON, field
names as in PostgreSQL's ``parsenodes.h``), so the code reads like the
grammar it follows.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from checker.lazy import lazy_import
from checker.model import Unknown

postgast = lazy_import("postgast")
_json_format = lazy_import("google.protobuf.json_format")
_message = lazy_import("google.protobuf.message")

Node = dict[str, Any]


@dataclass(frozen=True)
class Statement:
    node: Node
    """The statement's one-key node, e.g. ``{"create_stmt": {...}}``."""
    offset: int
    """Byte offset of its first token in the UTF-8 text."""
    text: str


@dataclass(frozen=True)
class SyntaxProblem:
    offset: int
    message: str


def parse(text: str) -> tuple[list[Statement], list[SyntaxProblem]]:
    """Every statement of ``text``; a statement the parser rejects is a problem, the others still count."""
    data = text.encode("utf-8")
    try:
        return _statements(postgast.parse(text), data, 0), []
    except (postgast.PgQueryError, _message.DecodeError):
        pass
    statements: list[Statement] = []
    problems: list[SyntaxProblem] = []
    try:
        chunks = _split(text, data)
    except postgast.PgQueryError as exc:
        return [], [SyntaxProblem(max(0, exc.cursorpos - 1), exc.message)]
    for start, end in chunks:
        chunk = data[start:end].decode("utf-8")
        try:
            statements.extend(_statements(postgast.parse(chunk), data, start))
        except postgast.PgQueryError as exc:
            position = start + max(0, exc.cursorpos - 1) if exc.cursorpos else _first_token(data, start)
            problems.append(SyntaxProblem(position, exc.message))
        except _message.DecodeError:
            problems.append(SyntaxProblem(_first_token(data, start), "statement nested too deeply to read"))
    return statements, problems


def _statements(result: Any, data: bytes, base: int) -> list[Statement]:
    found = []
    for raw in result.stmts:
        begin = base + raw.stmt_location
        end = begin + raw.stmt_len if raw.stmt_len else len(data)
        node = _json_format.MessageToDict(raw.stmt, preserving_proto_field_name=True)
        found.append(Statement(node, _first_token(data, begin), data[begin:end].decode("utf-8", "replace")))
    return found


def _split(text: str, data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the statements, cut at the scanner's top-level semicolons (so a bad one stays alone)."""
    chunks: list[tuple[int, int]] = []
    start = 0
    for token in postgast.scan(text).tokens:
        if data[token.start:token.end] == b";":
            chunks.append((start, token.end))
            start = token.end
    if data[start:].strip():
        chunks.append((start, len(data)))
    return chunks


def _first_token(data: bytes, offset: int) -> int:
    """Skip the blanks and comments the parser counts as part of a statement."""
    rest = data[offset:]
    while True:
        stripped = rest.lstrip()
        if stripped.startswith(b"--"):
            newline = stripped.find(b"\n")
            rest = b"" if newline < 0 else stripped[newline + 1:]
        elif stripped.startswith(b"/*"):
            close = stripped.find(b"*/")
            rest = b"" if close < 0 else stripped[close + 2:]
        else:
            return len(data) - len(stripped)


def line_of(data: bytes, offset: int) -> int:
    return bisect.bisect_left(_newlines(data), offset) + 1


@lru_cache(maxsize=8)
def _newlines(data: bytes) -> list[int]:
    """Offsets of every line break, so that the line of each of a file's statements costs a search, not a
    count from the top (a migration of 100,000 statements would otherwise take minutes)."""
    return [match.start() for match in re.finditer(b"\n", data)]


def kind(node: Node) -> str:
    return next(iter(node), "")


def walk(value: Any) -> Iterator[Node]:
    """Every node below ``value``, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def strings(items: list[Node] | None) -> list[str]:
    return [item["string"].get("sval", "") for item in items or [] if "string" in item]


def range_vars(value: Any) -> Iterator[Node]:
    for node in walk(value):
        if isinstance(node.get("range_var"), dict):
            yield node["range_var"]


def role_name(spec: Node) -> str:
    role = spec.get("role_spec", spec)
    kinds = {"ROLESPEC_PUBLIC": "public", "ROLESPEC_CURRENT_USER": "current_user",
             "ROLESPEC_SESSION_USER": "session_user", "ROLESPEC_CURRENT_ROLE": "current_role"}
    return str(kinds.get(role.get("roletype", ""), role.get("rolename", "")))


def deparse_expr(expr: Node) -> str:
    """An expression as PostgreSQL would print it."""
    select = {"select_stmt": {"target_list": [{"res_target": {"val": expr}}],
                              "limit_option": "LIMIT_OPTION_DEFAULT", "op": "SETOP_NONE"}}
    tree = _json_format.ParseDict({"stmts": [{"stmt": select}]}, postgast.pg_query_pb2.ParseResult())
    text = str(postgast.deparse(tree))
    return text[len("SELECT "):] if text.startswith("SELECT ") else text


_TRUE_WORDS = {"t", "true", "y", "yes", "on", "1"}


def always_true(expr: Node | None) -> bool:
    """True for expressions that hold for every row whatever the data: ``true``, ``1 = 1``, ``x OR true``."""
    if not expr:
        return False
    if "a_const" in expr:
        return expr["a_const"].get("boolval", {}).get("boolval") is True
    if "type_cast" in expr:
        cast = expr["type_cast"]
        names = strings(cast.get("type_name", {}).get("names"))
        value = cast.get("arg", {}).get("a_const", {}).get("sval", {}).get("sval")
        return bool(names) and names[-1] in {"bool", "boolean"} and str(value).lower() in _TRUE_WORDS
    if "bool_expr" in expr:
        boolean = expr["bool_expr"]
        args = boolean.get("args", [])
        if boolean.get("boolop") == "OR_EXPR":
            return any(always_true(a) for a in args)
        if boolean.get("boolop") == "AND_EXPR":
            return bool(args) and all(always_true(a) for a in args)
        return False
    if "a_expr" in expr:
        op = expr["a_expr"]
        left, right = op.get("lexpr", {}), op.get("rexpr", {})
        return (strings(op.get("name")) == ["="] and "a_const" in left and "a_const" in right
                and _const(left) == _const(right))
    return False


def _const(node: Node) -> Any:
    value = dict(node["a_const"])
    value.pop("location", None)
    return value


def reads_table(value: Any, schema: str, name: str) -> bool:
    return any(rv.get("schemaname") == schema and rv.get("relname") == name for rv in range_vars(value))


_UNITS = {"year": 365.0, "mon": 30.0, "month": 30.0, "week": 7.0, "day": 1.0, "hour": 1 / 24, "minute": 1 / 1440,
          "min": 1 / 1440, "second": 1 / 86400, "sec": 1 / 86400}
_INTERVAL_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)")


def interval_days(text: str) -> float | None:
    """Days in an interval literal such as ``'90 days'`` or ``'1 year 2 mons'``; None when not one."""
    parts = _INTERVAL_PART.findall(text.lower())
    if not parts or _INTERVAL_PART.sub("", text.lower()).strip(" ,"):
        return None
    total = 0.0
    for amount, unit in parts:
        factor = next((f for u, f in _UNITS.items() if unit.rstrip("s") in (u, u + "ond", u + "ute")), None)
        if factor is None:
            return None
        total += float(amount) * factor
    return total


def intervals(value: Any) -> list[float]:
    """The intervals written as literals below ``value`` (``interval '30 days'``, ``'30 days'::interval``)."""
    found = []
    for node in walk(value):
        cast = node.get("type_cast")
        if not isinstance(cast, dict):
            continue
        names = strings(cast.get("type_name", {}).get("names"))
        literal = cast.get("arg", {}).get("a_const", {}).get("sval", {}).get("sval")
        if names and names[-1] == "interval" and isinstance(literal, str):
            days = interval_days(literal)
            if days is not None:
                found.append(days)
    return found


def function_statements(definition: str) -> list[Node] | Unknown:
    """The SQL statements a function runs, from its ``CREATE FUNCTION`` text (SQL or PL/pgSQL)."""
    try:
        created = postgast.parse(definition)
    except (postgast.PgQueryError, _message.DecodeError) as exc:
        return Unknown(f"function definition does not parse: {exc}")
    if not created.stmts:
        return []
    stmt = _json_format.MessageToDict(created.stmts[0].stmt, preserving_proto_field_name=True).get("create_function_stmt", {})
    options = {o["def_elem"]["defname"]: o["def_elem"].get("arg") for o in stmt.get("options", []) if "def_elem" in o}
    language = strings([options["language"]])[0].lower() if "language" in options else "sql"
    if "sql_body" in stmt:
        return [stmt["sql_body"]]
    body = strings(options.get("as", {}).get("list", {}).get("items")) if "as" in options else []
    if language == "sql":
        try:
            return [_json_format.MessageToDict(s.stmt, preserving_proto_field_name=True) for b in body
                    for s in postgast.parse(b).stmts]
        except (postgast.PgQueryError, _message.DecodeError) as exc:
            return Unknown(f"function body does not parse: {exc}")
    if language == "plpgsql":
        return _plpgsql_statements(definition, body[0] if body else "")
    return Unknown(f"function body in language `{language}` is not read")


_SQL_STARTS = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "WITH", "PERFORM"}


def _plpgsql_statements(definition: str, body: str) -> list[Node] | Unknown:
    try:
        tree = postgast.parse_plpgsql(definition)
    except postgast.PgQueryError as exc:
        return Unknown(f"PL/pgSQL body does not parse: {exc.message}")
    except ValueError:
        return _embedded_statements(body)
    found: list[Node] = []
    for node in walk(tree):
        expr = node.get("PLpgSQL_expr")
        if not isinstance(expr, dict) or not isinstance(expr.get("query"), str):
            continue
        query = expr["query"] if expr.get("parseMode", 0) == 0 else f"SELECT {expr['query']}"
        try:
            found.extend(_json_format.MessageToDict(s.stmt, preserving_proto_field_name=True) for s in postgast.parse(query).stmts)
        except (postgast.PgQueryError, _message.DecodeError) as exc:
            return Unknown(f"a PL/pgSQL statement does not parse: {exc}")
    return found


def _embedded_statements(body: str) -> list[Node] | Unknown:
    """The SQL statements of a PL/pgSQL body, found with PostgreSQL's lexer.

    libpg_query's PL/pgSQL reader emits unreadable output for some trigger
    functions; each statement between semicolons that starts with an SQL
    keyword is then parsed on its own (``PERFORM`` read as ``SELECT``).
    """
    data = body.encode("utf-8")
    try:
        tokens = postgast.scan(body).tokens
    except postgast.PgQueryError as exc:
        return Unknown(f"PL/pgSQL body does not scan: {exc.message}")
    found: list[Node] = []
    start: int | None = None
    for token in [*tokens, None]:
        word = data[token.start:token.end].decode("utf-8", "replace").upper() if token else ";"
        if start is None and word in _SQL_STARTS and token is not None:
            start = token.start
        elif word == ";" and start is not None:
            end = token.start if token else len(data)
            text = data[start:end].decode("utf-8", "replace")
            text = "SELECT" + text[len("PERFORM"):] if text.upper().startswith("PERFORM") else text
            try:
                found.extend(_json_format.MessageToDict(s.stmt, preserving_proto_field_name=True)
                             for s in postgast.parse(text).stmts)
            except (postgast.PgQueryError, _message.DecodeError):
                pass
            start = None
        elif word == ";":
            start = None
    return found


def block_statements(body: str) -> list[Statement]:
    """The SQL statements of a ``DO`` block, whichever branch they sit in.

    Migrations wrap DDL in ``DO`` blocks to make it conditional ("create the
    function if it is missing"); either way the object exists afterwards.
    """
    tag = "$pp$"
    while tag in body:
        tag = tag[:-1] + "p$"
    try:
        tree = postgast.parse_plpgsql(f"CREATE FUNCTION pg_temp.block() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}")
    except (postgast.PgQueryError, ValueError):
        return []
    found: list[Statement] = []
    for node in walk(tree):
        expr = node.get("PLpgSQL_expr")
        if isinstance(expr, dict) and isinstance(expr.get("query"), str) and expr.get("parseMode", 0) == 0:
            try:
                parsed = postgast.parse(expr["query"])
            except (postgast.PgQueryError, _message.DecodeError):
                continue
            found.extend(Statement(_json_format.MessageToDict(s.stmt, preserving_proto_field_name=True), 0, expr["query"])
                         for s in parsed.stmts)
    return found
