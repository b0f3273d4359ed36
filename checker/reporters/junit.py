"""JUnit XML for CI test tabs: a suite per commitment, a case per rule and resource.

A failing result is a ``<failure>``, one that could not be evaluated an
``<error>``, a waived one ``<skipped>``. An attestation is a case of its own, so
a lapsed sign-off shows up as red as a failing resource does. The XML is built
with ``xml.etree`` so every scanned value is escaped by the serializer.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from checker.reporters.common import LOAD_COMMITMENT, address, shown, where
from checker.reporters.options import RenderOptions
from policy_spec.evidence import AttestationRecord, Report, Result

_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold even escaped; a scanned file may contain them."""


def render(report: Report, options: RenderOptions) -> str:
    by_commitment: dict[str, list[Result]] = defaultdict(list)
    for result in report.results:
        by_commitment[result.commitment].append(result)
    attested: dict[str, list[AttestationRecord]] = defaultdict(list)
    for record in report.attestations:
        attested[record.commitment].append(record)
    root = ET.Element("testsuites", name=f"policyproof {report.policy.id} {report.policy.version}")
    ids = [c.id for c in report.commitments] + ([LOAD_COMMITMENT] if by_commitment.get(LOAD_COMMITMENT) else [])
    for commitment in ids:
        suite = ET.SubElement(root, "testsuite", name=commitment)
        for result in by_commitment.get(commitment, []):
            _case(suite, result)
        for record in attested.get(commitment, []):
            _attestation_case(suite, record)
        _tally(suite)
    _tally(root)
    _scrub(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _case(suite: ET.Element, result: Result) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"{result.commitment}.{result.rule}",
                         name=f"{result.rule} {address(result) or where(result)}")
    if result.location is not None:
        case.set("file", result.location.path)
        case.set("line", str(result.location.line))
    if result.status == "fail":
        ET.SubElement(case, "failure", message=result.message, type=result.severity).text = _details(result)
    elif result.status == "error":
        ET.SubElement(case, "error", message=result.message, type=result.error_kind or "error").text = _details(result)
    elif result.status == "waived":
        reason = result.exemption.reason if result.exemption else "waived"
        ET.SubElement(case, "skipped", message=f"waived: {reason}")


def _details(result: Result) -> str:
    lines = [where(result)]
    if result.resource:
        lines.append(f"resource: {result.resource.address}")
    if result.attribute:
        lines.append(f"attribute: {result.attribute}")
    if result.observed is not None:
        lines.append(f"observed: {shown(result.observed)}")
    if result.expected is not None:
        lines.append(f"expected: {shown(result.expected)}")
    if result.note:
        lines.append(f"note: {result.note}")
    return "\n".join(lines)


def _attestation_case(suite: ET.Element, record: AttestationRecord) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"{record.commitment}.attestation",
                         name=f"attestation by {record.by} ({record.date})", file=record.source)
    if record.state == "expired":
        ET.SubElement(case, "failure", message=f"attestation expired on {record.expires}",
                      type="expired").text = record.statement
    elif record.state == "not-yet-valid":
        ET.SubElement(case, "skipped", message=f"attestation dated {record.date}, after the day of the scan")


def _tally(element: ET.Element) -> None:
    cases = list(element.iter("testcase"))
    element.set("tests", str(len(cases)))
    for tag, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        element.set(attribute, str(sum(case.find(tag) is not None for case in cases)))


def _scrub(root: ET.Element) -> None:
    for element in root.iter():
        element.attrib = {k: _NOT_XML.sub("\ufffd", v) for k, v in element.attrib.items()}
        if element.text:
            element.text = _NOT_XML.sub("\ufffd", element.text)
