from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from checker.attestations import LoadedAttestation, judge, load_attestations, state_on, warnings
from checker.errors import ConfigError
from policy_spec.attestation import Attestation

TODAY = dt.date(2025, 6, 1)
COMMITMENTS = ["security-audits", "staff-training"]


def _record(**changes: object) -> Attestation:
    fields: dict[str, object] = {"commitment": "security-audits", "by": "Dana (CISO)", "date": "2025-01-10",
                                 "statement": "Annual penetration test", "evidence": ["https://example.com/r"],
                                 "valid_for_days": 365}
    fields.update(changes)
    return Attestation.model_validate({k: v for k, v in fields.items() if v is not None})


def test_a_record_counts_for_its_validity_period() -> None:
    assert state_on(_record(), TODAY) == "valid"


def test_a_record_past_its_end_has_expired() -> None:
    assert state_on(_record(valid_for_days=None, valid_until="2025-05-31"), TODAY) == "expired"


def test_a_record_ending_within_30_days_is_expiring() -> None:
    assert state_on(_record(valid_for_days=None, valid_until="2025-07-01"), TODAY) == "expiring"
    assert state_on(_record(valid_for_days=None, valid_until="2025-07-02"), TODAY) == "valid"


def test_a_record_dated_after_today_is_not_yet_valid() -> None:
    assert state_on(_record(date="2025-06-02"), TODAY) == "not-yet-valid"


def test_validity_must_be_given_exactly_once() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        _record(valid_until="2026-01-01")


def test_expiring_and_expired_records_are_warned_about() -> None:
    records = [_record(valid_for_days=None, valid_until="2025-06-11"), _record(valid_for_days=30)]
    judged = judge([LoadedAttestation(r, "a.yaml", ()) for r in records], TODAY)
    assert warnings(judged, TODAY) == [
        "attestation for security-audits by Dana (CISO) expires on 2025-06-11 (in 10 days)",
        "attestation for security-audits by Dana (CISO) expired on 2025-02-09",
    ]


def test_an_evidence_file_is_pinned_by_its_digest(tmp_path: Path) -> None:
    (tmp_path / "audits").mkdir()
    (tmp_path / "audits" / "pentest.pdf").write_bytes(b"report")
    (tmp_path / "att.yaml").write_text(
        "attestations:\n  - commitment: security-audits\n    by: Dana\n    date: 2025-01-10\n"
        "    statement: pentest\n    evidence: [audits/pentest.pdf, https://example.com/x]\n"
        "    valid_until: 2026-01-10\n")
    (loaded,) = load_attestations(["att.yaml"], tmp_path, COMMITMENTS)
    assert loaded.evidence[0].sha256 == hashlib.sha256(b"report").hexdigest()
    assert loaded.evidence[1].sha256 is None


def test_a_missing_evidence_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "att.yaml").write_text(
        "attestations:\n  - commitment: security-audits\n    by: Dana\n    date: 2025-01-10\n"
        "    statement: pentest\n    evidence: [audits/missing.pdf]\n    valid_for_days: 365\n")
    with pytest.raises(ConfigError, match="evidence file `audits/missing.pdf` not found"):
        load_attestations(["att.yaml"], tmp_path, COMMITMENTS)


def test_a_record_for_an_unknown_commitment_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "att.yaml").write_text(
        "attestations:\n  - commitment: pentests\n    by: Dana\n    date: 2025-01-10\n"
        "    statement: pentest\n    evidence: [https://example.com/x]\n    valid_for_days: 365\n")
    with pytest.raises(ConfigError, match="attestations.0.commitment"):
        load_attestations(["att.yaml"], tmp_path, COMMITMENTS)


def test_a_scan_rolls_attested_commitments_up_from_the_records(tmp_path: Path) -> None:
    from checker.config import load_config
    from checker.scan import rule_set, scan

    (tmp_path / "att.yaml").write_text(
        "attestations:\n"
        "  - {commitment: security-audits, by: Dana, date: 2025-01-10, statement: pentest,\n"
        "     evidence: ['https://example.com/x'], valid_until: 2025-06-20}\n"
        "  - {commitment: staff-training, by: Lee, date: 2024-01-10, statement: training,\n"
        "     evidence: ['https://example.com/y'], valid_for_days: 365}\n")
    (tmp_path / ".policyproof.yaml").write_text("attestations: [att.yaml]\n")
    config = load_config(tmp_path / ".policyproof.yaml")
    report = scan([tmp_path], config, rule_set(config, tmp_path), today=TODAY)
    status = {c.id: c.status for c in report.commitments}
    assert status["security-audits"] == "attested" and status["staff-training"] == "violated"
    assert [a.state for a in report.attestations] == ["expiring", "expired"]
    assert any("expires on 2025-06-20 (in 19 days)" in w for w in report.warnings)
