"""Every bundled rule against its fixtures, plus the invariants every rule must keep."""
from __future__ import annotations

from pathlib import Path

import pytest

from checker.ruletest import Case, cases, documented, expected_failures, run_all, run_case
from checker.scan import RuleSet, rule_set
from policy_spec.config import Config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULES = rule_set(Config())
ALL_CASES = [case for rule in RULES.rules for case in cases(FIXTURES, rule.id)]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_rule_fixture(case: Case) -> None:
    outcome = run_case(case, RULES, expected_failures(FIXTURES, case.rule))
    assert outcome.problem is None, outcome.problem


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_has_a_passing_and_a_failing_fixture(rule: object) -> None:
    kinds = {c.kind for c in cases(FIXTURES, rule.id)}  # type: ignore[attr-defined]
    assert {"pass", "fail"} <= kinds


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_documents_what_why_and_fix(rule: object) -> None:
    assert documented(rule) == []  # type: ignore[arg-type]


def test_rule_ids_and_names_are_unique() -> None:
    assert len({r.name for r in RULES.rules}) == len(RULES.rules)


def test_every_rule_file_lives_in_its_commitments_folder() -> None:
    from checker.rulebook import bundled_rules_dir

    for path in bundled_rules_dir().rglob("PP-*.yaml"):
        rule = next(r for r in RULES.rules if r.id == path.stem)
        assert path.parent.name == rule.commitment


def test_no_fixture_folder_lacks_a_rule() -> None:
    known = {r.id for r in RULES.rules}
    assert sorted(p.name for p in FIXTURES.glob("PP-*") if p.name not in known) == []


def test_every_commitment_proved_by_rules_has_at_least_one_rule() -> None:
    covered = {r.commitment for r in RULES.rules}
    for_now = {"encryption-in-transit", "encryption-at-rest", "backups", "retention"}
    assert for_now <= covered


def test_the_runner_reports_a_rule_without_fixtures(tmp_path: Path) -> None:
    problems = [o.problem for o in run_all(tmp_path, RuleSet(RULES.policy, RULES.rules[:1], RULES.version))]
    assert "no `pass` fixture" in problems and "no `fail` fixture" in problems


def test_the_runner_catches_a_pass_fixture_that_fails(tmp_path: Path) -> None:
    rule = next(r for r in RULES.rules if r.id == "PP-ENC-001")
    case_dir = tmp_path / "PP-ENC-001" / "pass"
    case_dir.mkdir(parents=True)
    (case_dir / "plain.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    outcome = run_case(Case(rule.id, "pass", case_dir / "plain.tf"), RuleSet(RULES.policy, [rule], RULES.version), {})
    assert outcome.problem is not None and "expected only passes" in outcome.problem


def test_the_rule_reference_is_generated_from_the_rules() -> None:
    from checker.ruledocs import render

    committed = (FIXTURES.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(RULES.policy, RULES.rules), "run `policyproof rules docs > docs/rules.md`"
