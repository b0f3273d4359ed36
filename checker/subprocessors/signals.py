"""The vendor signals in loaded resources: what detection matches against the catalog.

Kept apart from detection, which needs the catalog and its schema, because every
process that loads files takes the signals of what it loaded before sending back
only the resources the rules read; those processes import no schema.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.loaders import packages, subprocessor_register, terraform_providers
from checker.model import AttrPath, LoadError, Resource, SourceLocation
from checker.sources import SourceFile

DETECTION_TYPE = "vendor_detection"
URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s\"'<>]*@)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                  r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)")
_OWN_TYPES = {packages.TYPE, terraform_providers.TYPE, subprocessor_register.TYPE, DETECTION_TYPE}


@dataclass(frozen=True)
class Signal:
    kind: str
    """``package``, ``terraform-provider``, ``image``, ``env``, or ``host``."""
    value: str
    location: SourceLocation
    ecosystem: str | None = None
    dev: bool = False
    direct: bool = True


def signals_of(resources: Sequence[Resource]) -> Iterator[Signal]:
    for resource in resources:
        if resource.type == packages.TYPE:
            attrs = resource.attrs
            yield Signal("package", str(attrs["name"]), resource.location, str(attrs["ecosystem"]),
                         bool(attrs.get("dev")), bool(attrs.get("direct", True)))
        elif resource.type == terraform_providers.TYPE:
            yield Signal("terraform-provider", str(resource.attrs["source"]), resource.location)
        elif resource.type not in _OWN_TYPES:
            found: list[Signal] = []
            _attribute_signals(resource, resource.attrs, (), found)
            yield from found


def _attribute_signals(resource: Resource, value: Any, path: AttrPath, found: list[Signal]) -> None:
    """Images, variable names and URL hosts anywhere in a resource's attributes, each at its line.
    Only values that could hold one are descended into: few strings are URLs, and a path made for
    every value of every resource cost more than the search. Plain dicts, lists and strings are told
    apart by their type before any ``Mapping`` check, which costs ten times more."""
    kind = type(value)
    if kind is dict or (kind is not list and kind is not str and isinstance(value, Mapping)):
        for key, item in value.items():
            if key == "image" and isinstance(item, str):
                found.append(Signal("image", item, resource.location_of(path + (str(key),))))
            elif key == "environment" and isinstance(item, Mapping):
                for name in item:
                    found.append(Signal("env", str(name), resource.location_of(path + (str(key), str(name)))))
            elif key == "env" and isinstance(item, list):
                for index, entry in enumerate(item):
                    if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                        found.append(Signal("env", entry["name"], resource.location_of(path + (str(key), index))))
            if _may_hold(item):
                _attribute_signals(resource, item, path + (str(key),), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if _may_hold(item):
                _attribute_signals(resource, item, path + (index,), found)
    elif isinstance(value, str):
        for host in URL.findall(value):
            found.append(Signal("host", host.lower(), resource.location_of(path)))


def _may_hold(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return "://" in value
    return kind is dict or kind is list or isinstance(value, (Mapping, list)) or (isinstance(value, str)
                                                                                  and "://" in value)


def dotenv_signals(files: Sequence[SourceFile]) -> Iterator[Signal]:
    """Variable names and URL hosts of ``.env`` files (their values are never kept)."""
    from checker.loaders import dotenv

    for source in files:
        text = source.text()
        if isinstance(text, LoadError):
            continue
        try:
            entries = dotenv.parse(text)
        except dotenv.DotenvError:
            continue  # the dotenv loader reports it with its line
        for entry in entries:
            location = SourceLocation(source.path, entry.line)
            yield Signal("env", entry.key, location)
            for host in URL.findall(entry.value or ""):
                yield Signal("host", host.lower(), location)
