"""The rule reference (docs/rules.md), generated from the rule files so it cannot drift from them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from policy_spec.policy import Policy
from policy_spec.rule import Rule


def render(policy: Policy, rules: Sequence[Rule]) -> str:
    by_commitment: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_commitment[rule.commitment].append(rule)
    lines = [
        "# Bundled rules",
        "",
        "Generated from `rules/` by `policyproof rules docs`; do not edit by hand.",
        "",
    ]
    for commitment in policy.commitments:
        own = by_commitment.get(commitment.id, [])
        lines += [f"## {commitment.id}", "", f"> {commitment.quote} (section {commitment.section})", ""]
        if not own:
            kind = "a signed-off attestation" if commitment.evidence == "attestation" else "no bundled rule yet"
            lines += [f"Evidenced by {kind}.", ""]
            continue
        lines += ["| id | severity | applies to | title |", "|---|---|---|---|"]
        lines += [f"| [{r.id}](#{r.id.lower()}) | {r.severity} | {', '.join(f'`{t}`' for t in r.select.types)} "
                  f"| {r.title} |" for r in own]
        lines.append("")
        for rule in own:
            lines += _rule(rule)
    return "\n".join(lines).rstrip() + "\n"


def _rule(rule: Rule) -> list[str]:
    scope = " holding personal data" if rule.select.scope else ""
    out = [
        f"### {rule.id}",
        "",
        f"**{rule.name}**, severity {rule.severity}; {rule.select.format} "
        f"{', '.join(f'`{t}`' for t in rule.select.types)}{scope}.",
        "",
        f"**What it checks.** {rule.docs.what.strip()}",
        "",
        f"**Why.** {rule.docs.why.strip()}",
        "",
        f"**How to fix.** {rule.docs.fix.strip()}",
        "",
    ]
    if rule.platform_default:
        out += [f"**Platform default.** {rule.platform_default.note.strip()}", ""]
    if rule.docs.references:
        out += ["**References.** " + ", ".join(f"<{ref}>" for ref in rule.docs.references), ""]
    return out
