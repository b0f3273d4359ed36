from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from checker.reporters.options import RenderOptions
from checker.scan import rule_set, scan
from policy_spec.config import Config
from policy_spec.evidence import (
    AttestationRecord,
    CommitmentResult,
    Counts,
    EvidenceRef,
    Exemption,
    InputFile,
    Location,
    PolicyRef,
    Report,
    Result,
    Tool,
)
from policy_spec.rule import Rule

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
HOSTILE = "<script>document.title='pwned'</script>|`x`"
GENERATED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def _rule(rule_id: str, commitment: str, severity: str) -> Rule:
    return Rule.model_validate({
        "id": rule_id, "name": f"rule-{rule_id.lower()}", "title": f"{rule_id} keeps its promise",
        "message": "broken", "commitment": commitment, "severity": severity,
        "select": {"format": "terraform", "types": ["aws_s3_bucket"]},
        "condition": {"attr": "x", "exists": True},
        "docs": {"what": f"What {rule_id} checks.", "why": f"Why {rule_id} matters.",
                 "fix": f"How to fix {rule_id}.", "references": ["https://docs.aws.amazon.com/AmazonS3/"]},
    })


def _result(rule: str, commitment: str, status: str, name: str, path: str, line: int, **extra: object) -> Result:
    return Result.model_validate({
        "rule": rule, "commitment": commitment, "status": status, "severity": extra.pop("severity", "high"),
        "message": f"{name} is {status}",
        "resource": {"type": "aws_s3_bucket", "name": name, "address": f"aws_s3_bucket.{name}", "format": "terraform"},
        "location": {"path": path, "line": line}, **extra,
    })


@pytest.fixture
def report() -> Report:
    results = [
        _result("PP-ENC-001", "encryption-at-rest", "fail", HOSTILE, "infra/s3.tf", 12,
                observed=None, expected={"equals": "AES256"}, attribute="sse"),
        _result("PP-ENC-001", "encryption-at-rest", "pass", "exports", "infra/s3.tf", 40, observed="AES256"),
        _result("PP-ENC-001", "encryption-at-rest", "waived", "legacy", "infra/legacy.tf", 3,
                exemption=Exemption(kind="waiver", reason="migrating in Q2", owner="ops", expires="2025-06-30")),
        _result("PP-BAK-001", "backups", "pass", "db", "infra/db.tf", 7, severity="medium"),
        Result(rule="PP-LOAD-000", commitment="(input)", status="error", severity="high",
               message="invalid syntax", location=Location(path="broken.tf", line=2), error_kind="parse"),
    ]
    return Report(
        tool=Tool(version="0.1.0", rules_version="abcdef0123456789"),
        policy=PolicyRef(id="acme-privacy", title="Acme Privacy Policy", version="2025-01-01"),
        root="service",
        inputs=[InputFile(path="infra/s3.tf", sha256="a" * 64, format="terraform"),
                InputFile(path="broken.tf", sha256="b" * 64, format="terraform")],
        results=results,
        commitments=[
            CommitmentResult(id="encryption-at-rest", title="Encryption at rest", section="4",
                             quote="encrypted at rest (AES-256)", status="violated",
                             counts=Counts(passed=1, failed=1, waived=1), rules=["PP-ENC-001"]),
            CommitmentResult(id="backups", title="Backups", section="4", quote="automated backups",
                             status="satisfied", counts=Counts(passed=1), rules=["PP-BAK-001"]),
            CommitmentResult(id="security-audits", title="Security audits", section="4", quote="regular audits",
                             status="attested", counts=Counts(), rules=[]),
        ],
        attestations=[AttestationRecord(
            commitment="security-audits", by="Dana Auditor (CISO)", date=dt.date(2025, 1, 15),
            statement="Annual penetration test", evidence=[EvidenceRef(ref="audits/2025.pdf", sha256="c" * 64)],
            expires=dt.date(2026, 1, 15), state="valid", source="compliance/attestations.yaml")],
    )


@pytest.fixture
def options() -> RenderOptions:
    return RenderOptions(rules=(_rule("PP-ENC-001", "encryption-at-rest", "high"),
                                _rule("PP-BAK-001", "backups", "medium")), generated=GENERATED)


SCHEMAS = Path(__file__).resolve().parents[2] / "fixtures" / "schemas"


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="session")
def oscal_validator() -> jsonschema.Draft7Validator:
    """The NIST schema, with its ``\\p{L}``/``\\p{N}`` classes rewritten for Python's ``re`` (see SOURCES.md)."""
    text = (SCHEMAS / "oscal_assessment-results_schema-1.0.6.json").read_text(encoding="utf-8")
    text = text.replace(r"\\p{L}", r"[^\\W\\d_]").replace(r"\\p{N}", r"\\d")
    return jsonschema.Draft7Validator(json.loads(text))


@pytest.fixture(scope="session")
def demo_scan() -> tuple[Report, RenderOptions]:
    """The demo project scanned with the bundled rules, as `policyproof scan fixtures/demo` does."""
    config = Config()
    rules = rule_set(config, DEMO)
    report = scan([DEMO], config, rules, today=GENERATED.date())
    return report, RenderOptions(rules=tuple(rules.rules), generated=GENERATED)
