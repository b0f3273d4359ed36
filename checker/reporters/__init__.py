"""The reporter table: one module per output format, each exposing ``render(report, options) -> str``."""
from __future__ import annotations

from types import ModuleType

from checker.reporters import csv_report, html, json_report, junit, markdown, oscal, sarif, text

REPORTERS: dict[str, ModuleType] = {
    "csv": csv_report,
    "html": html,
    "json": json_report,
    "junit": junit,
    "markdown": markdown,
    "oscal": oscal,
    "sarif": sarif,
    "text": text,
}
