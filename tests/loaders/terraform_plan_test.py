from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.loaders.terraform_plan import load_plan, looks_like_plan
from checker.model import LoadOutcome, Reference, Resource, Unknown

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "loaders" / "terraform_plan"
SPLIT = "plans/s3_split_encryption.plan.json"
CHILD = "plans/child_module.plan.json"
PASSWORD = "S3cr3t-Orders-Pa55"


def _text(name: str) -> str:
    return (FIXTURES / Path(name).name).read_text()


def _load(name: str) -> LoadOutcome:
    outcome = load_plan(_text(name), name)
    assert outcome.errors == []
    return outcome


def _by_address(outcome: LoadOutcome) -> dict[str, Resource]:
    return {resource.address: resource for resource in outcome.resources}


def _plan(resource: dict[str, Any], expressions: dict[str, Any] | None = None,
          change: dict[str, Any] | None = None) -> str:
    resource = {"mode": "managed", "type": "aws_s3_bucket", "name": "b",
                "address": "aws_s3_bucket.b", **resource}
    config = {"mode": "managed", "type": "aws_s3_bucket", "name": "b",
              "expressions": expressions or {}}
    changes = [{"address": "aws_s3_bucket.b", "change": change}] if change else []
    return json.dumps({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [resource]}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": [config]}},
    })


def test_resources_addresses_and_scopes_follow_planned_values_depth_first() -> None:
    outcome = _load(CHILD)
    resources = outcome.resources

    assert [(r.address, r.type, r.name, r.scope) for r in resources] == [
        ("aws_kms_key.logs", "aws_kms_key", "logs", ""),
        ("module.logs.aws_cloudwatch_log_group.app", "aws_cloudwatch_log_group", "app", "module.logs"),
        ("module.logs.aws_s3_bucket.this[0]", "aws_s3_bucket", "this", "module.logs"),
        ("module.logs.aws_s3_bucket_versioning.this[0]", "aws_s3_bucket_versioning", "this",
         "module.logs"),
        ("module.logs.module.alerts.aws_sns_topic.this", "aws_sns_topic", "this",
         "module.logs.module.alerts"),
    ]
    assert {(r.format, r.location.path, r.notes) for r in resources} == {
        ("terraform", CHILD, ("from a Terraform plan",)),
    }
    log_group = _by_address(outcome)["module.logs.aws_cloudwatch_log_group.app"]
    assert log_group.attrs["retention_in_days"] == 365


def test_line_numbers_point_at_the_address_inside_planned_values() -> None:
    for name in (SPLIT, CHILD):
        lines = _text(name).splitlines()
        start = next(i for i, line in enumerate(lines) if '"planned_values"' in line)
        for resource in _load(name).resources:
            expected = next(
                i + 1 for i, line in enumerate(lines)
                if i > start and line.strip() == f'"address": {json.dumps(resource.address)},'
            )
            assert resource.location.line == expected, resource.address


def test_a_single_line_plan_puts_every_resource_on_line_1() -> None:
    text = json.dumps(json.loads(_text(CHILD)))

    resources = load_plan(text, CHILD).resources

    assert len(resources) == 5
    assert {r.location.line for r in resources} == {1}


def test_values_known_only_after_apply_are_unknown() -> None:
    split, child = _by_address(_load(SPLIT)), _by_address(_load(CHILD))
    bucket = split["aws_s3_bucket.b"].attrs
    versioning = child["module.logs.aws_s3_bucket_versioning.this[0]"].attrs

    assert bucket["arn"] == Unknown("known only after apply", "arn")
    assert split["aws_db_instance.orders"].attrs["kms_key_id"] == Unknown(
        "known only after apply", "kms_key_id")
    assert versioning["versioning_configuration"] == [
        {"status": "Enabled", "mfa_delete": Unknown("known only after apply",
                                                   "versioning_configuration.0.mfa_delete")},
    ]
    assert bucket["tags"] == {"data_class": "customer", "environment": "prod"}
    assert split["aws_db_instance.orders"].attrs["storage_encrypted"] is False


def test_configuration_references_to_resources_become_references() -> None:
    split, child = _by_address(_load(SPLIT)), _by_address(_load(CHILD))

    encryption = split["aws_s3_bucket_server_side_encryption_configuration.b"].attrs
    assert encryption["bucket"] == Reference(
        "refers to aws_s3_bucket.b", "aws_s3_bucket.b.id", target="aws_s3_bucket.b", attribute="id")
    versioning = child["module.logs.aws_s3_bucket_versioning.this[0]"].attrs
    assert versioning["bucket"] == Reference(
        "refers to aws_s3_bucket.this", "aws_s3_bucket.this[0].id",
        target="aws_s3_bucket.this", attribute="id")
    log_group = child["module.logs.aws_cloudwatch_log_group.app"].attrs
    assert log_group["kms_key_id"].startswith("arn:aws:kms:")


def test_a_reference_wins_over_a_known_planned_value() -> None:
    text = _plan({"values": {"bucket": "known-name", "acl": "private"}},
                 {"bucket": {"references": ['aws_s3_bucket.src["a"].bucket', "aws_s3_bucket.src"]},
                  "acl": {"references": ["var.acl"]}})

    attrs = load_plan(text, "p.json").resources[0].attrs

    assert attrs == {
        "bucket": Reference("refers to aws_s3_bucket.src", 'aws_s3_bucket.src["a"].bucket',
                            target="aws_s3_bucket.src", attribute="bucket"),
        "acl": "private",
    }


def test_sensitive_values_never_appear() -> None:
    outcome = _load(SPLIT)

    assert PASSWORD in _text(SPLIT)
    assert PASSWORD not in repr(outcome)
    assert PASSWORD not in repr(dataclasses.asdict(outcome))
    assert _by_address(outcome)["aws_db_instance.orders"].attrs["password"] == Unknown(
        "sensitive value", "password")


def test_sensitive_masks_hide_nested_and_oddly_shaped_values() -> None:
    text = _plan(
        {"values": {"a": [{"secret": "s1", "plain": 1}], "b": "s2", "c": {"d": "s3"}},
         "sensitive_values": {"a": [{"secret": True}], "b": {"x": True}}},
        change={"after_unknown": {}, "after_sensitive": {"c": True}},
    )

    attrs = load_plan(text, "p.json").resources[0].attrs

    assert attrs["a"] == [{"secret": Unknown("sensitive value", "a.0.secret"), "plain": 1}]
    assert attrs["b"] == {"x": Unknown("sensitive value", "b.x")}
    assert attrs["c"] == Unknown("sensitive value", "c")


def test_data_sources_are_skipped() -> None:
    addresses = [r.address for r in _load(SPLIT).resources]

    assert addresses == [
        "aws_db_instance.orders",
        "aws_s3_bucket.b",
        "aws_s3_bucket_server_side_encryption_configuration.b",
    ]


def test_invalid_json_gives_a_parse_error_on_its_line() -> None:
    text = '{\n  "format_version": "1.2",\n  "planned_values": {,\n}\n'

    outcome = load_plan(text, "bad.plan.json")

    assert outcome.resources == []
    [error] = outcome.errors
    assert (error.path, error.line, error.kind) == ("bad.plan.json", 3, "parse")
    assert error.message.startswith("invalid JSON: ")


def test_deeply_nested_json_gives_a_parse_error() -> None:
    outcome = load_plan("[" * 100_000 + "]" * 100_000, "deep.json")

    assert [e.message for e in outcome.errors] == ["invalid JSON: nested too deeply to read"]


def test_json_that_is_not_plan_shaped_gives_a_load_error() -> None:
    shapes = [
        {"format_version": "1.2", "planned_values": []},
        {"format_version": "1.2", "planned_values": {"root_module": {"resources": {}}}},
        {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"type": 1}]}}},
        {"format_version": "2.0", "planned_values": {}},
        {"format_version": "1.2", "resource_changes": []},
        ["format_version", "planned_values"],
    ]
    for shape in shapes:
        outcome = load_plan(json.dumps(shape), "x.json")
        assert outcome.resources == [], shape
        assert [e.message.startswith("not a Terraform plan: ") for e in outcome.errors] == [True]


def test_looks_like_plan_accepts_plans_and_rejects_other_json() -> None:
    assert looks_like_plan(_text(SPLIT)) and looks_like_plan(_text(CHILD))
    assert looks_like_plan('{"format_version":"1.2","resource_changes":[]}')
    state = {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {}}}
    for other in (json.dumps(state), '{"planned_values": {}}', '[{"format_version": "1.2",'
                  ' "planned_values": {}}]', '{"resources": []}', "format_version planned_values"):
        assert not looks_like_plan(other), other


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
)


@given(st.text())
def test_load_plan_never_raises_on_arbitrary_text(text: str) -> None:
    load_plan(text, "any.json")
    looks_like_plan(text)


@given(_JSON)
def test_load_plan_never_raises_on_arbitrary_json(value: Any) -> None:
    load_plan(json.dumps(value), "any.json")


_NAME = st.sampled_from(["b", "this", 'x["a.b"]', "module.m"]) | st.text(max_size=5)


@settings(max_examples=300)
@given(
    st.fixed_dictionaries({
        "address": _NAME, "type": _NAME, "name": _NAME,
        "mode": st.sampled_from(["managed", "data"]) | _JSON,
        "values": st.dictionaries(st.text(max_size=3), _JSON, max_size=4) | _JSON,
        "sensitive_values": _JSON,
    }),
    _JSON,
    _JSON,
    st.sampled_from(["", "module.m", 'module.m["k.y"].module.n']) | st.text(max_size=8),
)
def test_load_plan_never_raises_on_plan_shaped_json(
    resource: dict[str, Any], change: Any, expressions: Any, module: str,
) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [
            {"address": module, "resources": [resource]}]}},
        "resource_changes": [{"address": resource["address"], "change": change}],
        "configuration": {"root_module": {"module_calls": {"m": {"module": {"resources": [
            {"type": resource["type"], "name": resource["name"], "expressions": expressions}]}}}}},
    }
    load_plan(json.dumps(plan), "any.json")
    load_plan(json.dumps(plan, indent=1), "any.json")
