"""Reading rule files: YAML in, validated ``Rule`` models out, or an error naming file and key."""
from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker import preparsed
from checker.errors import RuleError
from checker.fastyaml import yaml
from policy_spec.rule import RULE_ID, Rule


def bundled_rules_dir() -> Path:
    """The rules installed with the checker: a folder, as they are installed as plain files. Found
    from the package itself rather than through ``importlib.resources``, whose import (``tempfile``,
    ``shutil`` and the compression modules) cost a cold scan more than reading the rules."""
    package = importlib.import_module("policyproof_rules")
    return Path(package.__file__ or "").parent


def bundled_catalog_path() -> Path:
    """The vendor catalog shipped beside the rules."""
    return bundled_rules_dir() / "subprocessors" / "catalog.yaml"


def rule_files(folders: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if folder.is_file():
            files.append(folder)
        elif folder.is_dir():
            files.extend(sorted(p for p in folder.rglob("*.y*ml")
                                if p.is_file() and p.suffix in (".yaml", ".yml") and _RULE_FILE.match(p.stem)))
        else:
            raise RuleError(str(folder), "", "no such rule file or folder")
    return files


_RULE_FILE = re.compile(RULE_ID)
"""Rule files are named after their id; other YAML beside them (a vendor catalog) is data."""


def load_rule(path: Path, raw: bytes | None = None) -> Rule:
    try:
        raw = path.read_bytes() if raw is None else raw
        text = raw.decode("utf-8")
        data = preparsed.load_yaml(path, raw)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise RuleError(f"{path}:{line}", "", f"invalid YAML: {exc.problem}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(str(path), "", f"cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise RuleError(str(path), "", "a rule file must be a mapping")
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        loc, message = most_specific_loc(exc)
        raise RuleError(f"{path}:{key_line(text, loc)}", _dotted(loc), message) from None
    if path.stem != rule.id:
        raise RuleError(f"{path}:{key_line(text, ('id',))}", "id", f"`{rule.id}` must match the file name `{path.stem}`")
    return rule


_TAGS = {"all", "any", "not", "related", "test"}


def most_specific_loc(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The error a person needs: the deepest location, not the union's list of every branch tried."""
    errors = exc.errors(include_url=False)
    best = max(errors, key=lambda e: len(_clean(e["loc"])))
    message = best["msg"].removeprefix("Value error, ")
    if best["type"] == "extra_forbidden":
        message = "unknown key"
    return _clean(best["loc"]), message


def most_specific(exc: ValidationError) -> tuple[str, str]:
    loc, message = most_specific_loc(exc)
    return _dotted(loc), message


def _clean(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop the discriminator tags pydantic inserts into locations (``all.all.0.test`` → ``all.0``)."""
    out: list[str | int] = []
    for index, part in enumerate(loc):
        following = loc[index + 1] if index + 1 < len(loc) else None
        if part == "test" or (part in _TAGS and following == part):
            continue
        out.append(part)
    return tuple(out)


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def key_line(text: str, loc: tuple[str | int, ...]) -> int:
    """Line of the deepest part of ``loc`` that exists in the YAML text (1 when none does)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return 1
    line = 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key = next((k for k, v in node.value if k.value == str(part)), None)
            if match is None or key is None:
                break
            line, node = key.start_mark.line + 1, match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_rules(files: Sequence[Path], commitments: Iterable[str],
               contents: Sequence[bytes] | None = None) -> list[Rule]:
    """The rules of ``files``; ``contents`` are their bytes when the caller has read them already."""
    known = set(commitments)
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for number, path in enumerate(files):
        rule = load_rule(path, contents[number] if contents is not None else None)
        if rule.id in seen:
            raise RuleError(str(path), "id", f"`{rule.id}` is also defined in {seen[rule.id]}")
        if rule.commitment not in known:
            raise RuleError(str(path), "commitment", f"`{rule.commitment}` is not a commitment of the policy")
        seen[rule.id] = path
        rules.append(rule)
    return sorted(rules, key=lambda r: r.id)


def digest(files: Sequence[Path], contents: Sequence[bytes]) -> str:
    """One hash over every rule file in force (``contents`` are their bytes, in the same order), so
    evidence names the exact rules it used."""
    h = hashlib.sha256()
    for path, data in sorted(zip(files, contents), key=lambda pair: pair[0].name):
        h.update(path.name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:16]
