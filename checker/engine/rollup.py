"""Per-commitment verdicts from per-resource results."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from policy_spec.evidence import (
    AttestationRecord,
    AttestationState,
    CommitmentResult,
    CommitmentStatus,
    Counts,
    Result,
)
from policy_spec.policy import Policy
from policy_spec.rule import Rule


def roll_up(
    policy: Policy, rules: Sequence[Rule], results: Sequence[Result], attestations: Sequence[AttestationRecord] = ()
) -> list[CommitmentResult]:
    by_commitment: dict[str, list[Result]] = defaultdict(list)
    for result in results:
        by_commitment[result.commitment].append(result)
    rules_of: dict[str, list[str]] = defaultdict(list)
    for rule in rules:
        rules_of[rule.commitment].append(rule.id)
    states: dict[str, list[AttestationState]] = defaultdict(list)
    for record in attestations:
        states[record.commitment].append(record.state)
    rolled = []
    for commitment in policy.commitments:
        own = by_commitment.get(commitment.id, [])
        counts = Counts.model_validate({
            "pass": sum(r.status == "pass" for r in own),
            "fail": sum(r.status == "fail" for r in own),
            "error": sum(r.status == "error" for r in own),
            "waived": sum(r.status == "waived" for r in own),
        })
        rolled.append(
            CommitmentResult(
                id=commitment.id,
                title=commitment.title,
                section=commitment.section,
                quote=commitment.quote,
                status=attested_status(status_of(counts), states.get(commitment.id, [])),
                counts=counts,
                rules=sorted(rules_of.get(commitment.id, [])),
            )
        )
    return rolled


def status_of(counts: Counts) -> CommitmentStatus:
    """Any failure breaks the promise; an undetermined result leaves it unproven; only passes prove it."""
    if counts.failed:
        return "violated"
    if counts.error:
        return "not-evidenced"
    if counts.passed:
        return "satisfied"
    if counts.waived:
        return "waived"
    return "not-evidenced"


def attested_status(scanned: CommitmentStatus, states: Sequence[AttestationState]) -> CommitmentStatus:
    """A failing scan outweighs any record; a current record proves the promise; a lapsed one breaks it.

    A record dated after the day of the scan counts for nothing yet.
    """
    if not states or scanned == "violated":
        return scanned
    if any(state in ("valid", "expiring") for state in states):
        return "attested"
    if "expired" in states:
        return "violated"
    return scanned
