"""The reporter table: one module per output format, each exposing ``render(report, options) -> str``."""
from __future__ import annotations

from types import ModuleType

from checker.reporters import json_report, text

REPORTERS: dict[str, ModuleType] = {
    "json": json_report,
    "text": text,
}
