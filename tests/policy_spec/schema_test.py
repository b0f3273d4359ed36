from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from checker.rulebook import bundled_rules_dir, rule_files
from policy_spec.generate import MODELS, SCHEMA_DIR, rendered


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_schema_matches_the_model(name: str) -> None:
    committed = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == rendered(name), "run `python -m policy_spec.generate` and commit the result"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schemas_are_valid_json_schema(name: str) -> None:
    Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text()))


def test_every_bundled_rule_validates_against_the_rule_schema() -> None:
    validator = Draft202012Validator(json.loads((SCHEMA_DIR / "rule.schema.json").read_text()))
    for path in rule_files([bundled_rules_dir()]):
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, f"{path}: {errors[0].message}"


@pytest.mark.parametrize("module", sorted({model.__module__ for model in MODELS.values()}))
def test_model_modules_keep_their_annotations_as_objects(module: str) -> None:
    """Annotations kept as text would be evaluated by pydantic on every run (see ``policy_spec``)."""
    source = (Path(__file__).resolve().parents[2] / (module.replace(".", "/") + ".py")).read_text()
    assert "from __future__ import annotations" not in source
