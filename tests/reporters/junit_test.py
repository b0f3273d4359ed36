from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.reporters import junit
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def _suites(report: Report, options: RenderOptions) -> dict[str, ET.Element]:
    root = ET.fromstring(junit.render(report, options))
    return {suite.get("name", ""): suite for suite in root.iter("testsuite")}


def test_a_suite_per_commitment_and_one_for_unreadable_inputs(report: Report, options: RenderOptions) -> None:
    assert list(_suites(report, options)) == ["encryption-at-rest", "backups", "security-audits", "(input)"]


def test_a_failure_carries_the_message_and_path_line(report: Report, options: RenderOptions) -> None:
    suite = _suites(report, options)["encryption-at-rest"]
    (failure,) = suite.iter("failure")
    assert failure.get("message", "").startswith("<script>") and failure.get("type") == "high"
    assert (failure.text or "").splitlines()[0] == "infra/s3.tf:12"
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("skipped") == "1"


def test_an_unreadable_file_is_an_error(report: Report, options: RenderOptions) -> None:
    (error,) = _suites(report, options)["(input)"].iter("error")
    assert error.get("type") == "parse" and error.get("message") == "invalid syntax"


def test_a_waived_result_is_skipped_with_its_reason(report: Report, options: RenderOptions) -> None:
    (skipped,) = _suites(report, options)["encryption-at-rest"].iter("skipped")
    assert skipped.get("message") == "waived: migrating in Q2"


def test_an_expired_attestation_is_a_failure(report: Report, options: RenderOptions) -> None:
    record = report.attestations[0].model_copy(update={"state": "expired"})
    suite = _suites(report.model_copy(update={"attestations": [record]}), options)["security-audits"]
    (failure,) = suite.iter("failure")
    assert failure.get("message") == "attestation expired on 2026-01-15"


def test_characters_xml_cannot_hold_are_replaced(report: Report, options: RenderOptions) -> None:
    bad = report.results[0].model_copy(update={"message": "nul\x00 here"})
    rendered = junit.render(report.model_copy(update={"results": [bad]}), options)
    assert ET.fromstring(rendered).find(".//failure").get("message") == "nul\ufffd here"  # type: ignore[union-attr]
