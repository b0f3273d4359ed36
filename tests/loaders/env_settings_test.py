from __future__ import annotations

import pytest

from checker.loaders import env_settings
from checker.model import Resource, SourceLocation, Unknown


def one(key: str, value: str, project: frozenset[str] = frozenset(), **env: str) -> Resource:
    values: dict[str, str | None] = {key: value, **env}
    locations = {name: SourceLocation(".env", 1) for name in values}
    found = [r for r in env_settings.settings(values, locations, "", project, "set elsewhere") if r.name == key]
    assert len(found) == 1
    return found[0]


def test_a_postgres_url_is_taken_apart_and_its_password_replaced() -> None:
    setting = one("DATABASE_URL", "postgresql+asyncpg://app:s3cr3t@db.acme.io:6432/app?sslmode=disable&password=x")
    attrs = setting.attrs
    assert (attrs["protocol"], attrs["host"], attrs["port"]) == ("postgresql", "db.acme.io", 6432)
    assert attrs["params"] == {"sslmode": "disable"}
    assert attrs["value"] == "postgresql+asyncpg://app:***@db.acme.io:6432/app?sslmode=disable&password=***"


def test_jdbc_urls_and_mixed_case_parameters() -> None:
    attrs = one("JDBC", "jdbc:mysql://db.acme.io:3306/shop?sslMode=REQUIRED").attrs
    assert attrs["protocol"] == "mysql" and attrs["params"] == {"sslmode": "REQUIRED"}


def test_pgsslmode_takes_its_host_from_pghost() -> None:
    assert one("PGSSLMODE", "disable", PGHOST="pg.acme.io").attrs["host_scope"] == "external"
    assert one("PGSSLMODE", "disable").attrs["host_scope"] == "loopback"


def test_a_placeholder_port_leaves_the_rest_readable() -> None:
    attrs = one("URL", "http://api.acme.io:${PORT}/v1").attrs
    assert attrs["host_scope"] == "external" and isinstance(attrs["port"], Unknown)
    assert attrs["value"] == "http://api.acme.io:${PORT}/v1"


def test_values_that_are_not_connection_urls_are_ignored() -> None:
    values: dict[str, str | None] = {"NAME": "shop", "WS": "ws://x.io", "EMPTY": None}
    locations = {name: SourceLocation(".env", 1) for name in values}
    assert env_settings.settings(values, locations, "", frozenset(), "") == []


@pytest.mark.parametrize(("host", "scope"), [
    ("localhost", "loopback"), ("127.0.0.1", "loopback"), ("[::1]", "loopback"), ("0.0.0.0", "listen"),
    ("*", "listen"), ("db", "private-network"), ("10.0.3.4", "private-network"),
    ("redis.cache.svc.cluster.local", "private-network"), ("api.example.com", "example"),
    ("xmpp.meet.jitsi", "external"), ("8.8.8.8", "external"), ("api.stripe.com", "external"),
])
def test_host_scope(host: str, scope: str) -> None:
    assert env_settings.host_scope(host, frozenset()) == scope


def test_project_hosts_are_inside_the_project() -> None:
    assert env_settings.host_scope("XMPP.meet.jitsi", frozenset({"xmpp.meet.jitsi"})) == "project"
