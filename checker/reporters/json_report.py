"""The JSON evidence document (DESIGN.md's contract), deterministic byte for byte."""
from __future__ import annotations

import json

from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def render(report: Report, options: RenderOptions) -> str:
    data = report.model_dump(mode="json", by_alias=True, exclude_none=False)
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
