"""SARIF 2.1.0 for code scanning (GitHub and others): one run, every rule described, findings located.

Only failing, undetermined and waived results are reported; a waived one
carries an accepted suppression so the alert is closed with its reason. What
GitHub reads is kept to what it accepts: one run per file, ``tool.driver``
with ``semanticVersion``, a ``security-severity`` per rule, and locations
relative to the checkout (``%SRCROOT%``).
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from checker.reporters.common import (
    INFORMATION_URI,
    LOAD_COMMITMENT,
    LOAD_RULE_DOCS,
    LOAD_RULE_ID,
    LOAD_RULE_TITLE,
    fingerprint,
)
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report, Result
from policy_spec.rule import Docs

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""GitHub's bands: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4.0."""
FINGERPRINT_KEY = "policyproof/v1"


def render(report: Report, options: RenderOptions) -> str:
    rules = _rules(report, options)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    reported = [r for r in report.results if r.status in ("fail", "error", "waived")]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "policyproof",
            "version": report.tool.version,
            "semanticVersion": report.tool.version,
            "informationUri": INFORMATION_URI,
            "rules": rules,
            "properties": {"rulesVersion": report.tool.rules_version,
                           "policy": f"{report.policy.id}@{report.policy.version}"},
        }},
        "automationDetails": {"id": f"policyproof/{report.policy.id}/"},
        "results": [_result(r, index, fingerprint(r, n)) for r, n in _occurrences(reported)],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rules(report: Report, options: RenderOptions) -> list[dict[str, Any]]:
    """Every rule in force, plus any a result names that is not (so every ``ruleIndex`` resolves)."""
    described = [_descriptor(rule.id, rule.name, rule.title, rule.docs, rule.commitment, rule.severity)
                 for rule in options.rules]
    named = {rule.id for rule in options.rules}
    for result in report.results:
        if result.rule in named:
            continue
        named.add(result.rule)
        if result.rule == LOAD_RULE_ID:
            described.append(_descriptor(LOAD_RULE_ID, "unreadable-input", LOAD_RULE_TITLE, LOAD_RULE_DOCS,
                                         LOAD_COMMITMENT, result.severity))
        else:
            described.append({"id": result.rule, "shortDescription": {"text": result.rule},
                              "properties": {"commitment": result.commitment, "severity": result.severity}})
    return described


def _descriptor(rule_id: str, name: str, title: str, docs: Docs, commitment: str, severity: str) -> dict[str, Any]:
    text = f"{docs.why.strip()}\n\nHow to fix: {docs.fix.strip()}"
    markdown = f"**Why.** {docs.why.strip()}\n\n**How to fix.** {docs.fix.strip()}"
    if docs.references:
        markdown += "\n\n" + "\n".join(f"- <{ref}>" for ref in docs.references)
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": title},
        "fullDescription": {"text": docs.what.strip()},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "commitment": commitment,
            "severity": severity,
            "security-severity": SECURITY_SEVERITY[severity],
            "tags": ["privacy", "security", commitment],
        },
    }
    if docs.references:
        descriptor["helpUri"] = docs.references[0]
    return descriptor


def _occurrences(results: list[Result]) -> list[tuple[Result, int]]:
    seen: Counter[tuple[str, str, str]] = Counter()
    numbered = []
    for r in results:
        key = (r.rule, r.resource.address if r.resource else "", r.location.path if r.location else "")
        numbered.append((r, seen[key]))
        seen[key] += 1
    return numbered


def _result(result: Result, index: dict[str, int], print_: str) -> dict[str, Any]:
    sarif: dict[str, Any] = {
        "ruleId": result.rule,
        "ruleIndex": index[result.rule],
        "level": "error" if result.status == "error" else LEVELS[result.severity],
        "message": {"text": _message(result)},
        "partialFingerprints": {FINGERPRINT_KEY: print_},
        "properties": {"commitment": result.commitment, "severity": result.severity, "status": result.status},
    }
    if result.location is not None:
        region: dict[str, int] = {"startLine": result.location.line}
        if result.location.end_line:
            region["endLine"] = result.location.end_line
        physical = {"artifactLocation": {"uri": result.location.path, "uriBaseId": "%SRCROOT%"}, "region": region}
        location: dict[str, Any] = {"physicalLocation": physical}
        if result.resource is not None:
            location["logicalLocations"] = [{"fullyQualifiedName": result.resource.address, "kind": "resource"}]
        sarif["locations"] = [location]
    if result.observed is not None or result.expected is not None:
        sarif["properties"].update({"observed": result.observed, "expected": result.expected})
    if result.status == "waived":
        sarif["suppressions"] = [_suppression(result)]
    return sarif


def _message(result: Result) -> str:
    prefix = "Could not be evaluated: " if result.status == "error" else ""
    subject = f" ({result.resource.address})" if result.resource else ""
    return f"{prefix}{result.message}{subject}"


def _suppression(result: Result) -> dict[str, Any]:
    exemption = result.exemption
    if exemption is None:
        return {"kind": "external", "status": "accepted"}
    suppression: dict[str, Any] = {
        "kind": "inSource" if exemption.kind == "suppression" else "external",
        "status": "accepted",
        "justification": exemption.reason,
    }
    extra = {k: v for k, v in (("owner", exemption.owner), ("expires", exemption.expires)) if v}
    if extra:
        suppression["properties"] = extra
    return suppression
