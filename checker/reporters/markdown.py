"""A short Markdown summary for a pull-request comment or a CI step summary.

Every value that comes from a scanned file (resource names, messages, paths)
goes through :func:`escape`, so a name cannot break the table, open a code
span, inject HTML or mention a user. The failing list is capped so the
comment stays within what code hosts accept.
"""
from __future__ import annotations

import html
import re

from checker.reporters.common import address, count, findings, where
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report, Result

MAX_LISTED = 50
_ICONS = {"satisfied": "✅", "attested": "✅", "violated": "❌", "not-evidenced": "⚠️", "waived": "➖"}
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def escape(text: str) -> str:
    """Literal text in Markdown: HTML escaped, Markdown punctuation backslashed, one line, no @-mentions."""
    one_line = " ".join(str(text).split())
    return _MARKUP.sub(r"\\\1", html.escape(one_line, quote=False)).replace("@", "&#64;")


def render(report: Report, options: RenderOptions) -> str:
    failing = findings(report)
    violated = sum(c.status == "violated" for c in report.commitments)
    lines = [
        f"### policyproof: {escape(report.policy.title)} ({escape(report.policy.version)})",
        "",
        f"**{violated} of {len(report.commitments)} commitments violated**; "
        f"{count(failing, 'fail')} failing, {count(failing, 'error')} undetermined, "
        f"{count(report.results, 'pass')} passing results.",
        "",
        "| Commitment | Status | Pass | Fail | Error | Waived |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in report.commitments:
        n = c.counts
        lines.append(f"| {escape(c.id)} | {_ICONS.get(c.status, '')} {c.status} | {n.passed} | {n.failed} "
                     f"| {n.error} | {n.waived} |")
    if failing:
        lines += ["", "#### Failing and undetermined results", ""]
        lines += [_item(r) for r in failing[:MAX_LISTED]]
        if len(failing) > MAX_LISTED:
            lines.append(f"- … and {len(failing) - MAX_LISTED} more (see the full report)")
    for title, results in (("waived", [r for r in report.results if r.status == "waived"]),
                           ("passing", [r for r in report.results if r.status == "pass"])):
        if results:
            lines += ["", f"<details><summary>{len(results)} {title} results</summary>", ""]
            lines += [_item(r) for r in results[:MAX_LISTED]]
            if len(results) > MAX_LISTED:
                lines.append(f"- … and {len(results) - MAX_LISTED} more")
            lines += ["", "</details>"]
    if report.warnings:
        lines += ["", *(f"> ⚠️ {escape(w)}" for w in report.warnings)]
    return "\n".join(lines) + "\n"


def _item(result: Result) -> str:
    resource = f" — {escape(address(result))}" if result.resource else ""
    status = "**undetermined**" if result.status == "error" else result.severity
    return f"- {escape(where(result))} {escape(result.rule)} ({status}): {escape(result.message)}{resource}"
