"""Reading a policy file, and checking that its quotes still stand in the published text."""
from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

import policy_spec
from checker import preparsed
from checker.errors import ConfigError
from checker.fastyaml import yaml
from checker.rulebook import most_specific
from policy_spec.policy import Policy


BUNDLED = "brainstormmsp-privacy.yaml"


def bundled_policy_path() -> Path:
    return Path(policy_spec.__file__ or "").parent / "policies" / BUNDLED


def load_policy(path: Path | None = None, raw: bytes | None = None) -> Policy:
    """The policy at ``path`` (the bundled one by default); ``raw`` is its bytes when already read."""
    path = path or bundled_policy_path()
    try:
        data = preparsed.load_yaml(path, path.read_bytes() if raw is None else raw)
        return Policy.model_validate(data)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read policy: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"invalid YAML: {exc}") from None
    except ValidationError as exc:
        key, message = most_specific(exc)
        raise ConfigError(str(path), key, message) from None


def stale_quotes(policy: Policy, text: str) -> list[str]:
    """Commitments whose quote no longer appears verbatim (whitespace folded) in the published text."""
    folded = " ".join(text.split())
    return [c.id for c in policy.commitments if " ".join(c.quote.split()) not in folded]


def policy_text(policy: Policy, policy_path: Path | None = None) -> str | None:
    if policy.text is None:
        return None
    folder = (policy_path or bundled_policy_path()).parent
    try:
        return (folder / policy.text).read_text(encoding="utf-8")
    except OSError:
        return None
