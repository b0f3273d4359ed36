from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import compose
from checker.policies import load_policy
from checker.reporters import json_report
from checker.reporters.options import RenderOptions
from checker.rulebook import bundled_rules_dir, load_rule
from checker.scan import RuleSet, scan
from policy_spec.config import Config
from checker.model import LoadOutcome, Resource, Unknown
from checker.sources import SourceFile


def load(*files: tuple[str, str]) -> LoadOutcome:
    return compose.load([SourceFile(path, text.encode()) for path, text in files])


def of_type(outcome: LoadOutcome, rtype: str) -> dict[str, Resource]:
    return {r.name: r for r in outcome.resources if r.type == rtype}


COMPOSE = """\
services:
  api:
    image: ghcr.io/acme/api:${TAG:-1.0}
    ports: ["8080:8080"]
    command: ["serve", "--port", "8080"]
    environment:
      - DATABASE_URL=postgres://app:hunter22@db:5432/app?sslmode=disable
      - API_TOKEN=abc123
      - FROM_SHELL
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: hunter22
      POSTGRES_DB: app
"""


def test_one_resource_per_service_with_environment_as_a_mapping() -> None:
    services = of_type(load(("docker-compose.yml", COMPOSE)), "compose_service")
    assert set(services) == {"api", "db"}
    api = services["api"]
    assert api.attrs["image"] == "ghcr.io/acme/api:1.0"
    assert api.attrs["ports"] == ["8080:8080"] and api.attrs["command"][0] == "serve"
    assert api.attrs["environment"]["DATABASE_URL"] == "postgres://app:***@db:5432/app?sslmode=disable"
    assert isinstance(api.attrs["environment"]["FROM_SHELL"], Unknown)
    assert services["db"].attrs["environment"] == {"POSTGRES_PASSWORD": "[redacted]", "POSTGRES_DB": "app"}


def test_credentials_never_reach_a_resource() -> None:
    outcome = load(("docker-compose.yml", COMPOSE))
    assert "hunter22" not in repr([r.attrs for r in outcome.resources])
    assert "abc123" not in repr([r.attrs for r in outcome.resources])


def test_a_connection_string_becomes_a_setting_at_its_line() -> None:
    setting = of_type(load(("docker-compose.yml", COMPOSE)), "connection_setting")["api.DATABASE_URL"]
    assert setting.format == "env" and setting.location.line == 7
    assert setting.attrs["params"] == {"sslmode": "disable"} and setting.attrs["host_scope"] == "project"


def test_aliases_of_other_files_in_the_folder_are_project_hosts() -> None:
    main = "services:\n  web:\n    image: web\n    environment:\n      PAD_URL: http://pad.meet.jitsi:9001\n"
    extra = ("services:\n  etherpad:\n    image: etherpad\n    networks:\n      meet.jitsi:\n"
             "        aliases:\n          - ${ETHERPAD_ALIAS:-pad.meet.jitsi}\n")
    settings = of_type(load(("docker-compose.yml", main), ("etherpad.yml", extra)), "connection_setting")
    assert settings["web.PAD_URL"].attrs["host_scope"] == "project"


def test_a_variable_without_default_leaves_the_host_unknown() -> None:
    text = "services:\n  a:\n    image: a\n    environment:\n      - URL=http://${BACKEND_HOST}/v1\n"
    setting = of_type(load(("compose.yaml", text)), "connection_setting")["a.URL"]
    assert isinstance(setting.attrs["host"], Unknown) and "BACKEND_HOST" in setting.attrs["host"].reason


def test_a_service_that_is_not_a_mapping_is_an_error_with_its_line() -> None:
    outcome = load(("docker-compose.yml", "services:\n  a:\n    image: a\n  b: [1, 2]\n"))
    assert outcome.errors[0].line == 4 and not outcome.resources


def test_interpolation_applies_defaults_and_unescapes_dollars() -> None:
    assert compose.interpolate("${A:-x}-${B-y}-$$HOME-${C}") == "x-y-$HOME-${C}"


@pytest.mark.parametrize(("path", "head", "claimed"), [
    ("docker-compose.yml", "", True),
    ("deploy/compose.prod.yaml", "", True),
    ("jibri.yml", "services:\n    jibri:\n        image: jitsi/jibri\n", True),
    ("config.yml", "server:\n  port: 80\n", False),
    ("k8s.yaml", "apiVersion: v1\nkind: List\nservices:\n  a:\n    image: x\n", False),
])
def test_claims_compose_files(path: str, head: str, claimed: bool) -> None:
    assert compose.claims(path, head.encode()) is claimed


def test_the_json_evidence_of_a_scan_never_holds_a_password(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  api:\n    image: api\n    environment:\n"
        "      DATABASE_URL: postgresql://app:Tr0ub4dor-3@orders.acme-db.net/app?sslmode=disable\n"
        "      API_URL: http://user:Corr3ct-h0rse@partner-api.acme-pay.net/v1\n")
    (tmp_path / ".env").write_text("PGHOST=pg.acme-db.net\nPGPASSWORD=S3cret-env\nPGSSLMODE=prefer\n")
    rules = [load_rule(path) for path in sorted(bundled_rules_dir().glob("encryption-in-transit/PP-TLS-04[5-7].yaml"))]
    report = scan([tmp_path], Config(), RuleSet(load_policy(None), rules, "test"))
    evidence = json_report.render(report, RenderOptions())
    assert {r.status for r in report.results} == {"fail"} and len(report.results) == 3
    for secret in ("Tr0ub4dor-3", "Corr3ct-h0rse", "S3cret-env"):
        assert secret not in evidence
