"""Gates fail closed: what cannot be evaluated is an `error`, and an `error` fails the gate unless configured not to."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.cli import main
from checker.scan import failing, rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import Result
from policy_spec.rule import SEVERITIES

DOCS = "docs: {what: what it checks here, why: why it matters here, fix: how to fix it here}\n"


def own_rule(condition: str, types: str = "aws_s3_bucket") -> str:
    return ("id: PP-OWN-001\nname: own-rule\ntitle: Kept\nmessage: Broken\ncommitment: encryption-at-rest\n"
            f"severity: high\nselect: {{format: terraform, types: [{types}]}}\ncondition: {condition}\n" + DOCS)


def verdicts(root: Path, rule: str | None = None) -> dict[str, str]:
    if rule is not None:
        (root / "rules").mkdir(exist_ok=True)
        (root / "rules" / "PP-OWN-001.yaml").write_text(rule)
        config = Config(bundled_rules=False, rules=["rules"])
    else:
        config = Config()
    report = scan([root], config, rule_set(config, root))
    return {f"{r.rule}:{r.resource.address if r.resource else r.location.path if r.location else ''}": r.status
            for r in report.results}


results = st.builds(
    lambda status, severity: Result(rule="PP-X-001", commitment="c", status=status, severity=severity, message="m"),
    st.sampled_from(["pass", "fail", "error", "waived"]), st.sampled_from(SEVERITIES))


@given(st.lists(results, max_size=8), st.sampled_from(SEVERITIES), st.booleans())
def test_the_gate_blocks_on_every_error_unless_errors_are_allowed(found: list[Result], threshold: str,
                                                                  fail_on_error: bool) -> None:
    blocking = failing(found, threshold, fail_on_error)
    errors = [r for r in found if r.status == "error"]
    if fail_on_error:
        assert all(r in blocking for r in errors)
    else:
        assert not any(r in blocking for r in errors)
    assert all(r.status in ("fail", "error") for r in blocking)
    assert all(SEVERITIES.index(r.severity) >= SEVERITIES.index(threshold) for r in blocking if r.status == "fail")


def test_an_attribute_from_an_undeclared_variable_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "db.tf").write_text('resource "aws_db_instance" "d" {\n  engine = "postgres"\n'
                                    "  storage_encrypted = var.not_declared_anywhere\n}\n")
    assert verdicts(tmp_path)["PP-ENC-002:aws_db_instance.d"] == "error"


def test_an_attribute_from_an_undeclared_variable_fails_the_gate(tmp_path: Path) -> None:
    (tmp_path / "db.tf").write_text('resource "aws_db_instance" "d" {\n  engine = "postgres"\n'
                                    "  storage_encrypted = var.not_declared_anywhere\n}\n")
    assert main(["scan", str(tmp_path)]) == 1
    (tmp_path / ".policyproof.yaml").write_text("fail_on_error: false\n")
    assert main(["scan", str(tmp_path)]) == 0


@pytest.mark.parametrize(("condition", "value"), [
    ("{not: {attr: acl, regex: '^public'}}", '["public-read"]'),
    ("{attr: acl, not_in: [public-read, public-read-write]}", '["public-read"]'),
    ("{attr: acl, not_in: [public-read]}", '{ grant = "public-read" }'),
    ("{not: {attr: acl, equals: public-read}}", '["public-read"]'),
    ("{not: {attr: acl, contains: public}}", "7"),
    ("{attr: acl, lte: 90}", '"forever"'),
    ("{attr: acl, tls_at_least: '1.2'}", '{ min = "1.2" }'),
    ("{attr: acl, base64_bytes: 32}", "32"),
])
def test_an_operator_given_a_value_of_an_unexpected_shape_is_an_error_not_a_pass(
        tmp_path: Path, condition: str, value: str) -> None:
    (tmp_path / "s3.tf").write_text(f'resource "aws_s3_bucket" "b" {{\n  acl = {value}\n}}\n')
    assert verdicts(tmp_path, own_rule(condition)) == {"PP-OWN-001:aws_s3_bucket.b": "error"}


def test_a_selection_filter_that_cannot_be_evaluated_still_selects_the_resource(tmp_path: Path) -> None:
    rule = own_rule("{attr: versioning, exists: true}").replace(
        "types: [aws_s3_bucket]}", "types: [aws_s3_bucket], where: {attr: bucket, regex: customers}}")
    (tmp_path / "s3.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\nvariable "name" {}\n')
    assert verdicts(tmp_path, rule) == {"PP-OWN-001:aws_s3_bucket.b": "fail"}


def test_a_file_that_cannot_be_parsed_fails_the_gate_even_with_nothing_else_to_check(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n")
    assert verdicts(tmp_path) == {"PP-LOAD-000:deploy.yaml": "error"}
    assert main(["scan", str(tmp_path)]) == 1
