"""Which resources hold personal data, as the configuration defines it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.model import Resource
from policy_spec.config import PersonalData
from policy_spec.regex import search


def holds_personal_data(resource: Resource, scope: PersonalData) -> bool:
    labels = _labels(resource.attrs)
    for key, values in scope.tags.items():
        value = labels.get(key)
        if isinstance(value, str) and value.lower() in {v.lower() for v in values}:
            return True
    names = [resource.name, resource.address]
    names.extend(v for k in ("bucket", "name", "bucket_prefix", "identifier") if isinstance(v := resource.attrs.get(k), str))
    if any(search(p, n) for p in scope.name_patterns for n in names):
        return True
    columns = resource.attrs.get("columns")
    return isinstance(columns, list) and any(
        search(p, c) for p in scope.column_patterns for c in columns if isinstance(c, str))


def _labels(attrs: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in ("tags", "labels", "tags_all"):
        value = attrs.get(key)
        if isinstance(value, Mapping):
            merged.update(value)
    return merged

