"""Project configuration (`.policyproof.yaml`): what to scan and how to judge it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from policy_spec.regex import compile_pattern
from policy_spec.rule import Severity


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class PersonalData(_Strict):
    """Which resources hold personal data, for rules scoped to it (retention of customer data)."""

    tags: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "data-classification": ["personal", "pii", "customer"],
            "DataClassification": ["personal", "pii", "customer"],
            "data_classification": ["personal", "pii", "customer"],
        },
        description="Tag or label keys and the values that mark personal data (case-insensitive values).",
    )
    name_patterns: list[str] = Field(
        default_factory=lambda: [
            r"(?i)(customer|user|personal|pii|profile|patient|member|contact|subscriber)",
            r"(?i)(backup|velero|snapshot)",
        ],
        description="Regular expressions over a resource's name or address; backups hold copies of personal data.",
    )
    column_patterns: list[str] = Field(
        default_factory=lambda: [
            r"(?i)^(e_?mail(_address)?|phone(_number)?|mobile|full_?name|first_?name|last_?name|"
            r"(billing_|postal_|home_)?address|date_of_birth|birth_?date|dob|ssn|national_id|ip_address|"
            r"passport_number|tax_id)$",
        ],
        description="Regular expressions over a table's column names: a table with such a column holds personal data.",
    )

    @field_validator("name_patterns", "column_patterns")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            compile_pattern(pattern)
        return value


class Formats(_Strict):
    """Which loader reads which file, when detection by name and content is not what you want."""

    force: dict[str, str] = Field(
        default_factory=dict, description="Glob pattern → format, e.g. `{\"deploy/*.yml\": kubernetes}`."
    )
    disable: list[str] = Field(default_factory=list, description="Formats not to read at all.")


class Database(_Strict):
    """Where the SQL migrations are and which schemas clients reach through the API."""

    migrations: list[str] = Field(
        default_factory=list,
        description="Extra glob patterns of migration files read as SQL, beside `supabase/migrations/*.sql` and "
        "any `*.sql` below a folder named `migrations`, e.g. `[\"db/changes/*.sql\"]`.",
    )
    exposed_schemas: list[str] = Field(
        default_factory=lambda: ["public", "graphql_public"],
        description="Schemas the Data API (PostgREST) serves to clients; Supabase's default is `public` and "
        "`graphql_public` (`[api] schemas` in `supabase/config.toml`).",
    )


class Config(_Strict):
    policy: str | None = Field(default=None, description="Path to a policy file; default: the bundled policy.")
    rules: list[str] = Field(default_factory=list, description="Extra rule folders, added to the bundled rules.")
    bundled_rules: bool = Field(default=True, description="Load the rules shipped with policyproof.")
    enable: list[str] = Field(default_factory=list, description="Only these rule ids (empty: all).")
    disable: list[str] = Field(default_factory=list, description="Rule ids to skip.")
    include: list[str] = Field(
        default_factory=list, description="Glob patterns of paths to scan (empty: everything not excluded)."
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns of paths not to scan.")
    fail_on: Severity = Field(default="low", description="Lowest severity of a failure that fails the gate.")
    fail_on_error: bool = Field(default=True, description="Whether an `error` result fails the gate.")
    platform_defaults: Literal["reject", "permanent", "accept"] = Field(
        default="permanent",
        description="Whether a platform's own default counts as a kept promise when the manifest declares "
        "nothing: `permanent` counts only defaults that have always applied and cannot be turned off (Google "
        "and Azure storage encryption); `accept` counts every documented default (also S3 default encryption "
        "since 2023); `reject` requires every promise to be declared.",
    )
    personal_data: PersonalData = Field(default_factory=PersonalData)
    formats: Formats = Field(default_factory=Formats)
    database: Database = Field(default_factory=Database)
    waivers: str | None = Field(default=None, description="Waiver file, relative to the configuration file.")
    max_file_bytes: int = Field(default=5_000_000, ge=1, description="Larger files are an error, not read.")
    nginx_version: str = Field(
        default="1.28.0", pattern=r"^\d+\.\d+(\.\d+)?$",
        description="The nginx release the configuration runs on; it decides the `ssl_protocols` that applies "
        "when none is set: `TLSv1.2 TLSv1.3` since 1.27.3, `TLSv1 TLSv1.1 TLSv1.2 TLSv1.3` from 1.23.4, "
        "`TLSv1 TLSv1.1 TLSv1.2` from 1.9.1, with `SSLv3` before.",
    )
    attestations: list[str] = Field(
        default_factory=list,
        description="Files of signed-off records (schema: attestation.schema.json) for commitments no file proves.",
    )
    subprocessors: str | None = Field(
        default=None,
        description="Path of the subprocessor register, relative to the scanned root; default: "
        "`subprocessors.yaml` or `.policyproof/subprocessors.yaml` there.",
    )
    vendors: list[str] = Field(
        default_factory=list,
        description="Extra vendor catalog files (schema: vendor-catalog.schema.json), added to the bundled one; "
        "an entry with a bundled vendor's id replaces it.",
    )
