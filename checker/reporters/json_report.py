"""The JSON evidence document (DESIGN.md's contract), deterministic byte for byte."""
from __future__ import annotations

from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def render(report: Report, options: RenderOptions) -> str:
    return report.model_dump_json(by_alias=True, indent=2) + "\n"
