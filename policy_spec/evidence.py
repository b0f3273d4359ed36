"""The evidence a scan produces: the JSON contract that CI tools and auditors read."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policy_spec.rule import Severity

ResultStatus = Literal["pass", "fail", "error", "waived"]
CommitmentStatus = Literal["satisfied", "violated", "not-evidenced", "waived", "attested"]


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Location(_Strict):
    path: str = Field(description="Relative to the scanned root, with `/` separators.")
    line: int = Field(ge=1)
    end_line: int | None = None


class ResourceRef(_Strict):
    type: str
    name: str
    address: str
    format: str
    location: Location | None = Field(default=None, description="The resource's own block, first to last line.")
    module_call: Location | None = Field(
        default=None, description="For a resource of a module instance: the `module` block that created it."
    )


class Exemption(_Strict):
    kind: Literal["suppression", "waiver", "baseline"]
    reason: str
    owner: str | None = None
    expires: str | None = Field(default=None, description="ISO date after which the exemption stops applying.")
    source: Location | None = Field(default=None, description="Where the exemption is written.")


class Result(_Strict):
    rule: str
    commitment: str
    status: ResultStatus
    severity: Severity
    message: str
    resource: ResourceRef | None = None
    location: Location | None = None
    attribute: str | None = Field(default=None, description="The attribute path the verdict rests on.")
    observed: Any = None
    expected: Any = None
    basis: Literal["declared", "platform-default", "absent"] | None = Field(
        default=None,
        description="`declared`: the manifest states the value; `platform-default`: the verdict rests on what "
        "the provider does when nothing is said; `absent`: the attribute is missing.",
    )
    error_kind: Literal["parse", "unresolved", "io", "evaluation"] | None = None
    note: str | None = Field(default=None, description="Context an auditor needs, such as a platform default.")
    exemption: Exemption | None = Field(default=None, description="Why a `waived` result does not count.")



class Tool(_Strict):
    name: Literal["policyproof"] = "policyproof"
    version: str
    rules_version: str = Field(description="Digest of the rule files in force, so evidence names its rules.")


class PolicyRef(_Strict):
    id: str
    title: str
    version: str


class InputFile(_Strict):
    path: str
    sha256: str
    format: str


class Counts(_Strict):
    passed: int = Field(default=0, alias="pass")
    failed: int = Field(default=0, alias="fail")
    error: int = 0
    waived: int = 0

    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)


class CommitmentResult(_Strict):
    id: str
    title: str
    section: str
    quote: str
    status: CommitmentStatus
    counts: Counts
    rules: list[str]


AttestationState = Literal["valid", "expiring", "expired", "not-yet-valid"]


class EvidenceRef(_Strict):
    ref: str = Field(description="A link, or a file path relative to the configuration.")
    sha256: str | None = Field(default=None, description="For a file: its digest when the record was read.")


class AttestationRecord(_Strict):
    commitment: str
    by: str
    date: dt.date
    statement: str
    evidence: list[EvidenceRef]
    expires: dt.date
    state: AttestationState = Field(
        description="`valid`; `expiring` (valid, but ends within the warning window); `expired`; "
        "`not-yet-valid` (dated after the day of the scan)."
    )
    source: str = Field(description="The attestation file it was read from.")


class Report(_Strict):
    schema_version: Literal["1"] = "1"
    tool: Tool
    policy: PolicyRef
    root: str = Field(description="The scanned root, as given on the command line.")
    inputs: list[InputFile]
    results: list[Result]
    commitments: list[CommitmentResult]
    notes: list[str] = Field(default_factory=list, description="Files skipped on purpose, with the reason.")
    warnings: list[str] = Field(
        default_factory=list, description="Things to act on soon that do not fail the gate, e.g. waivers near expiry."
    )
    attestations: list[AttestationRecord] = Field(
        default_factory=list, description="Signed-off records for commitments, as judged on the day of the scan."
    )
