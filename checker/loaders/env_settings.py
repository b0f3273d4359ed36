"""Connection strings and TLS switches found in environment variables, as ``connection_setting`` resources.

Compose files and ``.env`` files configure a service through its environment,
so that is where a database URL says ``sslmode=disable`` or an API endpoint
says ``http://``. Each such value becomes one resource whose attributes are
already taken apart (scheme, host, lower-cased query parameters), so rules
compare fields instead of matching URLs with regular expressions. Passwords
and secret parameters are replaced here, before any rule or report sees them.

A value may hold ``${VAR}`` placeholders filled in at deploy time; the parts
they cover are ``Unknown`` and say which variable decides them.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from checker.model import Resource, SourceLocation, Unknown

FORMAT = "env"
"""Connection settings read from Compose files and ``.env`` files alike, so one rule covers both."""

TYPE = "connection_setting"
REDACTED = "***"

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")
_URL = re.compile(r"^(?:jdbc:)?([A-Za-z][A-Za-z0-9+.-]*)://", re.ASCII)
_SECRET_PARAM = re.compile(r"(?i)pass|secret|token|key|sig|credential|auth")
_SECRET_KEY = re.compile(r"(?i)pass|secret|token|private|api_?key|access_?key|credential|auth|salt|cookie|session_key")

_PROTOCOLS: Mapping[str, str] = {
    "postgres": "postgresql", "postgresql": "postgresql", "pgsql": "postgresql",
    "mysql": "mysql", "mariadb": "mysql", "mysqlx": "mysql",
    "http": "http", "https": "http",
    "redis": "redis", "rediss": "redis",
    "mongodb": "mongodb", "mongodb+srv": "mongodb",
    "amqp": "amqp", "amqps": "amqp",
}
"""Schemes by protocol; a driver suffix (``postgresql+asyncpg``) is dropped before the lookup."""

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "host.docker.internal"})
_LISTEN_ADDRESSES = frozenset({"0.0.0.0", "::", "*", "+"})
_PRIVATE_SUFFIXES = (".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".svc", ".cluster.local", ".intranet",
                     ".corp")
_EXAMPLE_SUFFIXES = (".example", ".test", ".invalid", "example.com", "example.org", "example.net")

HOST_SCOPES = ("loopback", "listen", "project", "private-network", "example", "external")
"""Where a host is: only ``external`` hosts are reached over networks outside the deployment's own."""


def secret_key(key: str) -> bool:
    """Variable names whose value is a credential and must never be copied into a resource."""
    return _SECRET_KEY.search(key) is not None


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def settings(
    env: Mapping[str, str | None],
    locations: Mapping[str, SourceLocation],
    owner: str,
    project_hosts: frozenset[str],
    where_unset: str,
) -> list[Resource]:
    """One resource per URL of a known protocol, and per ``PGSSLMODE``, in one environment.

    ``owner`` prefixes names (the Compose service, or the file); ``project_hosts`` are names the
    same deployment answers to (Compose services and aliases); ``where_unset`` says where an
    unresolved ``${VAR}`` would come from, for the evidence.
    """
    found: list[Resource] = []
    for key, raw in env.items():
        if raw is None:
            continue
        location = locations.get(key)
        if location is None:
            continue
        attrs = _url_setting(key, raw, project_hosts, where_unset)
        if attrs is None and key.upper() == "PGSSLMODE":
            attrs = _pgsslmode(key, raw, env, project_hosts, where_unset)
        if attrs is not None:
            name = f"{owner}.{key}" if owner else key
            found.append(Resource(FORMAT, TYPE, name, f"{TYPE}.{name}", attrs, location, scope=location.path))
    return found


def _url_setting(key: str, raw: str, project_hosts: frozenset[str], where_unset: str) -> dict[str, Any] | None:
    text = raw.strip()
    match = _URL.match(text)
    if match is None:
        return None
    scheme = match.group(1).lower()
    protocol = _PROTOCOLS.get(scheme.split("+", 1)[0] if scheme != "mongodb+srv" else scheme)
    if protocol is None:
        return None
    marked, holes = _mark(text[text.index(match.group(1)):])
    try:
        parts = urlsplit(marked)
        hostname = parts.hostname or ""
    except ValueError:
        return {"key": key, "protocol": protocol, "scheme": scheme, "value": _redact_text(raw),
                "host": Unknown("the URL could not be parsed"), "host_scope": Unknown("the URL could not be parsed"),
                "params": {}}
    host = _resolve(hostname, holes, "the host", where_unset)
    port: Any
    try:
        port = parts.port
    except ValueError:
        port = _resolve(parts.netloc.rsplit(":", 1)[-1], holes, "the port", where_unset)
    params = {name.lower(): _resolve(value, holes, f"`{name}`", where_unset)
              for name, value in parse_qsl(parts.query, keep_blank_values=True) if not _SECRET_PARAM.search(name)}
    return {
        "key": key,
        "protocol": protocol,
        "scheme": scheme,
        "tls": scheme in ("https", "rediss", "amqps"),
        "host": host,
        "host_scope": host_scope(host, project_hosts),
        "port": port,
        "params": params,
        "value": redact_url(text),
    }


def _pgsslmode(key: str, raw: str, env: Mapping[str, str | None], project_hosts: frozenset[str],
               where_unset: str) -> dict[str, Any]:
    """libpq reads PGSSLMODE with PGHOST beside it; no PGHOST means the local socket."""
    pghost = next((v for k, v in env.items() if k.upper() == "PGHOST"), None)
    host: Any = "localhost" if pghost in (None, "") else _resolve_whole(pghost, where_unset, "PGHOST")
    return {
        "key": key,
        "protocol": "postgresql",
        "scheme": "",
        "tls": False,
        "host": host,
        "host_scope": host_scope(host, project_hosts),
        "port": None,
        "params": {"sslmode": _resolve_whole(raw.strip(), where_unset, key)},
        "value": raw.strip() if not placeholders(raw) else _redact_text(raw),
    }


def host_scope(host: Any, project_hosts: frozenset[str]) -> Any:
    """Which network a host is on, judged from its name alone."""
    if isinstance(host, Unknown):
        return host
    name = str(host).strip("[]").lower().rstrip(".")
    if not name:
        return "loopback"
    if name in _LISTEN_ADDRESSES:
        return "listen"
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return "loopback"
    if name in project_hosts:
        return "project"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback:
            return "loopback"
        if address.is_unspecified:
            return "listen"
        return "private-network" if address.is_private or address.is_link_local else "external"
    if name.endswith(_EXAMPLE_SUFFIXES):
        return "example"
    if "." not in name or name.endswith(_PRIVATE_SUFFIXES):
        return "private-network"
    return "external"


def _mark(text: str) -> tuple[str, dict[str, str]]:
    """Placeholders swapped for URL-safe markers, so the URL parses and each part knows its holes."""
    holes: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        marker = f"pphole{len(holes)}x"
        holes[marker] = match.group(0)
        return marker

    return _PLACEHOLDER.sub(swap, text), holes


def _resolve(value: str, holes: Mapping[str, str], what: str, where_unset: str) -> Any:
    for marker, placeholder in holes.items():
        if marker in value.lower():
            return Unknown(f"{what} comes from `{placeholder}`, {where_unset}", placeholder)
    return value


def _resolve_whole(value: str, where_unset: str, key: str) -> Any:
    found = placeholders(value)
    return Unknown(f"`{key}` comes from `{found[0]}`, {where_unset}", found[0]) if found else value


def redact(value: str) -> str:
    """Any value with its credentials replaced: a URL keeps everything but its password and secret parameters."""
    return redact_url(value) if _URL.match(value.strip()) else value


def redact_url(text: str) -> str:
    """The URL with its password and secret query parameters replaced; everything else kept for the reader."""
    marked, holes = _mark(text)
    match = _URL.match(marked)
    assert match is not None
    prefix = marked[: match.end()]
    rest = marked[match.end():]
    authority, sep, tail = _split_authority(rest)
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        if ":" in userinfo:
            authority = f"{userinfo.split(':', 1)[0]}:{REDACTED}@{host}"
    if "?" in tail:
        path, query = tail.split("?", 1)
        fragment = ""
        if "#" in query:
            query, fragment = query.split("#", 1)
            fragment = "#" + fragment
        pairs = [pair.split("=", 1) for pair in query.split("&")]
        query = "&".join(f"{p[0]}={REDACTED}" if len(p) == 2 and _SECRET_PARAM.search(p[0]) else "=".join(p)
                         for p in pairs)
        tail = f"{path}?{query}{fragment}"
    result = prefix + authority + sep + tail
    for marker, placeholder in holes.items():
        result = result.replace(marker, placeholder)
    return result


def _split_authority(rest: str) -> tuple[str, str, str]:
    for index, char in enumerate(rest):
        if char in "/?#":
            return rest[:index], "", rest[index:]
    return rest, "", ""


def _redact_text(raw: str) -> str:
    """A value that could not be taken apart is shown only by its scheme."""
    match = _URL.match(raw.strip())
    return f"{match.group(0)}{REDACTED}" if match else REDACTED
