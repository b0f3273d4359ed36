from __future__ import annotations

from typing import Any

from checker.loaders.hcl import parse
from checker.loaders.hcl_eval import Located, Scope, evaluate
from checker.model import Reference, Unknown


def value_of(expression: str, variables: dict[str, Any] | None = None, local_src: str = "") -> Any:
    root, problems = parse(f"{local_src}\nx = {expression}\n".encode())
    assert not problems
    locals_ = {}
    for block in root.blocks:
        if block.type == "locals":
            locals_.update({name: (attr, "main.tf") for name, attr in block.attributes.items()})
    scope = Scope({k: Located(v, None) for k, v in (variables or {}).items()}, locals_)
    return evaluate(root.attributes["x"].expr, scope)


def test_literals_keep_their_types() -> None:
    assert value_of('[1, 2.5, true, null, "s"]') == [1, 2.5, True, None, "s"]


def test_objects_accept_bare_and_quoted_keys() -> None:
    assert value_of('{ Name = "a", "k-2" = 3 }') == {"Name": "a", "k-2": 3}


def test_variables_resolve_to_their_value() -> None:
    assert value_of("var.days", {"days": 30}) == 30


def test_a_variable_without_value_is_unknown_with_its_reason() -> None:
    result = value_of("var.days", {"days": Unknown("variable `days` has no default")})
    assert isinstance(result, Unknown)
    assert "no default" in result.reason


def test_undeclared_variables_are_unknown() -> None:
    assert isinstance(value_of("var.nope"), Unknown)


def test_locals_resolve_through_other_locals() -> None:
    assert value_of("local.b", local_src='locals {\n a = "TLSv1.2"\n b = local.a\n}') == "TLSv1.2"


def test_a_local_that_refers_to_itself_is_unknown_not_a_crash() -> None:
    assert isinstance(value_of("local.a", local_src="locals {\n a = local.a\n}"), Unknown)


def test_templates_interpolate_known_values() -> None:
    assert value_of('"acme-${var.env}-logs"', {"env": "prod"}) == "acme-prod-logs"


def test_templates_with_unknown_parts_are_unknown() -> None:
    assert isinstance(value_of('"acme-${var.env}"', {"env": Unknown("no value")}), Unknown)


def test_resource_references_become_references_to_their_target() -> None:
    result = value_of("aws_s3_bucket.data[0].id")
    assert isinstance(result, Reference)
    assert (result.target, result.attribute) == ("aws_s3_bucket.data", "id")


def test_conditionals_pick_the_branch_when_the_condition_is_known() -> None:
    assert value_of("var.on ? 1 : 0", {"on": True}) == 1


def test_conditionals_with_unknown_condition_but_equal_branches_are_known() -> None:
    assert value_of('var.on ? "AES256" : "AES256"', {"on": Unknown("no value")}) == "AES256"


def test_try_falls_back_when_a_key_is_missing_from_a_known_map() -> None:
    assert value_of('try(var.cfg["rule"], [])', {"cfg": {}}) == []


def test_try_stays_unknown_when_its_first_argument_is_unknown() -> None:
    assert isinstance(value_of('try(var.cfg["rule"], [])', {"cfg": Unknown("no value")}), Unknown)


def test_lookup_uses_its_default() -> None:
    assert value_of('lookup({a = 1}, "b", 7)') == 7


def test_arithmetic_and_comparison() -> None:
    assert value_of("1 + 2 * 3 == 7 && !false") is True


def test_for_expressions_over_known_lists() -> None:
    assert value_of("[for s in var.l : upper(s) if s != \"b\"]", {"l": ["a", "b"]}) == ["A"]


def test_unevaluated_functions_are_unknown() -> None:
    assert isinstance(value_of('file("x.json")'), Unknown)


def test_data_sources_are_unknown() -> None:
    assert isinstance(value_of("data.aws_kms_key.k.arn"), Unknown)


def test_operators_apply_to_whole_traversals() -> None:
    assert value_of("var.a && var.b", {"a": False, "b": True}) is False
    assert value_of("var.a.n + 1", {"a": {"n": 2}}) == 3
    assert value_of("!var.a", {"a": False}) is True


def test_modules_switched_off_by_a_variable_create_nothing() -> None:
    assert value_of("var.create && var.other ? 1 : 0", {"create": False, "other": True}) == 0


def test_structural_functions_keep_known_parts_beside_unknown_items() -> None:
    result = value_of("flatten([var.rules])", {"rules": [{"kms": Unknown("after apply")}]})
    assert isinstance(result, list) and isinstance(result[0]["kms"], Unknown)


def test_functions_that_read_contents_are_unknown_when_an_item_is() -> None:
    assert isinstance(value_of('join(",", var.l)', {"l": ["a", Unknown("?")]}), Unknown)
