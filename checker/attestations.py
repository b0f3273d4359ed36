"""Reading attestation files, and judging each record on the day of the scan.

A record is judged against an explicit ``today`` rather than the clock, so the
same inputs on the same day give the same verdict, and tests can fix the day.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from checker.errors import ConfigError
from checker.fastyaml import yaml
from checker.rulebook import most_specific
from policy_spec.attestation import Attestation, AttestationFile
from policy_spec.evidence import AttestationRecord, AttestationState, EvidenceRef


EXPIRY_WARNING_DAYS = 30
"""A valid record that ends within this many days is `expiring`, and the report warns about it."""


@dataclass(frozen=True)
class LoadedAttestation:
    record: Attestation
    source: str
    evidence: tuple[EvidenceRef, ...]


def load_attestations(files: Iterable[str], base: Path, commitments: Iterable[str]) -> list[LoadedAttestation]:
    """Every record of ``files`` (relative to ``base``); a record for no known commitment is a config error."""
    known = set(commitments)
    loaded: list[LoadedAttestation] = []
    for name in files:
        path = base / name
        parsed = _read(path)
        for index, record in enumerate(parsed.attestations):
            if record.commitment not in known:
                raise ConfigError(str(path), f"attestations.{index}.commitment",
                                  f"`{record.commitment}` is not a commitment of the policy")
            refs = tuple(_evidence(ref, base, path, index) for ref in record.evidence)
            loaded.append(LoadedAttestation(record, name, refs))
    return loaded


def _read(path: Path) -> AttestationFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read attestations: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"invalid YAML: {exc}") from None
    try:
        return AttestationFile.model_validate(data or {})
    except ValidationError as exc:
        key, message = most_specific(exc)
        raise ConfigError(str(path), key, message) from None


def _evidence(ref: str, base: Path, path: Path, index: int) -> EvidenceRef:
    """A link is kept as given; a file must exist, and its digest pins what was shown to the auditor."""
    if "://" in ref:
        return EvidenceRef(ref=ref)
    target = base / ref
    try:
        return EvidenceRef(ref=ref, sha256=hashlib.sha256(target.read_bytes()).hexdigest())
    except OSError:
        raise ConfigError(str(path), f"attestations.{index}.evidence",
                          f"evidence file `{ref}` not found (relative to {base})") from None


def judge(attestations: Sequence[LoadedAttestation], today: dt.date) -> list[AttestationRecord]:
    return [
        AttestationRecord(
            commitment=a.record.commitment,
            by=a.record.by,
            date=a.record.date,
            statement=a.record.statement,
            evidence=list(a.evidence),
            expires=a.record.expires,
            state=state_on(a.record, today),
            source=a.source,
        )
        for a in attestations
    ]


def state_on(record: Attestation, today: dt.date) -> AttestationState:
    if today < record.date:
        return "not-yet-valid"
    if today > record.expires:
        return "expired"
    if (record.expires - today).days <= EXPIRY_WARNING_DAYS:
        return "expiring"
    return "valid"


def warnings(records: Sequence[AttestationRecord], today: dt.date) -> list[str]:
    """One line per record that needs renewing soon or already lapsed."""
    lines = []
    for r in records:
        if r.state == "expiring":
            days = (r.expires - today).days
            lines.append(f"attestation for {r.commitment} by {r.by} expires on {r.expires} (in {days} days)")
        elif r.state == "expired":
            lines.append(f"attestation for {r.commitment} by {r.by} expired on {r.expires}")
    return lines
