"""Waivers and baselines: accepted exceptions, each with an owner, a reason and an end."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Waiver(_Strict):
    rule: str | None = Field(default=None, description="Rule id the waiver covers (or give `commitment`).")
    commitment: str | None = Field(default=None, description="Commitment id: every rule serving it.")
    resource: str = Field(default="*", description="Glob over resource addresses, e.g. `aws_s3_bucket.legacy_*`.")
    path: str = Field(default="*", description="Glob over file paths relative to the scanned root.")
    owner: str = Field(min_length=1, description="Who answers for the exception.")
    reason: str = Field(min_length=1)
    expires: dt.date = Field(description="Last day the waiver applies.")

    @model_validator(mode="after")
    def _one_target(self) -> "Waiver":
        if (self.rule is None) == (self.commitment is None):
            raise ValueError("a waiver names exactly one of `rule` or `commitment`")
        return self


class WaiverFile(_Strict):
    waivers: list[Waiver] = Field(default_factory=list)


class BaselineEntry(_Strict):
    rule: str
    path: str
    address: str = Field(description="Resource address; the file is part of the match, unlike address alone.")


class Baseline(_Strict):
    schema_version: Literal["1"] = "1"
    entries: list[BaselineEntry] = Field(default_factory=list)
