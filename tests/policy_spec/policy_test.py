from __future__ import annotations

from checker.policies import load_policy, policy_text, stale_quotes

DESIGN_IDS = [
    "encryption-in-transit", "encryption-at-rest", "row-level-security", "access-control", "backups",
    "security-audits", "staff-training", "retention", "subprocessors", "international-transfers", "no-sale",
]


def test_bundled_policy_has_the_commitment_ids_other_tools_rely_on() -> None:
    assert [c.id for c in load_policy().commitments] == DESIGN_IDS


def test_every_quote_stands_verbatim_in_the_published_text() -> None:
    policy = load_policy()
    text = policy_text(policy)
    assert text is not None and stale_quotes(policy, text) == []


def test_an_edited_policy_text_makes_the_quote_stale() -> None:
    policy = load_policy()
    text = policy_text(policy) or ""
    edited = text.replace("TLS 1.2+", "TLS 1.0+")
    assert stale_quotes(policy, edited) == ["encryption-in-transit"]


def test_attested_commitments_are_marked_as_such() -> None:
    attested = {c.id for c in load_policy().commitments if c.evidence == "attestation"}
    assert attested == {"security-audits", "staff-training"}
