from __future__ import annotations

import pytest

from checker.loaders import terraform
from checker.model import LoadOutcome, Resource, Unknown
from checker.sources import SourceFile


def load(files: dict[str, str]) -> LoadOutcome:
    return terraform.load([SourceFile(path, text.encode()) for path, text in files.items()])


def only(outcome: LoadOutcome, address: str) -> Resource:
    found = [r for r in outcome.resources if r.address == address]
    assert len(found) == 1, [r.address for r in outcome.resources]
    return found[0]


def test_resources_carry_type_name_address_and_block_lines() -> None:
    outcome = load({"infra/s3.tf": '\nresource "aws_s3_bucket" "data" {\n  bucket = "acme"\n}\n'})
    bucket = only(outcome, "aws_s3_bucket.data")
    assert (bucket.type, bucket.name, bucket.location.path, bucket.location.line, bucket.location.end_line) == (
        "aws_s3_bucket", "data", "infra/s3.tf", 2, 4)
    assert bucket.attrs == {"bucket": "acme"}


def test_nested_blocks_are_always_lists_of_mappings() -> None:
    outcome = load({"m.tf": 'resource "a" "b" {\n  versioning {\n    enabled = true\n  }\n}\n'})
    assert only(outcome, "a.b").attrs["versioning"] == [{"enabled": True}]


def test_each_attribute_value_has_its_own_line() -> None:
    outcome = load({"m.tf": 'resource "a" "b" {\n  x {\n\n    y = 1\n  }\n}\n'})
    assert only(outcome, "a.b").location_of(("x", 0, "y")).line == 4


def test_variable_defaults_are_resolved_and_located_at_the_default() -> None:
    outcome = load({
        "variables.tf": 'variable "days" {\n  default = 30\n}\n',
        "main.tf": 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.days\n}\n',
    })
    group = only(outcome, "aws_cloudwatch_log_group.g")
    assert group.attrs["retention_in_days"] == 30
    assert (group.location_of(("retention_in_days",)).path, group.location_of(("retention_in_days",)).line) == (
        "variables.tf", 2)


def test_terraform_tfvars_override_defaults() -> None:
    outcome = load({
        "variables.tf": 'variable "days" {\n  default = 30\n}\n',
        "terraform.tfvars": "days = 365\n",
        "main.tf": 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.days\n}\n',
    })
    group = only(outcome, "aws_cloudwatch_log_group.g")
    assert group.attrs["retention_in_days"] == 365
    assert group.location_of(("retention_in_days",)).path == "terraform.tfvars"


def test_a_variable_without_any_value_is_unknown() -> None:
    outcome = load({"main.tf": 'variable "days" {}\nresource "a" "b" {\n  x = var.days\n}\n'})
    value = only(outcome, "a.b").attrs["x"]
    assert isinstance(value, Unknown) and "no default" in value.reason


def test_resources_with_count_zero_are_not_created() -> None:
    outcome = load({"main.tf": 'resource "a" "b" {\n  count = 0\n}\nresource "a" "c" {\n  count = 1\n}\n'})
    assert [r.address for r in outcome.resources] == ["a.c"]


def test_for_each_over_a_known_map_gives_one_resource_per_key() -> None:
    outcome = load({"main.tf": 'resource "a" "b" {\n  for_each = { x = 1, y = 2 }\n  v = each.value\n}\n'})
    assert [(r.address, r.attrs["v"]) for r in outcome.resources] == [('a.b["x"]', 1), ('a.b["y"]', 2)]


def test_dynamic_blocks_over_known_values_expand() -> None:
    src = ('resource "a" "b" {\n  dynamic "rule" {\n    for_each = [1, 2]\n    content {\n'
           '      n = rule.value\n    }\n  }\n}\n')
    assert only(load({"main.tf": src}), "a.b").attrs["rule"] == [{"n": 1}, {"n": 2}]


def test_dynamic_blocks_over_unknown_values_are_unknown_blocks() -> None:
    src = ('variable "r" {}\nresource "a" "b" {\n  dynamic "rule" {\n    for_each = var.r\n    content {\n'
           '      n = rule.value\n    }\n  }\n}\n')
    (block,) = only(load({"main.tf": src}), "a.b").attrs["rule"]
    assert isinstance(block, Unknown)


def test_local_modules_are_instantiated_with_the_callers_arguments_and_lines() -> None:
    outcome = load({
        "modules/logs/main.tf": ('variable "days" {\n  default = 30\n}\n'
                                 'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.days\n}\n'),
        "envs/prod/main.tf": 'module "logs" {\n  source = "../../modules/logs"\n\n  days = 365\n}\n',
    })
    instance = only(outcome, "module.logs.aws_cloudwatch_log_group.g")
    assert instance.attrs["retention_in_days"] == 365
    where = instance.location_of(("retention_in_days",))
    assert (where.path, where.line) == ("envs/prod/main.tf", 4)
    assert only(outcome, "aws_cloudwatch_log_group.g").attrs["retention_in_days"] == 30


def test_module_cycles_do_not_recurse_forever() -> None:
    outcome = load({
        "a/main.tf": 'module "b" {\n  source = "../b"\n}\nresource "x" "a" {}\n',
        "b/main.tf": 'module "a" {\n  source = "../a"\n}\nresource "x" "b" {}\n',
    })
    assert len(outcome.resources) < 10


def test_invalid_hcl_is_an_error_with_file_and_line() -> None:
    outcome = load({"bad.tf": 'resource "a" "b" {\n  x = 1\n  y = = 2\n}\n', "ok.tf": 'resource "a" "c" {}\n'})
    assert [(e.path, e.line) for e in outcome.errors] == [("bad.tf", 3)]
    assert [r.address for r in outcome.resources] == ["a.c"]


def test_invalid_utf8_is_an_error_not_a_crash() -> None:
    outcome = terraform.load([SourceFile("bin.tf", b'resource "a" "b" {\n x = "\xff"\n}\n')])
    assert outcome.errors and outcome.errors[0].line == 2


def test_a_deployment_resource_switched_off_by_an_input_is_still_checked_and_noted() -> None:
    outcome = load({
        "main.tf": 'variable "redis" {\n  default = false\n}\nresource "r" "cache" {\n  count = var.redis ? 1 : 0\n}\n',
    })
    assert "input variable switches it on" in only(outcome, "r.cache").notes[0]


def test_a_module_instance_switched_off_by_its_caller_is_not_checked() -> None:
    outcome = load({
        "mod/main.tf": 'variable "create" {\n  default = true\n}\nresource "r" "x" {\n  count = var.create ? 1 : 0\n}\n',
        "main.tf": 'module "off" {\n  source = "./mod"\n  create = false\n}\n',
    })
    assert [r.address for r in outcome.resources] == ["r.x"]


def test_optional_object_attributes_take_their_declared_defaults() -> None:
    outcome = load({"main.tf": (
        'variable "cert" {\n  type = object({\n    arn = optional(string)\n'
        '    min = optional(string, "TLSv1.2_2021")\n  })\n  default = {}\n}\n'
        'resource "a" "b" {\n  min = var.cert.min\n  arn = var.cert.arn\n}\n')})
    assert only(outcome, "a.b").attrs == {"min": "TLSv1.2_2021", "arn": None}


def test_values_unpacked_from_a_callers_map_point_at_the_callers_line() -> None:
    outcome = load({
        "mod/main.tf": ('variable "origin" {\n  type = map(object({ protocols = optional(list(string)) }))\n}\n'
                        'resource "cdn" "d" {\n  dynamic "origin" {\n    for_each = var.origin\n    content {\n'
                        '      protocols = origin.value.protocols\n    }\n  }\n}\n'),
        "main.tf": ('module "cdn" {\n  source = "./mod"\n  origin = {\n    app = {\n'
                    '      protocols = ["TLSv1", "TLSv1.2"]\n    }\n  }\n}\n'),
    })
    instance = only(outcome, "module.cdn.cdn.d")
    assert instance.attrs["origin"] == [{"protocols": ["TLSv1", "TLSv1.2"]}]
    where = instance.location_of(("origin", 0, "protocols"))
    assert (where.path, where.line) == ("main.tf", 5)


def test_terraform_tfvars_is_read_before_auto_tfvars() -> None:
    outcome = load({
        "variables.tf": 'variable "days" {}\n',
        "a.auto.tfvars": "days = 7\n",
        "terraform.tfvars": "days = 365\n",
        "main.tf": 'resource "g" "g" {\n  days = var.days\n}\n',
    })
    assert only(outcome, "g.g").attrs["days"] == 7


def test_each_other_tfvars_file_is_checked_as_a_deployment_of_its_own() -> None:
    outcome = load({
        "variables.tf": 'variable "days" {}\n',
        "prod.tfvars": "days = 365\n",
        "dev.tfvars": "\ndays = 7\n",
        "main.tf": 'resource "g" "g" {\n  days = var.days\n}\n',
    })
    found = sorted((r.attrs["days"], r.location_of(("days",)).path, r.notes[-1]) for r in outcome.resources)
    assert found == [(7, "dev.tfvars", "with the values of dev.tfvars"), (365, "prod.tfvars", "with the values of prod.tfvars")]


def test_terraform_json_files_are_noted_as_not_checked_rather_than_ignored() -> None:
    outcome = load({"main.tf.json": '{"resource": {}}'})
    assert [n.path for n in outcome.notes] == ["main.tf.json"] and outcome.errors == []


def test_a_file_parsed_ahead_loads_as_it_would_have(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terraform, "_AHEAD", {})
    text = b'variable "name" {\n  default = "logs"\n}\nresource "aws_s3_bucket" "b" {\n  bucket = var.name\n}\n'
    fresh = terraform.load([SourceFile("main.tf", text)])
    ahead = SourceFile("main.tf", text)
    terraform.parse_ahead(ahead)
    assert terraform.parsed_ahead(ahead)

    assert terraform.load([ahead]) == fresh
    assert not terraform.parsed_ahead(ahead), "a parse made ahead is used once"


def test_a_file_changed_since_it_was_parsed_ahead_is_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terraform, "_AHEAD", {})
    terraform.parse_ahead(SourceFile("main.tf", b'resource "aws_s3_bucket" "old" {\n  bucket = "old"\n}\n'))
    now = SourceFile("main.tf", b'resource "aws_s3_bucket" "new" {\n  bucket = "new"\n}\n')

    assert [r.name for r in terraform.load([now]).resources] == ["new"]
