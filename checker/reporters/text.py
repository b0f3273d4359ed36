"""Terminal output: findings grouped by file as ``path:line rule-id message``, then a summary."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report, Result

_COLORS = {"fail": "31", "error": "35", "pass": "32", "waived": "33", "violated": "31", "satisfied": "32",
           "not-evidenced": "33", "attested": "32", "bold": "1", "dim": "2"}
_STATUS_WORD = {"fail": "FAIL", "error": "ERROR", "pass": "PASS", "waived": "WAIVED"}


def render(report: Report, options: RenderOptions) -> str:
    paint = _painter(options.color)
    shown = [r for r in report.results if options.verbose or r.status in ("fail", "error")]
    by_file: dict[str, list[Result]] = defaultdict(list)
    for result in shown:
        by_file[result.location.path if result.location else "(no file)"].append(result)
    lines: list[str] = []
    for path, results in by_file.items():
        lines.append(paint("bold", path))
        for r in results:
            where = f"{path}:{r.location.line}" if r.location else path
            word = paint(r.status, _STATUS_WORD[r.status])
            address = f" [{r.resource.address}]" if r.resource else ""
            if r.resource and r.resource.module_call:
                address = f" [{r.resource.address} via {r.resource.module_call.path}:{r.resource.module_call.line}]"
            lines.append(f"  {where} {word} {r.rule} {r.message}{paint('dim', address)}")
        lines.append("")
    lines.append(paint("bold", f"{report.policy.title} ({report.policy.version})"))
    for c in report.commitments:
        counts = c.counts
        tally = f"{counts.passed} pass, {counts.failed} fail, {counts.error} error"
        if counts.waived:
            tally += f", {counts.waived} waived"
        lines.append(f"  {paint(c.status, c.status.ljust(13))} {c.id.ljust(24)} {paint('dim', tally)}")
    totals = {s: sum(r.status == s for r in report.results) for s in ("pass", "fail", "error", "waived")}
    lines.append("")
    lines.append(
        f"{len(report.inputs)} files, {totals['pass']} passed, {totals['fail']} failed, "
        f"{totals['error']} errors" + (f", {totals['waived']} waived" if totals["waived"] else "")
    )
    for warning in report.warnings:
        lines.append(paint("error", f"warning: {warning}"))
    for note in report.notes:
        lines.append(paint("dim", f"note: {note}"))
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(kind: str, text: str) -> str:
        code = _COLORS.get(kind)
        return f"\x1b[{code}m{text}\x1b[0m" if color and code else text

    return paint
