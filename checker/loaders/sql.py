"""SQL migrations (Supabase and other PostgreSQL projects) and ``postgresql.conf``.

The migrations of one folder are replayed in file-name order (Supabase names
them by timestamp), and the schema they leave is what rules judge: a table
created without row-level security and dropped later is not reported. Each
object points at the statement that created it, each property at the statement
that set it last (an ``ENABLE ROW LEVEL SECURITY``, a ``CREATE POLICY``).
"""
from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Sequence

from checker.loaders import pg_sql
from checker.loaders.pg_model import Schema, Server, resources
from checker.loaders.pg_replay import Replay
from checker.model import LoadError, LoadOutcome, SourceLocation
from checker.sources import SourceFile
from policy_spec.config import Config

FORMAT = "sql"
SERVER_CONFIGS = ("postgresql.conf", "postgresql.auto.conf")
_DOWN = re.compile(r"(^|[._-])down\.sql$")


def claims(path: str, head: bytes = b"") -> bool:
    folders = path.split("/")[:-1]
    name = posixpath.basename(path)
    return (name.endswith(".sql") and "migrations" in folders) or name in SERVER_CONFIGS


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    return load_configured(files, Config())


def load_configured(files: Sequence[SourceFile], config: Config) -> LoadOutcome:
    """Like ``load``, with the schemas the project exposes to clients taken from ``config``."""
    outcome = LoadOutcome()
    folders: dict[str, list[SourceFile]] = defaultdict(list)
    for source in files:
        if posixpath.basename(source.path) in SERVER_CONFIGS:
            _load_server_config(source, outcome)
        elif _DOWN.search(posixpath.basename(source.path)):
            outcome.notes.append(LoadError(source.path, 1, "a down migration undoes another one; it is not "
                                           "replayed", kind="skipped"))
        else:
            folders[migration_root(source.path)].append(source)
    for root, group in sorted(folders.items()):
        state, errors = replay(sorted(group, key=lambda f: natural_key(f.path)))
        outcome.errors.extend(errors)
        if errors:
            first = errors[0]
            state.notes.append(f"{first.path}:{first.line} could not be parsed, so this state may miss its changes")
        outcome.resources.extend(resources(state, config.database.exposed_schemas, scope=root))
    return outcome


def migration_root(path: str) -> str:
    """The folder whose files replay together: the nearest ``migrations`` folder, else the file's own."""
    parts = path.split("/")[:-1]
    if "migrations" in parts:
        index = len(parts) - 1 - parts[::-1].index("migrations")
        return "/".join(parts[: index + 1])
    return "/".join(parts)


def natural_key(path: str) -> list[tuple[int, int | str]]:
    """``V2__x.sql`` before ``V10__y.sql``; timestamps sort as they are."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", path)]


def replay(files: Sequence[SourceFile]) -> tuple[Schema, list[LoadError]]:
    session = Replay()
    errors: list[LoadError] = []
    for source in files:
        text = source.text()
        if isinstance(text, LoadError):
            errors.append(text)
            continue
        data = text.encode("utf-8")
        try:
            statements, problems = pg_sql.parse(text)
        except RecursionError:
            errors.append(LoadError(source.path, 1, "SQL nested too deeply to read"))
            continue
        errors.extend(LoadError(source.path, pg_sql.line_of(data, p.offset), f"invalid SQL: {p.message}")
                      for p in problems)
        session.start_file()
        for statement in statements:
            start = pg_sql.line_of(data, statement.offset)
            end = start + statement.text.rstrip().count("\n")
            where = SourceLocation(source.path, start, end)
            try:
                session.apply(statement, where)
            except RecursionError:
                errors.append(LoadError(source.path, start, "statement nested too deeply to read"))
    return session.state, errors


_SETTING = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=?\s*('(?:[^'\\]|\\.|'')*'|[^#\s]+)?\s*(#.*)?$")


def _load_server_config(source: SourceFile, outcome: LoadOutcome) -> None:
    text = source.text()
    if isinstance(text, LoadError):
        outcome.errors.append(text)
        return
    server = Server(SourceLocation(source.path, 1), {})
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _SETTING.match(line)
        if match is None or match.group(2) is None:
            outcome.errors.append(LoadError(source.path, number, f"not a `name = value` setting: {line.strip()[:80]}"))
            continue
        value = match.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'").replace("\\'", "'")
        server.settings[match.group(1).lower()] = value
        server.set_at[match.group(1).lower()] = SourceLocation(source.path, number)
    normalise_server(server)
    outcome.resources.extend(resources(Schema(server=server), []))


def normalise_server(server: Server) -> None:
    """PostgreSQL's boolean spellings (``on``, ``yes``, ``1``) become true or false, as it reads them."""
    settings: dict[str, object] = dict(server.settings)
    for key in ("ssl",):
        if key in settings:
            settings[key] = str(settings[key]).lower() in {"on", "true", "yes", "1"}
    server.settings = settings
