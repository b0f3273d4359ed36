"""What several reporters need alike: where a result is, how to show a value, a stable fingerprint."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report, Result
from policy_spec.rule import Docs, Rule

INFORMATION_URI = "https://pypi.org/project/policyproof/"
LOAD_RULE_ID = "PP-LOAD-000"
LOAD_COMMITMENT = "(input)"
LOAD_RULE_DOCS = Docs(
    what="A file of a known format that could not be read or parsed, or is over the size limit.",
    why="A gate that passes what it could not read proves nothing; an unreadable file fails closed.",
    fix="Fix the syntax error at the reported line, or exclude the file in the configuration if it is not "
    "deployed.",
)
LOAD_RULE_TITLE = "Every input file can be read"


def rule_index(options: RenderOptions) -> dict[str, Rule]:
    return {rule.id: rule for rule in options.rules}


def title_of(rule_id: str, rules: dict[str, Rule]) -> str:
    if rule_id == LOAD_RULE_ID:
        return LOAD_RULE_TITLE
    rule = rules.get(rule_id)
    return rule.title if rule else rule_id


def docs_of(rule_id: str, rules: dict[str, Rule]) -> Docs | None:
    if rule_id == LOAD_RULE_ID:
        return LOAD_RULE_DOCS
    rule = rules.get(rule_id)
    return rule.docs if rule else None


def where(result: Result) -> str:
    """``path:line``, the form editors and CI logs turn into a link."""
    if result.location is None:
        return "(no file)"
    return f"{result.location.path}:{result.location.line}"


def address(result: Result) -> str:
    return result.resource.address if result.resource else ""


def shown(value: Any) -> str:
    """A value as compact JSON, so `"1.2"` and `1.2`, or `null` and absent, stay distinguishable."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def fingerprint(result: Result, occurrence: int = 0) -> str:
    """Rule, resource and file, but not the line: the same finding keeps its identity when lines move.

    ``occurrence`` tells apart results that share all three (one resource reported at several lines),
    counted in the report's order, which a line shift does not change.
    """
    path = result.location.path if result.location else ""
    key = f"{result.rule}\0{address(result)}\0{path}" + (f"\0{occurrence}" if occurrence else "")
    return hashlib.sha256(key.encode()).hexdigest()


def findings(report: Report) -> list[Result]:
    return [r for r in report.results if r.status in ("fail", "error")]


def count(results: list[Result], status: str) -> int:
    return sum(r.status == status for r in results)
