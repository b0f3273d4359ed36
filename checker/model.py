"""The resource model every loader produces and every rule reads.

Loaders normalise format quirks away before a value reaches a rule: nested
blocks are always lists of mappings, numbers are ints or floats, and a value
the files do not determine is an ``Unknown`` that says why, so no rule can
mistake "could not tell" for "fine".
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

AttrPath = tuple[str | int, ...]


# Values built by the ten thousand while loading are declared ``unsafe_hash`` (equal and hashable by
# value, as ``frozen`` would make them) but not ``frozen``, whose ``__init__`` sets each field through
# ``object.__setattr__`` and builds them four times slower. Nothing assigns to them once built.
@dataclass(slots=True, unsafe_hash=True)
class SourceLocation:
    path: str
    line: int
    end_line: int | None = None

    def __reduce__(self) -> tuple[type[SourceLocation], tuple[str, int, int | None]]:
        # Positional rebuilding unpickles several times faster than the dataclass default.
        return SourceLocation, (self.path, self.line, self.end_line)


@dataclass(slots=True, unsafe_hash=True)
class Unknown:
    """A value the scanned files do not determine (a variable with no value, a function call)."""

    reason: str
    expr: str = ""

    def __repr__(self) -> str:
        return f"<unknown: {self.reason}>"

    def __reduce__(self) -> tuple[type[Unknown], tuple[str, ...]]:
        return Unknown, (self.reason, self.expr)


@dataclass(slots=True, unsafe_hash=True)
class Reference(Unknown):
    """A value that points at another resource, such as ``aws_kms_key.k.arn``.

    Its content is unknown until apply time, but it is known to be set and
    known to point somewhere, which is what relations are built from.
    """

    target: str = ""
    attribute: str = ""

    def __reduce__(self) -> tuple[type[Reference], tuple[str, ...]]:
        return Reference, (self.reason, self.expr, self.target, self.attribute)


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class Resource:
    format: str
    type: str
    name: str
    address: str
    attrs: Mapping[str, Any]
    location: SourceLocation
    scope: str = ""
    """Resources reference each other only within one scope (a Terraform module instance)."""
    value_locations: Mapping[AttrPath, SourceLocation] = field(default_factory=dict)
    """Where each attribute value was written, when it was not inside the resource itself."""
    notes: tuple[str, ...] = ()
    module_call: SourceLocation | None = None
    """For a resource of a module instance: the ``module`` block that created it."""

    def location_of(self, path: AttrPath) -> SourceLocation:
        """The closest recorded place that wrote ``path``, else the resource itself."""
        for end in range(len(path), 0, -1):
            found = self.value_locations.get(path[:end])
            if found is not None:
                return found
        return self.location


@dataclass(frozen=True, slots=True)
class LoadError:
    """A file, or part of one, that could not be read into resources."""

    path: str
    line: int
    message: str
    kind: str = "parse"


@dataclass
class LoadOutcome:
    resources: list[Resource] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    notes: list[LoadError] = field(default_factory=list)
    """Files deliberately skipped with a reason (not failures)."""

    def extend(self, other: LoadOutcome) -> None:
        self.resources.extend(other.resources)
        self.errors.extend(other.errors)
        self.notes.extend(other.notes)
