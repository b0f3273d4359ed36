"""Reading and writing waiver and baseline files."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from checker.errors import ConfigError
from checker.fastyaml import yaml
from checker.rulebook import key_line, most_specific_loc
from policy_spec.waiver import Baseline, WaiverFile


def load_waivers(path: Path) -> WaiverFile:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read waivers: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"invalid YAML: {exc}") from None
    try:
        return WaiverFile.model_validate(data)
    except ValidationError as exc:
        loc, message = most_specific_loc(exc)
        raise ConfigError(f"{path}:{key_line(text, loc)}", ".".join(map(str, loc)), message) from None


def load_baseline(path: Path) -> Baseline:
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read baseline: {exc}") from None
    except ValidationError as exc:
        loc, message = most_specific_loc(exc)
        raise ConfigError(str(path), ".".join(map(str, loc)), message) from None


def write_baseline(baseline: Baseline, path: Path) -> None:
    path.write_text(json.dumps(baseline.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
