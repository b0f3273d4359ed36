from __future__ import annotations

import json
import uuid

import jsonschema

from checker.reporters import oscal
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def test_demo_scan_validates_against_the_oscal_schema(demo_scan: tuple[Report, RenderOptions],
                                                      oscal_validator: jsonschema.Draft7Validator) -> None:
    document = json.loads(oscal.render(*demo_scan))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in oscal_validator.iter_errors(document)]
    assert errors == []


def test_sample_with_attestation_and_waiver_validates(report: Report, options: RenderOptions,
                                                      oscal_validator: jsonschema.Draft7Validator) -> None:
    assert list(oscal_validator.iter_errors(json.loads(oscal.render(report, options)))) == []


def test_the_schema_check_catches_a_bad_token(report: Report, options: RenderOptions,
                                              oscal_validator: jsonschema.Draft7Validator) -> None:
    document = json.loads(oscal.render(report, options))
    document["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "not a token"
    assert not oscal_validator.is_valid(document)


def test_same_inputs_give_the_same_document(report: Report, options: RenderOptions) -> None:
    assert oscal.render(report, options) == oscal.render(report.model_copy(deep=True), options)


def test_different_inputs_give_a_different_document_uuid(report: Report, options: RenderOptions) -> None:
    changed = report.model_copy(update={"inputs": report.inputs[:1]})
    first = json.loads(oscal.render(report, options))["assessment-results"]["uuid"]
    second = json.loads(oscal.render(changed, options))["assessment-results"]["uuid"]
    assert first != second and uuid.UUID(first).version == 5


def test_a_finding_per_commitment_with_its_verdict(report: Report, options: RenderOptions) -> None:
    findings = json.loads(oscal.render(report, options))["assessment-results"]["results"][0]["findings"]
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in findings}
    assert states == {"encryption-at-rest": "not-satisfied", "backups": "satisfied", "security-audits": "satisfied"}


def test_every_related_observation_exists(report: Report, options: RenderOptions) -> None:
    result = json.loads(oscal.render(report, options))["assessment-results"]["results"][0]
    observed = {o["uuid"] for o in result["observations"]}
    related = {r["observation-uuid"] for f in result["findings"] for r in f.get("related-observations", [])}
    assert related and related <= observed and len(observed) == len(result["observations"])


def test_inputs_are_back_matter_with_their_sha256(report: Report, options: RenderOptions) -> None:
    resources = json.loads(oscal.render(report, options))["assessment-results"]["back-matter"]["resources"]
    hashes = {r["title"]: r["rlinks"][0]["hashes"][0]["value"] for r in resources if "rlinks" in r}
    assert hashes == {"infra/s3.tf": "a" * 64, "broken.tf": "b" * 64}
