"""Relations between resources: which resource refers to which.

AWS provider v4 split S3 encryption, versioning and lifecycle into resources of
their own that name their bucket; a rule about a bucket must see them. A
reference is either a Terraform reference (``aws_s3_bucket.b.id``) or a
literal that equals the target's own name (``bucket = "my-bucket"``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from checker.model import Reference, Resource, Unknown

_NAME_ATTRIBUTES = ("bucket", "name", "id", "arn", "identifier", "cluster_identifier", "function_name")


class RelationIndex:
    """Resources by type, and by scope and address within a type: each built on first use, for
    only the types some relation asks for, since most resources are never the far end of one."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._resources = list(resources)
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        for resource in self._resources:
            self._by_type[resource.type].append(resource)
        self._by_scope: dict[str, dict[str, list[Resource]]] = {}
        self._by_scope_base: dict[str, dict[tuple[str, str], list[Resource]]] = {}
        self._positions: dict[int, int] | None = None

    def _scoped(self, rtype: str) -> dict[str, list[Resource]]:
        index = self._by_scope.get(rtype)
        if index is None:
            index = self._by_scope[rtype] = defaultdict(list)
            for resource in self._by_type.get(rtype, []):
                index[resource.scope].append(resource)
        return index

    def _addressed(self, scope: str, target: str, types: Sequence[str]) -> list[Resource]:
        """Resources of ``types`` in ``scope`` whose base address is ``target``, in scan order."""
        found: list[Resource] = []
        sources = 0
        for rtype in dict.fromkeys(types):
            index = self._by_scope_base.get(rtype)
            if index is None:
                index = self._by_scope_base[rtype] = defaultdict(list)
                for resource in self._by_type.get(rtype, []):
                    index[(resource.scope, base_address(resource))].append(resource)
            matches = index.get((scope, target))
            if matches:
                found.extend(matches)
                sources += 1
        if sources > 1:
            positions = self._positions or {id(resource): n for n, resource in enumerate(self._resources)}
            self._positions = positions
            found.sort(key=lambda resource: positions[id(resource)])
        return found

    def _candidates(self, resource: Resource, rtype: str, within: str) -> list[Resource]:
        """Resources of ``rtype`` a relation may reach: the same scope, or (``within: scan``) anywhere."""
        if within == "scan":
            return self._by_type.get(rtype, [])
        return self._scoped(rtype).get(resource.scope, [])

    def inbound(self, resource: Resource, types: Sequence[str], via: str,
                within: str = "scope") -> tuple[list[Resource], list[Resource]]:
        """Resources of ``types`` whose ``via`` attribute points at ``resource``, and those that may:
        their ``via`` could not be determined, so they cannot be ruled out."""
        names = _literal_names(resource)
        target = base_address(resource)
        found: list[Resource] = []
        maybe: list[Resource] = []
        for rtype in types:
            for candidate in self._candidates(resource, rtype, within):
                if candidate is resource:
                    continue
                value = _get(candidate.attrs, via)
                if _points_at(value, target, names):
                    found.append(candidate)
                elif any(isinstance(v, Unknown) and not isinstance(v, Reference) for v in _flatten(value)):
                    maybe.append(candidate)
        return found, maybe

    def outbound(self, resource: Resource, types: Sequence[str], via: str, within: str = "scope") -> list[Resource]:
        """Resources of ``types`` that ``resource``'s ``via`` attribute points at."""
        found: list[Resource] = []
        for value in _flatten(_get(resource.attrs, via)):
            if isinstance(value, Reference):
                if within == "scope":
                    found.extend(self._addressed(resource.scope, value.target, types))
                    continue
                targets = [c for t in types for c in self._by_type.get(t, []) if base_address(c) == value.target]
                for candidate in targets:
                    if candidate.type in types:
                        found.append(candidate)
            elif isinstance(value, str):
                for rtype in types:
                    for candidate in self._candidates(resource, rtype, within):
                        if value in _literal_names(candidate):
                            found.append(candidate)
        return found


def base_address(resource: Resource) -> str:
    """``type.name`` without module prefix or instance key: what references name."""
    return f"{resource.type}.{resource.name}"


def _literal_names(resource: Resource) -> set[str]:
    return {v for key in _NAME_ATTRIBUTES if isinstance(v := resource.attrs.get(key), str) and v}


def _points_at(value: Any, target: str, names: set[str]) -> bool:
    for item in _flatten(value):
        if isinstance(item, Reference) and item.target == target:
            return True
        if isinstance(item, str) and item in names:
            return True
    return False


def _get(attrs: Any, dotted: str) -> Any:
    values = [attrs]
    for step in dotted.split("."):
        next_values: list[Any] = []
        for value in values:
            if isinstance(value, list):
                next_values.extend(item.get(step) for item in value if isinstance(item, dict))
            elif isinstance(value, dict):
                next_values.append(value.get(step))
        values = next_values
    return values


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _flatten(item)]
    return [value]
