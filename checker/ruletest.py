"""Running each rule's fixtures: every rule must pass its `pass/` cases and fail its `fail/` cases.

Layout: ``<DIR>/<RULE-ID>/{pass,fail,error}/<case>`` where a case is one file or
one folder (for relations across files). ``expected.yaml`` beside them may
list, per failing case, exactly which resource addresses must fail.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from checker.config import find_config, load_config
from checker.scan import RuleSet, scan
from policy_spec.config import Config
from policy_spec.rule import Rule

KINDS = ("pass", "fail", "error")


@dataclass(frozen=True)
class Case:
    rule: str
    kind: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.rule}-{self.kind}-{self.path.stem}"


@dataclass(frozen=True)
class CaseOutcome:
    case: Case
    problem: str | None


def cases(folder: Path, rule_id: str) -> Iterator[Case]:
    for kind in KINDS:
        kind_folder = folder / rule_id / kind
        if kind_folder.is_dir():
            for entry in sorted(kind_folder.iterdir()):
                if not entry.name.startswith("."):
                    yield Case(rule_id, kind, entry)


def expected_failures(folder: Path, rule_id: str) -> dict[str, list[str]]:
    path = folder / rule_id / "expected.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    failing = data.get("fail", {}) if isinstance(data, dict) else {}
    return {str(k): [str(a) for a in v] for k, v in failing.items()} if isinstance(failing, dict) else {}


def run_case(case: Case, rules: RuleSet, expected: dict[str, list[str]]) -> CaseOutcome:
    rule = next(r for r in rules.rules if r.id == case.rule)
    config = _case_config(case.path)
    report = scan([case.path], config, RuleSet(rules.policy, [rule], rules.version))
    own = [r for r in report.results if r.rule == case.rule]
    broken = [r for r in report.results if r.rule == "PP-LOAD-000"]
    if broken:
        return CaseOutcome(case, f"fixture could not be read: {broken[0].message}")
    if not own:
        return CaseOutcome(case, "the rule selected no resource")
    statuses = {r.status for r in own}
    if case.kind == "pass" and statuses != {"pass"}:
        bad = next(r for r in own if r.status != "pass")
        return CaseOutcome(case, f"expected only passes, got {bad.status}: {bad.message}")
    if case.kind == "error" and "error" not in statuses:
        return CaseOutcome(case, f"expected an error, got {sorted(statuses)}")
    if case.kind == "fail":
        failed = sorted(r.resource.address for r in own if r.status == "fail" and r.resource)
        if not failed:
            return CaseOutcome(case, f"expected a failure, got {sorted(statuses)}: {own[0].message}")
        wanted = expected.get(case.path.name, expected.get(case.path.stem))
        if wanted is not None and sorted(wanted) != failed:
            return CaseOutcome(case, f"expected failing {sorted(wanted)}, got {failed}")
    return CaseOutcome(case, None)


def _case_config(path: Path) -> Config:
    found = find_config(path) if path.is_dir() else None
    return load_config(found)


def run_all(folder: Path, rules: RuleSet) -> Iterator[CaseOutcome]:
    """Every case of every rule, then a problem for each rule without cases and each stray folder."""
    for rule in rules.rules:
        expected = expected_failures(folder, rule.id)
        found = list(cases(folder, rule.id))
        kinds = {c.kind for c in found}
        for missing in ("pass", "fail"):
            if missing not in kinds:
                yield CaseOutcome(Case(rule.id, missing, folder / rule.id / missing), f"no `{missing}` fixture")
        for case in found:
            yield run_case(case, rules, expected)
    known = {r.id for r in rules.rules}
    for stray in sorted(p for p in folder.glob("PP-*") if p.is_dir() and p.name not in known):
        yield CaseOutcome(Case(stray.name, "", stray), "fixture folder for a rule that does not exist")


def documented(rule: Rule) -> list[str]:
    """Documentation gaps: every rule says what, why and how to fix."""
    gaps = []
    for part in ("what", "why", "fix"):
        if len(getattr(rule.docs, part).strip()) < 20:
            gaps.append(f"docs.{part} is too short to help")
    return gaps
