from __future__ import annotations

from typing import Any

import yaml
from pydantic import TypeAdapter

from checker.engine.conditions import Context, Subject, Verdict, evaluate
from checker.engine.relate import RelationIndex
from checker.model import Reference, Resource, SourceLocation, Unknown
from policy_spec.rule import Condition

CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)


def resource(attrs: dict[str, Any], rtype: str = "aws_s3_bucket", name: str = "b", line: int = 1) -> Resource:
    return Resource("terraform", rtype, name, f"{rtype}.{name}", attrs, SourceLocation("main.tf", line))


def check(condition_yaml: str, subject: Resource, *others: Resource) -> Verdict:
    condition = CONDITION.validate_python(yaml.safe_load(condition_yaml))
    context = Context(RelationIndex([subject, *others]))
    return evaluate(condition, Subject(subject, subject.attrs), context)


def test_a_test_on_a_set_attribute_holds_or_not() -> None:
    assert check("{attr: storage_encrypted, equals: true}", resource({"storage_encrypted": True})).state is True
    assert check("{attr: storage_encrypted, equals: true}", resource({"storage_encrypted": False})).state is False


def test_a_test_on_an_absent_attribute_does_not_hold() -> None:
    verdict = check("{attr: storage_encrypted, equals: true}", resource({}))
    assert (verdict.state, verdict.basis) == (False, "absent")


def test_a_default_stands_in_for_an_absent_attribute_and_says_so() -> None:
    verdict = check("{attr: backup_retention_period, gte: 1, default: 1}", resource({}))
    assert (verdict.state, verdict.basis) == (True, "platform-default")


def test_exists_false_holds_on_absent_and_null() -> None:
    assert check("{attr: x, exists: false}", resource({"x": None})).state is True


def test_an_unknown_value_is_undetermined_never_a_pass() -> None:
    verdict = check("{attr: x, equals: true}", resource({"x": Unknown("variable `x` has no default")}))
    assert verdict.state is None and "no default" in verdict.reason


def test_a_reference_counts_as_set() -> None:
    assert check("{attr: kms_key_id, exists: true}", resource({"kms_key_id": Reference("r", target="aws_kms_key.k")})).state


def test_all_fails_on_any_failure_even_beside_unknowns() -> None:
    subject = resource({"a": Unknown("?"), "b": False})
    assert check("{all: [{attr: a, equals: true}, {attr: b, equals: true}]}", subject).state is False


def test_any_holds_on_any_success_even_beside_unknowns() -> None:
    subject = resource({"a": Unknown("?"), "b": True})
    assert check("{any: [{attr: a, equals: true}, {attr: b, equals: true}]}", subject).state is True


def test_not_keeps_unknown_unknown() -> None:
    assert check("{not: {attr: a, equals: true}}", resource({"a": Unknown("?")})).state is None


def test_paths_through_block_lists_must_hold_for_every_block() -> None:
    subject = resource({"rule": [{"days": 30}, {"days": 365}]})
    verdict = check("{attr: rule.days, lte: 90}", subject)
    assert (verdict.state, verdict.attribute, verdict.observed) == (False, "rule.1.days", 365)


def test_any_item_holds_when_some_block_qualifies() -> None:
    subject = resource({"rule": [{"status": "Disabled", "days": 30}, {"status": "Enabled", "days": 30}]})
    assert check("{attr: rule, any_item: {all: [{attr: status, equals: Enabled}, {attr: days, lte: 90}]}}", subject).state


def test_all_items_holds_on_an_absent_list() -> None:
    assert check("{attr: ordered_cache_behavior, all_items: {attr: p, equals: x}}", resource({})).state is True


def test_a_failing_value_points_at_its_own_line() -> None:
    subject = Resource("terraform", "a", "b", "a.b", {"x": [{"y": 5}]}, SourceLocation("main.tf", 1),
                       value_locations={("x", 0, "y"): SourceLocation("main.tf", 7)})
    assert check("{attr: x.y, lte: 1}", subject).location == SourceLocation("main.tf", 7)


def test_related_inbound_finds_a_resource_that_references_this_one() -> None:
    bucket = resource({"bucket": "acme"})
    sse = resource({"bucket": Reference("r", target="aws_s3_bucket.b", attribute="id"), "algo": "AES256"},
                   rtype="aws_s3_bucket_server_side_encryption_configuration", name="s")
    condition = "{related: {types: [aws_s3_bucket_server_side_encryption_configuration], via: bucket, where: {attr: algo, equals: AES256}}}"
    assert check(condition, bucket, sse).state is True


def test_related_inbound_also_matches_the_bucket_by_literal_name() -> None:
    bucket = resource({"bucket": "acme"})
    sse = resource({"bucket": "acme"}, rtype="aws_s3_bucket_versioning", name="v")
    assert check("{related: {types: [aws_s3_bucket_versioning], via: bucket}}", bucket, sse).state is True


def test_related_ignores_resources_of_other_scopes() -> None:
    bucket = resource({})
    other = Resource("terraform", "aws_s3_bucket_versioning", "v", "module.x.aws_s3_bucket_versioning.v",
                     {"bucket": Reference("r", target="aws_s3_bucket.b")}, SourceLocation("m.tf", 1), scope="other")
    assert check("{related: {types: [aws_s3_bucket_versioning], via: bucket}}", bucket, other).state is False


def test_related_outbound_follows_this_resources_reference() -> None:
    listener = resource({"load_balancer_arn": Reference("r", target="aws_lb.main")}, rtype="aws_lb_listener", name="l")
    lb = resource({"load_balancer_type": "application"}, rtype="aws_lb", name="main")
    condition = "{related: {types: [aws_lb], via: load_balancer_arn, direction: outbound, where: {attr: load_balancer_type, equals: application}}}"
    assert check(condition, listener, lb).state is True


def test_resource_fields_can_be_tested() -> None:
    assert check("{resource: name, regex: '^b$'}", resource({})).state is True


def test_secrets_never_appear_as_observed_values() -> None:
    verdict = check("{attr: password, equals: x}", resource({"password": "hunter2"}))
    assert verdict.observed == "[redacted]" and "hunter2" not in verdict.reason


def test_a_related_resource_whose_reference_is_unknown_leaves_the_verdict_undetermined() -> None:
    bucket = resource({"bucket": "acme"})
    sse = resource({"bucket": Unknown("condition is not known")}, rtype="aws_s3_bucket_versioning", name="v")
    assert check("{related: {types: [aws_s3_bucket_versioning], via: bucket}}", bucket, sse).state is None


def test_a_bracketed_step_reads_a_key_that_contains_dots() -> None:
    ingress = resource({"metadata": {"annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "false"}}})
    verdict = check("{attr: 'metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]', not_in: [false]}",
                    ingress)
    assert verdict.state is False
    assert verdict.attribute == "metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]"


def test_a_key_tested_for_its_size_is_never_shown_whatever_its_name() -> None:
    key = "AAECAwQFBgcICQoLDA0ODw=="
    verdict = check("{attr: material, base64_bytes: 32}", resource({"material": key}))
    assert verdict.state is False and key not in repr(verdict)


def test_settings_about_secrets_are_not_mistaken_for_secrets() -> None:
    verdict = check("{attr: minimum_password_length, gte: 8}", resource({"minimum_password_length": 6}))
    assert verdict.observed == 6


def test_secret_attributes_under_any_prefix_are_redacted() -> None:
    verdict = check("{attr: master_password, exists: false}", resource({"master_password": "hunter2"}))
    assert verdict.observed == "[redacted]"
