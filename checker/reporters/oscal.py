"""OSCAL assessment results (1.0.6) for GRC tools: a finding per commitment, an observation per result.

Each commitment is an objective (``target-id``); each resource checked by a
rule is an observation with the file and line as evidence, and each
attestation an observation of its own (method ``EXAMINE``). The inputs and the
policy are back-matter resources with their SHA-256. Every UUID is a uuid5 of
stable names and positions, so the same inputs at the same time give the same document.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from checker.reporters.common import address, rule_index, shown, title_of, where
from checker.reporters.options import RenderOptions
from policy_spec.evidence import AttestationRecord, CommitmentResult, Report, Result
from policy_spec.rule import Rule

STAMPED = True
"""The report carries the time it was made, so a stored copy is never replayed."""

OSCAL_VERSION = "1.0.6"
NS = "urn:policyproof:oscal"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "urn:policyproof")
_SATISFIED = {"satisfied": ("satisfied", "pass"), "attested": ("satisfied", "pass"),
              "violated": ("not-satisfied", "fail"), "not-evidenced": ("not-satisfied", "other"),
              "waived": ("not-satisfied", "other")}


def uid(*parts: str) -> str:
    return str(uuid.uuid5(_ROOT, "\0".join(parts)))


def render(report: Report, options: RenderOptions) -> str:
    stamp = options.generated.isoformat().replace("+00:00", "Z")
    rules = rule_index(options)
    run_id = uid("run", report.policy.id, report.policy.version, report.tool.rules_version,
                 *(f"{i.path}={i.sha256}" for i in report.inputs))
    policy_resource = uid(run_id, "policy")
    observations = [_observation(i, r, run_id, stamp, rules) for i, r in enumerate(report.results)]
    observations += [_attested(i, a, run_id, stamp) for i, a in enumerate(report.attestations)]
    result: dict[str, Any] = {
        "uuid": uid(run_id, "result"),
        "title": f"policyproof scan of {report.root}",
        "description": f"Commitments of {report.policy.title} ({report.policy.version}) checked against "
                       f"{len(report.inputs)} infrastructure files with rules {report.tool.rules_version}.",
        "start": stamp,
        "end": stamp,
        "reviewed-controls": {"control-selections": [{
            "description": "Every commitment of the policy.",
            "include-all": {},
        }]},
        "findings": [_finding(c, report, run_id) for c in report.commitments],
    }
    if observations:
        result["observations"] = observations
    document = {"assessment-results": {
        "uuid": run_id,
        "metadata": {
            "title": f"{report.policy.title}: assessment results",
            "last-modified": stamp,
            "version": report.tool.version,
            "oscal-version": OSCAL_VERSION,
            "props": [_prop("policy-version", report.policy.version),
                      _prop("rules-version", report.tool.rules_version)],
        },
        "import-ap": {"href": f"#{policy_resource}",
                      "remarks": "No separate assessment plan: the policy's commitments are the objectives."},
        "results": [result],
        "back-matter": {"resources": [
            {"uuid": policy_resource, "title": f"{report.policy.title} ({report.policy.version})",
             "props": [_prop("policy-id", report.policy.id)]},
            *({"uuid": uid(run_id, "input", i.path), "title": i.path,
               "props": [_prop("format", i.format)],
               "rlinks": [{"href": i.path, "hashes": [{"algorithm": "SHA-256", "value": i.sha256}]}]}
              for i in report.inputs),
        ]},
    }}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def _observation(index: int, r: Result, run_id: str, stamp: str, rules: dict[str, Rule]) -> dict[str, Any]:
    description = r.message + (f" Observed {shown(r.observed)}; expected {shown(r.expected)}."
                               if r.observed is not None or r.expected is not None else "")
    observation: dict[str, Any] = {
        "uuid": uid(run_id, "observation", str(index)),
        "title": f"{r.rule} {title_of(r.rule, rules)}: {address(r) or where(r)}",
        "description": description,
        "props": [_prop("rule", r.rule), _prop("commitment", r.commitment), _prop("status", r.status),
                  _prop("severity", r.severity)],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": stamp,
    }
    if r.location is not None:
        observation["relevant-evidence"] = [{
            "href": f"{r.location.path}#L{r.location.line}",
            "description": f"{where(r)}" + (f" ({r.resource.type} {r.resource.address})" if r.resource else ""),
        }]
    if r.exemption is not None:
        observation["remarks"] = f"Waived ({r.exemption.kind}): {r.exemption.reason}"
    return observation


def _attested(index: int, a: AttestationRecord, run_id: str, stamp: str) -> dict[str, Any]:
    return {
        "uuid": uid(run_id, "attestation", str(index)),
        "title": f"Attestation for {a.commitment} by {a.by}",
        "description": a.statement,
        "props": [_prop("commitment", a.commitment), _prop("attestation-state", a.state),
                  _prop("valid-until", a.expires.isoformat())],
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "relevant-evidence": [{"href": ref.ref, "description": f"evidence recorded in {a.source}"
                               + (f", sha256 {ref.sha256}" if ref.sha256 else "")} for ref in a.evidence],
        "collected": stamp,
    }


def _finding(c: CommitmentResult, report: Report, run_id: str) -> dict[str, Any]:
    state, reason = _SATISFIED[c.status]
    related = [uid(run_id, "observation", str(i)) for i, r in enumerate(report.results) if r.commitment == c.id]
    related += [uid(run_id, "attestation", str(i)) for i, a in enumerate(report.attestations) if a.commitment == c.id]
    finding: dict[str, Any] = {
        "uuid": uid(run_id, "finding", c.id),
        "title": c.title,
        "description": f"Section {c.section}: “{c.quote}”",
        "props": [_prop("commitment-status", c.status)],
        "target": {
            "type": "objective-id",
            "target-id": c.id,
            "status": {"state": state, "reason": reason},
        },
    }
    if related:
        finding["related-observations"] = [{"observation-uuid": u} for u in related]
    return finding
