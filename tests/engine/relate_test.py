from __future__ import annotations

from checker.engine.relate import RelationIndex
from checker.model import Resource, SourceLocation


def resource(rtype: str, name: str, attrs: dict[str, object], path: str) -> Resource:
    return Resource("x", rtype, name, f"{rtype}.{name}", attrs, SourceLocation(path, 1), scope=path)


DETECTION = resource("vendor_detection", "stripe", {"vendor": "stripe"}, "package.json")
ENTRY = resource("subprocessor", "stripe", {"id": "stripe", "name": "Stripe"}, "subprocessors.yaml")


def test_relations_stay_within_one_scope_by_default() -> None:
    index = RelationIndex([DETECTION, ENTRY])
    assert index.outbound(DETECTION, ["subprocessor"], "vendor") == []


def test_relations_within_the_scan_reach_resources_of_other_files() -> None:
    index = RelationIndex([DETECTION, ENTRY])
    assert index.outbound(DETECTION, ["subprocessor"], "vendor", within="scan") == [ENTRY]
    found, maybe = index.inbound(ENTRY, ["vendor_detection"], "vendor", within="scan")
    assert (found, maybe) == ([DETECTION], [])


def test_a_scan_wide_relation_still_needs_the_value_to_match() -> None:
    other = resource("subprocessor", "openai", {"id": "openai"}, "subprocessors.yaml")
    index = RelationIndex([DETECTION, other])
    assert index.outbound(DETECTION, ["subprocessor"], "vendor", within="scan") == []
