from __future__ import annotations

from pathlib import Path

import pytest

from checker import parallel
from checker.engine.evaluate import types_read
from checker.model import Resource, SourceLocation
from checker.scan import rule_set, scan
from checker.sources import SourceFile
from checker.subprocessors.catalog import load_catalog
from checker.subprocessors.detect import detections
from checker.subprocessors.signals import dotenv_signals, signals_of
from policy_spec.config import Config

CATALOG = load_catalog()
OWN_RULES = ["PP-SUB-001", "PP-SUB-002", "PP-XFR-001", "PP-XFR-002", "PP-SALE-001"]


def service(attrs: dict[str, object]) -> Resource:
    return Resource("compose", "compose_service", "web", "compose_service.web", attrs,
                    SourceLocation("docker-compose.yml", 3))


def test_images_variables_and_url_hosts_of_other_formats_are_signals() -> None:
    resource = service({"image": "gcr.io/datadoghq/agent:7", "environment": {"OPENAI_API_KEY": "***"},
                        "command": ["--dsn", "https://key@o1.ingest.sentry.io/42"]})
    found = detections(list(signals_of([resource])), CATALOG, None)
    assert sorted((r.attrs["vendor"], r.attrs["signal"]) for r in found) == [
        ("datadog", "image"), ("openai", "env"), ("sentry", "host")]


def test_kubernetes_env_lists_give_variable_names() -> None:
    resource = service({"spec": {"containers": [{"env": [{"name": "STRIPE_SECRET_KEY", "valueFrom": {}}]}]}})
    found = detections(list(signals_of([resource])), CATALOG, None)
    assert [r.attrs["vendor"] for r in found] == ["stripe"]


@pytest.mark.parametrize("attrs", [
    {"image": "datadog/agent"},
    {"environment": {"DD_API_KEY": "***"}},
    {"containers": [{"env": [{"name": "DD_API_KEY"}]}]},
    {"settings": {"endpoint": ["https://http-intake.logs.datadoghq.com"]}},
], ids=["image", "environment", "env", "url"])
def test_a_resource_with_one_signal_alone_is_read(attrs: dict[str, object]) -> None:
    found = detections(list(signals_of([service(attrs)])), CATALOG, None)
    assert [r.attrs["vendor"] for r in found] == ["datadog"]


def test_a_resource_with_no_image_variable_or_url_gives_no_signal() -> None:
    assert list(signals_of([service({"name": "web", "ports": [80], "labels": {"tier": "ftp:/x"}})])) == []


def test_dotenv_names_and_hosts_are_signals_and_values_are_never_kept() -> None:
    text = b"SENDGRID_API_KEY=SG.secret\nWEBHOOK=https://hooks.slack.com/services/T/B/secret\n"
    found = detections(list(dotenv_signals([SourceFile(".env.example", text)])), CATALOG, "subprocessors.yaml")
    assert sorted((r.attrs["vendor"], r.attrs["value"]) for r in found) == [
        ("sendgrid", "SENDGRID_API_KEY"), ("slack", "hooks.slack.com")]
    assert all("secret" not in str(r.attrs) for r in found)
    assert all(r.attrs["register"] == "subprocessors.yaml" for r in found)


def test_a_register_path_is_absent_when_there_is_no_register() -> None:
    found = detections(list(signals_of([service({"image": "datadog/agent"})])), CATALOG, None)
    assert "register" not in found[0].attrs


def _project(tmp_path: Path, register: str | None) -> Path:
    (tmp_path / "package.json").write_text('{\n  "dependencies": {\n    "stripe": "^14",\n    "openai": "^4"\n  }\n}\n')
    if register is not None:
        (tmp_path / "subprocessors.yaml").write_text(register)
    return tmp_path


def _statuses(root: Path, rule: str) -> dict[str, str]:
    config = Config(enable=OWN_RULES)
    report = scan([root], config, rule_set(config, root))
    return {r.resource.address: r.status for r in report.results if r.rule == rule and r.resource}


STRIPE_ONLY = "home_region: EU\nsubprocessors:\n  - {id: stripe, name: Stripe, purpose: Payments, locations: [IE]}\n"


def test_an_undisclosed_vendor_fails_and_disclosing_it_passes(tmp_path: Path) -> None:
    root = _project(tmp_path, STRIPE_ONLY)
    assert _statuses(root, "PP-SUB-001") == {"vendor_detection.stripe[package.json:stripe]": "pass",
                                             "vendor_detection.openai[package.json:openai]": "fail"}
    (root / "subprocessors.yaml").write_text(STRIPE_ONLY + "  - {id: openai, name: OpenAI, purpose: Chat, "
                                             "locations: [US], safeguard: dpf}\n")
    assert set(_statuses(root, "PP-SUB-001").values()) == {"pass"}


def test_without_a_register_every_detected_vendor_fails_asking_for_one(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    config = Config(enable=OWN_RULES)
    report = scan([root], config, rule_set(config, root))
    failures = [r for r in report.results if r.rule == "PP-SUB-002"]
    assert len(failures) == 2 and all(r.status == "fail" and "create subprocessors.yaml" in r.message
                                      for r in failures)
    assert not [r for r in report.results if r.rule == "PP-SUB-001"]


def test_a_register_entry_detected_nowhere_is_a_note_not_a_failure(tmp_path: Path) -> None:
    root = _project(tmp_path, STRIPE_ONLY.replace("subprocessors:\n", "subprocessors:\n  - {id: mailgun, name: "
                                                  "Mailgun, purpose: Email, locations: [DE]}\n"))
    config = Config(enable=OWN_RULES)
    report = scan([root], config, rule_set(config, root))
    assert any("`mailgun` is in the register but was not detected" in note for note in report.notes)
    assert not [r for r in report.results if r.resource and r.resource.address == "subprocessor.mailgun"
                and r.status == "fail"]


def test_a_configured_register_path_is_read_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    (root / "compliance").mkdir()
    (root / "compliance" / "vendors.yaml").write_text(STRIPE_ONLY)
    config = Config(subprocessors="compliance/vendors.yaml", enable=OWN_RULES)
    report = scan([root], config, rule_set(config, root))
    assert {r.status for r in report.results if r.rule == "PP-SUB-001"} == {"pass", "fail"}
    config = Config(subprocessors="compliance/missing.yaml", enable=OWN_RULES)
    report = scan([root], config, rule_set(config, root))
    assert any(r.rule == "PP-LOAD-000" and r.location and r.location.path == "compliance/missing.yaml"
               for r in report.results)


def test_a_vendor_reached_through_a_resource_no_rule_reads_is_still_detected(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "hook" {\n  default = "https://api.stripe.com/v1/events"\n}\n'
        'resource "aws_cloudwatch_event_api_destination" "stripe" {\n  invocation_endpoint = var.hook\n}\n')
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    config = Config(enable=OWN_RULES)
    rules = rule_set(config, tmp_path)
    assert "aws_cloudwatch_event_api_destination" not in types_read(rules.rules)
    monkeypatch.setattr(parallel, "MIN_BYTES_PER_WORKER", 1)

    for jobs in (1, 2):
        report = scan([tmp_path], config, rules, jobs=jobs)
        assert [(r.resource.address, r.location.path, r.location.line) for r in report.results
                if r.rule == "PP-SUB-002" and r.resource and r.location] == [
            ("vendor_detection.stripe[main.tf:api.stripe.com]", "main.tf", 2)]
