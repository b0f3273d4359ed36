"""A published policy, as the commitments it makes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policy_spec.rule import SLUG


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Commitment(_Strict):
    id: str = Field(pattern=SLUG, description="Stable id that rules, waivers and reports refer to.")
    section: str = Field(description="Where the clause stands in the published text, e.g. `4`.")
    title: str
    quote: str = Field(min_length=1, description="The clause, verbatim, so a change of the text is detected.")
    promise: str = Field(description="What the clause promises, in operational terms.")
    evidence: Literal["rules", "attestation"] = Field(
        default="rules", description="Proved by scanning (`rules`) or by a signed-off record (`attestation`)."
    )


class Policy(_Strict):
    id: str = Field(pattern=SLUG)
    title: str
    version: str = Field(description="The policy's own version or `Last updated` date.")
    text: str | None = Field(
        default=None, description="File beside this one holding the published text that quotes are checked against."
    )
    commitments: list[Commitment] = Field(min_length=1)

    def commitment(self, commitment_id: str) -> Commitment | None:
        return next((c for c in self.commitments if c.id == commitment_id), None)
