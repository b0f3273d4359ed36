from __future__ import annotations

from checker.loaders import subprocessor_register
from checker.sources import SourceFile

TEXT = """home_region: EU
subprocessors:
  - id: twilio
    name: Twilio Inc.
    purpose: SMS
    locations: [IE, US, IN]
    safeguard: scc
    safeguards: {US: dpf}
  - id: hetzner
    name: Hetzner Online GmbH
    purpose: Hosting
    locations: [de]
"""


def load(text: str) -> subprocessor_register.LoadOutcome:
    return subprocessor_register.load([SourceFile("subprocessors.yaml", text.encode())])


def test_each_entry_is_a_resource_with_its_transfers_outside_the_home_region() -> None:
    outcome = load(TEXT)
    twilio, hetzner = outcome.resources
    assert (twilio.address, twilio.location.line) == ("subprocessor.twilio", 3)
    assert twilio.attrs["transfers"] == [{"country": "US", "safeguard": "dpf"}, {"country": "IN", "safeguard": "scc"}]
    assert twilio.location_of(("transfers", 1)).line == 6
    assert hetzner.attrs["locations"] == ["DE"] and hetzner.attrs["transfers"] == []


def test_an_unknown_country_code_is_an_error_at_its_line() -> None:
    outcome = load(TEXT.replace("[de]", "[XX]"))
    assert [(e.line, "ISO 3166" in e.message) for e in outcome.errors] == [(12, True)]


def test_an_unknown_safeguard_is_an_error() -> None:
    outcome = load(TEXT.replace("safeguard: scc", "safeguard: consent"))
    assert outcome.errors and outcome.errors[0].line == 7


def test_a_vendor_listed_twice_is_an_error() -> None:
    outcome = load(TEXT.replace("id: hetzner", "id: twilio"))
    assert outcome.errors and "twice" in outcome.errors[0].message


def test_only_the_default_register_paths_are_claimed() -> None:
    assert subprocessor_register.claims("subprocessors.yaml")
    assert subprocessor_register.claims(".policyproof/subprocessors.yaml")
    assert not subprocessor_register.claims("docs/subprocessors.yaml")
