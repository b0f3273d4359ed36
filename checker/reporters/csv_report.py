"""CSV for spreadsheets: one row per result, every status, in the report's order."""
from __future__ import annotations

import csv
import io

from checker.reporters.common import address, shown
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report

COLUMNS = ("rule", "commitment", "status", "severity", "path", "line", "resource", "message", "observed",
           "expected", "exemption")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report, options: RenderOptions) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in report.results:
        writer.writerow([_cell(v) for v in (
            r.rule, r.commitment, r.status, r.severity,
            r.location.path if r.location else "", r.location.line if r.location else "",
            address(r), r.message, shown(r.observed), shown(r.expected),
            r.exemption.reason if r.exemption else "",
        )])
    return out.getvalue()


def _cell(value: object) -> str:
    """A scanned value that starts like a formula is quoted, so a spreadsheet shows it instead of running it."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
