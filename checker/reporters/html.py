"""One self-contained HTML page for compliance staff: the evidence, commitment by commitment.

Nothing is loaded from elsewhere (inline CSS, inline SVG, no script), so the
file can be archived and opened offline years later. Every value that comes
from a scanned file passes through :func:`e` (``html.escape``), and a
Content-Security-Policy forbids scripts outright, so a hostile resource name
is shown as text.
"""
from __future__ import annotations

import html
from collections import defaultdict

from checker.reporters.common import docs_of, rule_index, shown, title_of, where
from checker.reporters.options import RenderOptions
from policy_spec.evidence import AttestationRecord, CommitmentResult, Report, Result
from policy_spec.rule import Rule

STAMPED = True
"""The report carries the time it was made, so a stored copy is never replayed."""

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
.meta{color:#555}table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font:13px ui-monospace,monospace;word-break:break-all}
blockquote{border-left:4px solid #bbb;margin:.5rem 0;padding:.2rem 1rem;color:#333;background:#fafafa}
.status{font-weight:600;padding:.1rem .5rem;border-radius:.3rem;color:#fff;white-space:nowrap}
.satisfied,.attested,.pass,.valid{background:#1a7f37}.violated,.fail,.expired{background:#cf222e}
.not-evidenced,.error,.expiring,.not-yet-valid{background:#9a6700}.waived{background:#6e7781}
section.commitment{margin-bottom:2rem}.rule{margin:1rem 0 1rem 1rem}.doc{white-space:pre-wrap}
details summary{cursor:pointer;color:#0550ae}
"""
_CHART_COLORS = (("pass", "#1a7f37"), ("fail", "#cf222e"), ("error", "#9a6700"), ("waived", "#6e7781"))


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def render(report: Report, options: RenderOptions) -> str:
    rules = rule_index(options)
    title = f"{report.policy.title} ({report.policy.version}): evidence"
    body = [
        f"<h1>{e(report.policy.title)}</h1>",
        f'<p class="meta">Policy <code>{e(report.policy.id)}</code>, version {e(report.policy.version)}; '
        f"checked by policyproof {e(report.tool.version)} with rules {e(report.tool.rules_version)} "
        f"on {e(options.generated.isoformat())}; scanned root <code>{e(report.root)}</code>.</p>",
        _summary(report),
        "<h2>Commitments</h2>",
        _chart(report.commitments),
        *(_commitment(c, report, rules) for c in report.commitments),
        _load_errors(report),
        _waivers(report),
        _attestations(report.attestations),
        _inputs(report),
        _notes(report),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _badge(status: str) -> str:
    return f'<span class="status {e(status)}">{e(status)}</span>'


def _summary(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{_badge(status)}</td><td>{sum(c.status == status for c in report.commitments)}</td></tr>"
        for status in ("satisfied", "attested", "violated", "not-evidenced", "waived")
    )
    return f"<table style=\"width:auto\"><tr><th>Commitment status</th><th>Count</th></tr>{rows}</table>"


def _chart(commitments: list[CommitmentResult]) -> str:
    """Stacked bars of pass, fail, error and waived results per commitment, drawn to one scale."""
    label_w, bar_w, row_h = 190, 460, 22
    most = max((c.counts.passed + c.counts.failed + c.counts.error + c.counts.waived for c in commitments),
               default=0) or 1
    height = row_h * len(commitments) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}" '
             f'height="{height}" font-size="12" font-family="sans-serif">',
             "<title>Results per commitment: pass, fail, error, waived</title>"]
    for i, c in enumerate(commitments):
        y = i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{e(c.id)}</text>')
        x = float(label_w)
        for status, colour in _CHART_COLORS:
            n = {"pass": c.counts.passed, "fail": c.counts.failed, "error": c.counts.error,
                 "waived": c.counts.waived}[status]
            if n:
                w = bar_w * n / most
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}">'
                             f"<title>{e(c.id)}: {n} {status}</title></rect>")
                x += w
        total = c.counts.passed + c.counts.failed + c.counts.error + c.counts.waived
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{total or "no results"}</text>')
    legend_y = row_h * len(commitments) + 18
    for j, (status, colour) in enumerate(_CHART_COLORS):
        lx = label_w + j * 90
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{lx + 16}" y="{legend_y}">{status}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _commitment(c: CommitmentResult, report: Report, rules: dict[str, Rule]) -> str:
    own = [r for r in report.results if r.commitment == c.id]
    by_rule: dict[str, list[Result]] = defaultdict(list)
    for result in own:
        by_rule[result.rule].append(result)
    n = c.counts
    parts = [
        f'<section class="commitment" id="c-{e(c.id)}">',
        f"<h3>{e(c.title)} <code>{e(c.id)}</code> {_badge(c.status)}</h3>",
        f"<blockquote>“{e(c.quote)}” <span class=\"meta\">(section {e(c.section)})</span></blockquote>",
        f'<p class="meta">{n.passed} pass, {n.failed} fail, {n.error} error, {n.waived} waived; '
        f"rules: {e(', '.join(c.rules)) or 'none'}.</p>",
    ]
    records = [a for a in report.attestations if a.commitment == c.id]
    if records:
        parts.append("<p>Attested: " + "; ".join(
            f"{e(a.statement)} by {e(a.by)} on {e(a.date)} {_badge(a.state)}" for a in records) + "</p>")
    for rule_id, results in by_rule.items():
        parts.append(_rule_block(rule_id, results, rules))
    parts.append("</section>")
    return "\n".join(parts)


def _rule_block(rule_id: str, results: list[Result], rules: dict[str, Rule]) -> str:
    """A rule's findings in full, with its rationale and fix; its passes folded away."""
    open_ = [r for r in results if r.status != "pass"]
    passed = [r for r in results if r.status == "pass"]
    docs = docs_of(rule_id, rules)
    parts = [f'<div class="rule"><h4><code>{e(rule_id)}</code> {e(title_of(rule_id, rules))}</h4>']
    if open_ and docs:
        parts.append(f'<p class="doc"><strong>Why it matters.</strong> {e(docs.why.strip())}</p>'
                     f'<p class="doc"><strong>How to fix.</strong> {e(docs.fix.strip())}</p>')
    if open_:
        parts.append(_results_table(open_))
    if passed:
        parts.append(f"<details><summary>{len(passed)} passing</summary>{_results_table(passed)}</details>")
    parts.append("</div>")
    return "".join(parts)


def _results_table(results: list[Result]) -> str:
    rows = "".join(
        f"<tr><td>{_badge(r.status)}</td><td>{e(r.severity)}</td><td><code>{e(where(r))}</code></td>"
        f"<td><code>{e(r.resource.address) if r.resource else ''}</code></td><td>{e(r.message)}"
        + (f'<br><span class="meta">{e(r.note)}</span>' if r.note else "")
        + f"</td><td><code>{e(shown(r.observed))}</code></td><td><code>{e(shown(r.expected))}</code></td></tr>"
        for r in results
    )
    return ("<table><tr><th>Status</th><th>Severity</th><th>File:line</th><th>Resource</th><th>Finding</th>"
            f"<th>Observed</th><th>Expected</th></tr>{rows}</table>")


def _load_errors(report: Report) -> str:
    known = {c.id for c in report.commitments}
    errors = [r for r in report.results if r.commitment not in known]
    if not errors:
        return ""
    return f"<h2>Files that could not be read</h2>{_results_table(errors)}"


def _waivers(report: Report) -> str:
    waived = [r for r in report.results if r.status == "waived"]
    if not waived:
        return ""
    rows = "".join(
        f"<tr><td><code>{e(r.rule)}</code></td><td><code>{e(where(r))}</code></td>"
        f"<td><code>{e(r.resource.address) if r.resource else ''}</code></td>"
        f"<td>{e(r.exemption.kind if r.exemption else '')}</td><td>{e(r.exemption.owner or '') if r.exemption else ''}"
        f"</td><td>{e(r.exemption.reason if r.exemption else '')}</td>"
        f"<td>{e(r.exemption.expires or '') if r.exemption else ''}</td></tr>"
        for r in waived
    )
    return ("<h2>Waivers</h2><table><tr><th>Rule</th><th>File:line</th><th>Resource</th><th>Kind</th>"
            f"<th>Owner</th><th>Reason</th><th>Expires</th></tr>{rows}</table>")


def _attestations(records: list[AttestationRecord]) -> str:
    if not records:
        return ""
    rows = "".join(
        f"<tr><td><code>{e(a.commitment)}</code></td><td>{e(a.statement)}</td><td>{e(a.by)}</td>"
        f"<td>{e(a.date)}</td><td>{e(a.expires)}</td><td>{_badge(a.state)}</td><td>"
        + "<br>".join(f"<code>{e(ref.ref)}</code>" + (f" sha256 <code>{e(ref.sha256)}</code>" if ref.sha256 else "")
                      for ref in a.evidence)
        + f"</td><td><code>{e(a.source)}</code></td></tr>"
        for a in records
    )
    return ("<h2>Attestations</h2><table><tr><th>Commitment</th><th>What</th><th>Who</th><th>When</th>"
            f"<th>Valid until</th><th>State</th><th>Evidence</th><th>Recorded in</th></tr>{rows}</table>")


def _inputs(report: Report) -> str:
    rows = "".join(f"<tr><td><code>{e(i.path)}</code></td><td>{e(i.format)}</td><td><code>{e(i.sha256)}</code></td>"
                   "</tr>" for i in report.inputs)
    return (f"<h2>Inputs</h2><p class=\"meta\">{len(report.inputs)} files read.</p>"
            f"<table><tr><th>File</th><th>Format</th><th>SHA-256</th></tr>{rows}</table>")


def _notes(report: Report) -> str:
    items = [f"<li>⚠️ {e(w)}</li>" for w in report.warnings] + [f"<li>{e(n)}</li>" for n in report.notes]
    return f"<h2>Notes</h2><ul>{''.join(items)}</ul>" if items else ""
