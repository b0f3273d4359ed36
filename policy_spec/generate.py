"""Write the JSON Schemas generated from the models: ``python -m policy_spec.generate``.

The schemas are committed so that editors and other tools can validate rule,
policy and configuration files without Python; a test fails when they drift
from the models.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from policy_spec.attestation import AttestationFile
from policy_spec.config import Config
from policy_spec.evidence import Report
from policy_spec.policy import Policy
from policy_spec.rule import Rule
from policy_spec.subprocessors import SubprocessorRegister, VendorCatalog
from policy_spec.waiver import Baseline, WaiverFile

SCHEMA_DIR = Path(__file__).parent / "schemas"
MODELS: dict[str, type[BaseModel]] = {
    "attestation": AttestationFile,
    "config": Config,
    "evidence": Report,
    "policy": Policy,
    "rule": Rule,
    "subprocessors": SubprocessorRegister,
    "vendor-catalog": VendorCatalog,
    "waivers": WaiverFile,
    "baseline": Baseline,
}


def schema_for(name: str) -> dict[str, Any]:
    schema = MODELS[name].model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated from policy_spec by `python -m policy_spec.generate`. DO NOT EDIT.",
        **schema,
    }


def rendered(name: str) -> str:
    return json.dumps(schema_for(name), indent=2, sort_keys=True) + "\n"


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name in MODELS:
        (SCHEMA_DIR / f"{name}.schema.json").write_text(rendered(name), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
