from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders.nginx import claims, default_protocols, load, load_configured
from checker.model import LoadOutcome, Resource, SourceLocation, Unknown
from checker.sources import SourceFile
from policy_spec.config import Config

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loaders" / "nginx"


def _load(files: dict[str, str], version: str | None = None) -> LoadOutcome:
    sources = [SourceFile(path, text.encode()) for path, text in files.items()]
    return load_configured(sources, Config(nginx_version=version)) if version else load(sources)


def _folder(name: str) -> dict[str, str]:
    root = FIXTURES / name
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.conf"))}


def _by_address(outcome: LoadOutcome) -> dict[str, Resource]:
    return {r.address: r for r in outcome.resources}


def test_nginx_files_are_claimed_by_name_and_directives() -> None:
    assert claims("nginx.conf", b"events {}\nhttp {\n  server {\n    listen 80;\n  }\n}\n")
    assert claims("h5bp/tls/policy_strict.conf", b"# strict\nssl_protocols TLSv1.3;\n")
    assert claims("etc/nginx/sites-available/default", b"server {\n  listen 80 default_server;\n}\n")
    assert claims("src/nginx.conf.template", b"http {\n  server { listen ${PORT}; }\n}\n")
    assert not claims("supervisord.conf", b"[program:app]\ncommand=/usr/bin/app\n")
    assert not claims("logrotate.conf", b"/var/log/app/*.log {\n  daily\n  rotate 7\n}\n")
    assert not claims("redis.conf", b"bind 127.0.0.1\nport 6379\n")
    assert not claims("conf.d/values.yaml", b"server {\n")


def test_a_server_inherits_protocols_from_an_included_policy_and_reports_its_line() -> None:
    outcome = _load(_folder("h5bp"))
    servers = _by_address(outcome)
    www = servers["conf.d/templates/example.com.conf:12"]
    assert www.type == "nginx_server" and www.name == "www.example.com"
    assert www.attrs["ssl"] is True and www.attrs["plain_http"] is False
    assert www.attrs["ssl_protocols"] == ["TLSv1.2"] and www.attrs["ssl_protocols_default"] is False
    assert www.location_of(("ssl_protocols",)) == SourceLocation("h5bp/tls/policy_balanced.conf", 16)
    assert [(e["port"], e["ssl"], e["http2"]) for e in www.attrs["listen"]] == [(443, True, True), (443, True, True)]


def test_standalone_protocol_snippets_are_policies_of_their_own() -> None:
    policies = [r for r in _load(_folder("h5bp")).resources if r.type == "nginx_tls_policy"]
    assert [(r.address, r.attrs["ssl_protocols"]) for r in policies] == [
        ("h5bp/tls/policy_balanced.conf:16", ["TLSv1.2"]),
        ("h5bp/tls/policy_strict.conf:43", ["TLSv1.2", "TLSv1.3"]),
    ]


def test_missing_includes_are_notes_not_errors() -> None:
    outcome = _load(_folder("h5bp"))
    assert outcome.errors == []
    assert any("h5bp/errors/custom_errors.conf" in n.message and n.line == 43 for n in outcome.notes)


def test_http_level_protocols_reach_servers_in_files_included_by_glob() -> None:
    outcome = _load({
        "nginx.conf": "events {}\nhttp {\n  ssl_protocols TLSv1 TLSv1.2;\n  include sites/*.conf;\n}\n",
        "sites/a.conf": "server {\n  listen 443 ssl;\n  server_name a.example;\n}\n",
        "sites/b.conf": "server {\n  listen 443 ssl;\n  ssl_protocols TLSv1.3;\n}\n",
    })
    servers = _by_address(outcome)
    assert servers["sites/a.conf:1"].attrs["ssl_protocols"] == ["TLSv1", "TLSv1.2"]
    assert servers["sites/a.conf:1"].location_of(("ssl_protocols",)) == SourceLocation("nginx.conf", 3)
    assert servers["sites/b.conf:1"].attrs["ssl_protocols"] == ["TLSv1.3"]
    assert servers["nginx.conf:3"].type == "nginx_tls_policy"


@pytest.mark.parametrize(("version", "expected"), [
    ("1.8.1", ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]),
    ("1.22.1", ["TLSv1", "TLSv1.1", "TLSv1.2"]),
    ("1.24.0", ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
    ("1.27.3", ["TLSv1.2", "TLSv1.3"]),
    ("1.28.0", ["TLSv1.2", "TLSv1.3"]),
])
def test_the_default_protocols_follow_the_nginx_version(version: str, expected: list[str]) -> None:
    assert default_protocols(version) == expected


def test_a_server_without_protocols_gets_the_configured_versions_default_and_says_so() -> None:
    (server,) = _load({"site.conf": "server {\n  listen 443 ssl;\n  root /srv;\n}\n"}, "1.22.1").resources
    assert server.attrs["ssl_protocols"] == ["TLSv1", "TLSv1.1", "TLSv1.2"]
    assert server.attrs["ssl_protocols_default"] is True
    assert any("1.22.1" in note for note in server.notes)


def test_plain_http_servers_say_whether_they_redirect_or_serve() -> None:
    servers = _by_address(_load({"s.conf": (
        "server {\n listen 80;\n return 301 https://$host$request_uri;\n}\n"
        "server {\n listen 80;\n location / { proxy_pass http://app; }\n}\n"
        "server {\n listen 80;\n return 444;\n}\n"
        "server {\n server_name bare;\n}\n"
        "server {\n listen 80;\n if ($scheme = http) { return 301 https://$host$request_uri; }\n root /srv;\n}\n"
    )}))
    summary = {a: (r.attrs["plain_http"], r.attrs["redirects_to_https"], r.attrs["serves_content"])
               for a, r in servers.items()}
    assert summary == {"s.conf:1": (True, True, False), "s.conf:5": (True, False, True),
                       "s.conf:9": (True, False, False), "s.conf:13": (True, False, False),
                       "s.conf:16": (True, True, True)}
    assert servers["s.conf:13"].attrs["listen"][0]["port"] == 80


def test_template_actions_are_set_aside_and_go_templates_are_noted() -> None:
    outcome = _load({"ssl.conf": (FIXTURES / "jitsi" / "ssl.conf").read_text(),
                     "template/nginx.tmpl": "{{ range $server := .Servers }}\nserver {\n}\n{{ end }}\n"})
    (policy,) = outcome.resources
    assert (policy.address, policy.attrs["ssl_protocols"]) == ("ssl.conf:18", ["TLSv1.2", "TLSv1.3"])
    assert outcome.errors == []
    assert [(n.path, n.kind) for n in outcome.notes] == [("template/nginx.tmpl", "skipped")]


def test_values_from_environment_templates_are_unknown() -> None:
    (server,) = _load({"nginx.conf.template": "http {\n server {\n  listen ${PORT};\n  root /static;\n }\n}\n"}).resources
    assert isinstance(server.attrs["listen"][0]["port"], Unknown)
    assert server.attrs["plain_http"] is True


def test_invalid_configuration_is_an_error_with_its_line() -> None:
    outcome = _load({"bad.conf": "http {\n  server {\n    listen 80;\n"})
    assert outcome.resources == []
    assert [(e.path, e.line, e.kind) for e in outcome.errors] == [("bad.conf", 3, "parse")]


def test_circular_includes_do_not_loop() -> None:
    outcome = _load({"a.conf": "include b.conf;\nserver { listen 80; root /a; }\n",
                     "b.conf": "include a.conf;\nssl_protocols TLSv1.2;\n"})
    assert {r.address for r in outcome.resources} == {"a.conf:2", "b.conf:2"}
    assert any("circular" in n.message for n in outcome.notes)
