"""The YAML the tool ships (its rules, vendor catalog and policy), parsed ahead of time into JSON.

Every scan reads these hundred-odd files. libyaml parses them in C but builds their data in
Python, which cost a cold scan 0.03 s, and importing the YAML module 0.02 s more; the same data
read as JSON takes 0.001 s. So each folder of them holds ``preparsed.json`` (written by
``python -m checker.preparsed``; a test fails when it is stale) with each file's data and the
digest of the bytes it was made from. A file whose bytes have another digest (edited since, or
not shipped with the tool) is read as YAML: a stale entry can make a scan slower, never different.
"""
from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from checker import fastyaml

BUNDLE = "preparsed.json"
FORMAT = 1


def bundled_folders() -> list[Path]:
    from checker.policies import bundled_policy_path
    from checker.rulebook import bundled_rules_dir

    return [bundled_rules_dir(), bundled_policy_path().parent]


def load_yaml(path: Path, data: bytes) -> Any:
    """The YAML document ``data`` (the bytes of ``path``) as plain data; raises what YAML parsing
    raises (``yaml.YAMLError``, ``UnicodeDecodeError``)."""
    entry = _entries().get(str(path))
    if entry is not None and entry[0] == hashlib.sha256(data).hexdigest():
        return entry[1]
    return fastyaml.safe_load(data.decode("utf-8"))


@functools.cache
def _entries() -> dict[str, tuple[str, Any]]:
    found: dict[str, tuple[str, Any]] = {}
    for folder in bundled_folders():
        try:
            bundle = json.loads((folder / BUNDLE).read_bytes())
        except (OSError, ValueError):
            continue
        if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
            continue
        for name, (digest, data) in bundle["files"].items():
            found[str(folder / name)] = (digest, data)
    return found


def bundle(folder: Path) -> str:
    """The ``preparsed.json`` of ``folder``: every YAML file below it whose data JSON holds exactly
    (a date, or a key that is not a string, would come back as something else), one per line."""
    lines = []
    for path in sorted(folder.rglob("*.yaml")):
        raw = path.read_bytes()
        try:
            data = fastyaml.safe_load(raw.decode("utf-8"))
            kept = _same(json.loads(json.dumps(data)), data)
        except (ValueError, TypeError, fastyaml.yaml.YAMLError):
            kept = False
        if kept:
            entry = [hashlib.sha256(raw).hexdigest(), data]
            lines.append(f"{json.dumps(path.relative_to(folder).as_posix())}:{json.dumps(entry, sort_keys=True)}")
    return f'{{"format":{FORMAT},"files":{{\n' + ",\n".join(lines) + "\n}}\n"


def _same(copy: Any, original: Any) -> bool:
    if type(copy) is not type(original):
        return False
    if isinstance(original, dict):
        return copy.keys() == original.keys() and all(_same(copy[key], value) for key, value in original.items())
    if isinstance(original, list):
        return len(copy) == len(original) and all(_same(a, b) for a, b in zip(copy, original))
    return bool(copy == original)


def main() -> int:
    for folder in bundled_folders():
        (folder / BUNDLE).write_text(bundle(folder), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
