"""Finding and reading the project configuration."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker.errors import ConfigError
from checker.fastyaml import yaml
from checker.replay import probe
from checker.rulebook import most_specific
from policy_spec.config import Config


CONFIG_NAMES = (".policyproof.yaml", ".policyproof.yml")


def find_config(root: Path) -> Path | None:
    folder = root if root.is_dir() else root.parent
    for name in CONFIG_NAMES:
        probe(folder / name)
        if (folder / name).is_file():
            return folder / name
    pyproject = folder / "pyproject.toml"
    probe(pyproject)
    if pyproject.is_file() and b"[tool.policyproof]" in pyproject.read_bytes():
        return pyproject
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    data = _read(path)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        key, message = most_specific(exc)
        raise ConfigError(str(path), key, message) from None
    from checker.loaders import LOADERS

    for key, fmt in [*(("formats.force", f) for f in config.formats.force.values()),
                     *(("formats.disable", f) for f in config.formats.disable)]:
        if fmt not in LOADERS:
            raise ConfigError(str(path), key, f"unknown format `{fmt}` (known: {', '.join(sorted(LOADERS))})")
    return config


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc}") from None
    if path.name == "pyproject.toml":
        import tomllib  # only for this one kind of file

        try:
            return tomllib.loads(text).get("tool", {}).get("policyproof", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), "", f"invalid TOML: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError(f"{path}:{line}", "", f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "", f"invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", "the configuration must be a mapping")
    return data
