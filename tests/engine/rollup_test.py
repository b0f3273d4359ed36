from __future__ import annotations

import pytest

from checker.engine.rollup import attested_status
from policy_spec.evidence import AttestationState, CommitmentStatus


@pytest.mark.parametrize(("scanned", "states", "expected"), [
    ("not-evidenced", ["valid"], "attested"),
    ("not-evidenced", ["expiring"], "attested"),
    ("not-evidenced", ["expired"], "violated"),
    ("satisfied", ["expired"], "violated"),
    ("not-evidenced", ["expired", "valid"], "attested"),
    ("not-evidenced", ["not-yet-valid"], "not-evidenced"),
    ("violated", ["valid"], "violated"),
    ("satisfied", [], "satisfied"),
])
def test_an_attestation_decides_unless_the_scan_found_a_failure(
    scanned: CommitmentStatus, states: list[AttestationState], expected: CommitmentStatus
) -> None:
    assert attested_status(scanned, states) == expected
