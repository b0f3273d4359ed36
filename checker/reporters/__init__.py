"""The reporter table: one module per output format, each exposing ``render(report, options) -> str``.

Each is imported when first used: a scan writes one format. A reporter whose output carries the time
it was made sets ``STAMPED = True``, so that a repeated scan never replays an old copy (``checker.replay``).
"""
from __future__ import annotations

from checker.lazy import ModuleTable

REPORTERS = ModuleTable({
    "csv": "checker.reporters.csv_report",
    "html": "checker.reporters.html",
    "json": "checker.reporters.json_report",
    "junit": "checker.reporters.junit",
    "markdown": "checker.reporters.markdown",
    "oscal": "checker.reporters.oscal",
    "sarif": "checker.reporters.sarif",
    "text": "checker.reporters.text",
})
