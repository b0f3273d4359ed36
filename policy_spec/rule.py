"""The rule language: the one place that says what a rule file may contain.

A rule is data, never code. Conditions use one canonical vocabulary of
operators with no synonyms, so that a reader of any rule file knows every word
in it, and a typo is an error rather than a silently different operator.
"""

from functools import cached_property
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from policy_spec.regex import compile_pattern

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")

RULE_ID = r"^[A-Z][A-Z0-9]{1,9}-[A-Z]{2,6}-[0-9]{3}$"
"""`PP-ENC-001` for bundled rules; a company's own rules use their own prefix, e.g. `ACME-ENC-001`."""
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

OPERATORS: tuple[str, ...] = (
    "equals",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
    "regex",
    "contains",
    "tls_at_least",
    "base64_bytes",
    "any_item",
    "all_items",
)
"""Every comparison a test may make; each is documented in docs/rule-language.md."""

RESOURCE_FIELDS = ("name", "type", "address", "path")


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)


class Test(_Strict):
    """One comparison on one attribute path (or on the resource's own name, type or path)."""

    attr: str | None = Field(
        default=None,
        description="Dotted attribute path, e.g. `viewer_certificate.minimum_protocol_version`. "
        "A step through a list of blocks applies the rest of the path to each block.",
    )
    resource: Literal["name", "type", "address", "path"] | None = Field(
        default=None, description="Compare a property of the resource itself instead of an attribute."
    )
    default: Any = Field(
        default=None,
        description="The value the platform assumes when the attribute is absent (documented provider default).",
    )
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    not_in: list[Any] | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    exists: bool | None = None
    regex: str | None = None
    contains: Any = None
    tls_at_least: str | None = Field(
        default=None, description='Lowest acceptable protocol version, e.g. "1.2"; vendor spellings are understood.'
    )
    base64_bytes: int | None = Field(
        default=None, ge=1,
        description="Holds when the value is base64 that decodes to exactly this many bytes (32 for an AES-256 key). "
        "The value is never shown in evidence.",
    )
    any_item: "Condition | None" = Field(default=None, description="Holds when some item of the list satisfies it.")
    all_items: "Condition | None" = Field(default=None, description="Holds when every item of the list satisfies it.")

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        unknown = [str(key) for key in data if key not in _TEST_KEYS]
        if unknown:
            raise ValueError(f"unknown key `{unknown[0]}` in a test (operators: {', '.join(OPERATORS)})")
        ops = [key for key in data if key in OPERATORS]
        if len(ops) != 1:
            found = ", ".join(ops) if ops else "none"
            raise ValueError(f"a test needs exactly one operator of {', '.join(OPERATORS)} (found: {found})")
        subjects = [key for key in ("attr", "resource") if key in data]
        if len(subjects) != 1:
            raise ValueError("a test needs exactly one of `attr` or `resource`")
        return data

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)
        return value

    @field_validator("tls_at_least")
    @classmethod
    def _tls_known(cls, value: str | None) -> str | None:
        if value is not None:
            from checker.engine.tls import parse_required

            parse_required(value)
        return value

    @cached_property
    def operator(self) -> str:
        return next(op for op in OPERATORS if getattr(self, "in_" if op == "in" else op) is not None)

    @property
    def operand(self) -> Any:
        return getattr(self, "in_" if self.operator == "in" else self.operator)


class Relation(_Strict):
    types: list[str] = Field(min_length=1, description="Resource types of the related resources.")
    via: str = Field(description="Attribute path that holds the reference between the two resources.")
    direction: Literal["inbound", "outbound"] = Field(
        default="inbound",
        description="`inbound`: the related resource's `via` points at this one (an S3 encryption "
        "configuration naming its bucket); `outbound`: this resource's `via` points at the related one.",
    )
    where: "Condition | None" = Field(
        default=None, description="Holds when some related resource satisfies it; absent: any related resource."
    )
    within: Literal["scope", "scan"] = Field(
        default="scope",
        description="`scope`: only resources of the same scope (a Terraform module instance, a file) are related; "
        "`scan`: any resource of the scan, for records kept in another file (a detected vendor and its entry in "
        "the subprocessor register).",
    )


class Related(_Strict):
    related: Relation


class All(_Strict):
    all: "list[Condition]" = Field(min_length=1)


class AnyOf(_Strict):
    any: "list[Condition]" = Field(min_length=1)


class Not(_Strict):
    not_: "Condition" = Field(alias="not")


def _condition_kind(data: Any) -> str | None:
    if isinstance(data, dict):
        for key in ("all", "any", "not", "related"):
            if key in data:
                return key
        return "test"
    if isinstance(data, BaseModel):
        return {All: "all", AnyOf: "any", Not: "not", Related: "related"}.get(type(data), "test")
    return None


Condition = Annotated[
    Union[
        Annotated[All, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[Related, Tag("related")],
        Annotated[Test, Tag("test")],
    ],
    Discriminator(_condition_kind, custom_error_type="condition", custom_error_message="a condition must be a mapping"),
]


class Selector(_Strict):
    format: str = Field(description="Loader format the rule reads, e.g. `terraform`.")
    types: list[str] = Field(min_length=1, description="Resource types the rule applies to.")
    where: Condition | None = Field(default=None, description="Only resources satisfying this are checked.")
    scope: Literal["personal-data"] | None = Field(
        default=None, description="Only resources the configuration classifies as holding personal data."
    )


class PlatformDefault(_Strict):
    note: str = Field(description="What the platform does when the manifest says nothing, and since when.")
    when: Condition | None = Field(
        default=None,
        description="The default applies only to resources satisfying this, typically that the attribute is not "
        "set: an explicit opt-out (`sqs_managed_sse_enabled = false`) is never excused by a default.",
    )
    always: bool = Field(
        default=False,
        description="The platform has applied it to every such resource, old and new, and it cannot be turned "
        "off (Google Cloud Storage encryption), unlike a default introduced later (S3 since 2023).",
    )


class Docs(_Strict):
    what: str = Field(min_length=1)
    why: str = Field(min_length=1)
    fix: str = Field(min_length=1)
    references: list[str] = Field(default_factory=list)


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID, description="Stable code, never reused.")
    name: str = Field(pattern=SLUG, description="Slug naming the problem, e.g. `unencrypted-s3-bucket`.")
    aliases: list[str] = Field(default_factory=list)
    title: str = Field(min_length=1, description="What a passing resource does.")
    message: str = Field(min_length=1, description="What is wrong when the rule fails.")
    commitment: str = Field(pattern=SLUG)
    severity: Severity
    select: Selector
    condition: Condition
    platform_default: PlatformDefault | None = None
    docs: Docs


_TEST_KEYS = {"attr", "resource", "default", *OPERATORS}
