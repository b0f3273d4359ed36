"""The evidence a scan produces: the JSON contract that CI tools and auditors read."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policy_spec.rule import Severity

ResultStatus = Literal["pass", "fail", "error", "waived"]
CommitmentStatus = Literal["satisfied", "violated", "not-evidenced", "waived", "attested"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Strict):
    path: str = Field(description="Relative to the scanned root, with `/` separators.")
    line: int = Field(ge=1)
    end_line: int | None = None


class ResourceRef(_Strict):
    type: str
    name: str
    address: str
    format: str
    module_call: Location | None = Field(
        default=None, description="For a resource of a module instance: the `module` block that created it."
    )


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

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CommitmentResult(_Strict):
    id: str
    title: str
    section: str
    quote: str
    status: CommitmentStatus
    counts: Counts
    rules: list[str]


class Report(_Strict):
    schema_version: Literal["1"] = "1"
    tool: Tool
    policy: PolicyRef
    root: str = Field(description="The scanned root, as given on the command line.")
    inputs: list[InputFile]
    results: list[Result]
    commitments: list[CommitmentResult]
    notes: list[str] = Field(default_factory=list, description="Files skipped on purpose, with the reason.")
