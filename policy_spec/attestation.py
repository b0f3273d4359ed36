"""Attestations: signed-off records for promises no file can prove (audits, training).

A scan cannot see that a penetration test happened; a person who can vouch for
it records who attests what, when, on what evidence and for how long, and the
record expires so that an old sign-off never keeps a promise alive forever.
"""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policy_spec.rule import SLUG


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Attestation(_Strict):
    commitment: str = Field(pattern=SLUG, description="The commitment id this record vouches for.")
    by: str = Field(min_length=1, description="Who attests: a name, and a role or address to reach them.")
    date: dt.date = Field(description="When the attested activity was completed or signed off.")
    statement: str = Field(min_length=1, description="What is attested, e.g. `annual penetration test by ...`.")
    evidence: list[str] = Field(
        min_length=1, description="Links (`https://...`) or files (relative to the configuration) that back it."
    )
    valid_until: dt.date | None = Field(default=None, description="Last day the record counts.")
    valid_for_days: int | None = Field(default=None, ge=1, description="Or: how many days after `date` it counts.")

    @model_validator(mode="after")
    def _one_validity(self) -> "Attestation":
        if (self.valid_until is None) == (self.valid_for_days is None):
            raise ValueError("give exactly one of `valid_until` or `valid_for_days`")
        if self.valid_until is not None and self.valid_until < self.date:
            raise ValueError("`valid_until` is before `date`")
        return self

    @property
    def expires(self) -> dt.date:
        if self.valid_until is not None:
            return self.valid_until
        return self.date + dt.timedelta(days=self.valid_for_days or 0)


class AttestationFile(_Strict):
    attestations: list[Attestation] = Field(default_factory=list)
