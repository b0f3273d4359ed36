from __future__ import annotations

from checker.engine.evaluate import types_read
from policy_spec.rule import Rule


def rule(select_types: list[str], condition: dict[str, object], where: dict[str, object] | None = None) -> Rule:
    select: dict[str, object] = {"format": "terraform", "types": select_types}
    if where is not None:
        select["where"] = where
    return Rule.model_validate({
        "id": "PP-TST-001", "name": "t", "title": "t", "message": "t", "commitment": "c", "severity": "low",
        "select": select, "condition": condition,
        "docs": {"what": "w", "why": "w", "fix": "f"},
    })


def related(types: list[str], where: dict[str, object] | None = None) -> dict[str, object]:
    relation: dict[str, object] = {"types": types, "via": "bucket"}
    if where is not None:
        relation["where"] = where
    return {"related": relation}


def test_the_types_a_rule_reads_are_those_it_selects_and_relates_to_at_any_depth() -> None:
    nested = {"any": [{"attr": "a", "equals": 1},
                      {"not": related(["aws_b"], where=related(["aws_c"]))}]}
    found = types_read([rule(["aws_a"], nested, where=related(["aws_d"]))])
    assert found == {"aws_a", "aws_b", "aws_c", "aws_d"}


def test_a_rule_without_relations_reads_only_what_it_selects() -> None:
    assert types_read([rule(["aws_a", "aws_e"], {"attr": "a", "equals": 1})]) == {"aws_a", "aws_e"}
