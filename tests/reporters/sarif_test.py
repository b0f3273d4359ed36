from __future__ import annotations

import json

import jsonschema

from checker.reporters import sarif
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Location, Report


def test_demo_scan_validates_against_the_sarif_schema(demo_scan: tuple[Report, RenderOptions],
                                                      sarif_validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.render(*demo_scan))
    errors = [e.message for e in sarif_validator.iter_errors(document)]
    assert errors == [] and document["runs"][0]["results"]


def test_the_schema_check_catches_a_broken_document(report: Report, options: RenderOptions,
                                                    sarif_validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.render(report, options))
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(document)


def test_only_fail_error_and_waived_results_are_reported(report: Report, options: RenderOptions) -> None:
    results = json.loads(sarif.render(report, options))["runs"][0]["results"]
    assert sorted(r["properties"]["status"] for r in results) == ["error", "fail", "waived"]


def test_rules_carry_docs_commitment_and_github_security_severity(report: Report, options: RenderOptions) -> None:
    driver = json.loads(sarif.render(report, options))["runs"][0]["tool"]["driver"]
    rule = next(r for r in driver["rules"] if r["id"] == "PP-ENC-001")
    assert rule["shortDescription"]["text"] == "PP-ENC-001 keeps its promise"
    assert rule["fullDescription"]["text"] == "What PP-ENC-001 checks."
    assert "Why PP-ENC-001 matters." in rule["help"]["markdown"] and "How to fix PP-ENC-001." in rule["help"]["text"]
    assert rule["properties"]["commitment"] == "encryption-at-rest"
    assert rule["properties"]["security-severity"] == "8.0"
    assert driver["semanticVersion"] == "0.1.0" and driver["informationUri"].startswith("https://")


def test_every_result_points_at_its_rule_and_a_relative_location(report: Report, options: RenderOptions) -> None:
    run = json.loads(sarif.render(report, options))["runs"][0]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and not artifact["uri"].startswith("/")
    failing = next(r for r in run["results"] if r["properties"]["status"] == "fail")
    assert failing["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert failing["level"] == "error"


def test_fingerprints_survive_a_line_shift(report: Report, options: RenderOptions) -> None:
    before = json.loads(sarif.render(report, options))["runs"][0]["results"]
    failing = report.results[0]
    moved = report.model_copy(update={"results": [failing.model_copy(update={
        "location": Location(path="infra/s3.tf", line=30)})] + report.results[1:]})
    after = json.loads(sarif.render(moved, options))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert len({r["partialFingerprints"]["policyproof/v1"] for r in before}) == len(before)


def test_a_waived_result_is_an_accepted_suppression_with_its_reason(report: Report, options: RenderOptions) -> None:
    results = json.loads(sarif.render(report, options))["runs"][0]["results"]
    waived = next(r for r in results if r["properties"]["status"] == "waived")
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "migrating in Q2",
                                       "properties": {"owner": "ops", "expires": "2025-06-30"}}]


def test_an_unreadable_file_gets_a_rule_of_its_own(report: Report, options: RenderOptions) -> None:
    run = json.loads(sarif.render(report, options))["runs"][0]
    load = next(r for r in run["results"] if r["ruleId"] == "PP-LOAD-000")
    assert run["tool"]["driver"]["rules"][load["ruleIndex"]]["fullDescription"]["text"]
    assert load["message"]["text"].startswith("Could not be evaluated")


def test_one_run_with_an_automation_category(report: Report, options: RenderOptions) -> None:
    document = json.loads(sarif.render(report, options))
    assert document["version"] == "2.1.0" and len(document["runs"]) == 1
    assert document["runs"][0]["automationDetails"]["id"] == "policyproof/acme-privacy/"


def test_one_resource_reported_at_several_lines_keeps_distinct_fingerprints(report: Report,
                                                                           options: RenderOptions) -> None:
    twice = [report.results[0], report.results[0].model_copy(update={"location": Location(path="infra/s3.tf",
                                                                                            line=20)})]
    results = json.loads(sarif.render(report.model_copy(update={"results": twice}), options))["runs"][0]["results"]
    assert results[0]["partialFingerprints"] != results[1]["partialFingerprints"]
