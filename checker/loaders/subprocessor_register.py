"""The subprocessor register (``subprocessors.yaml``): one ``subprocessor`` resource per entry.

The file is validated against ``policy_spec.subprocessors.SubprocessorRegister``;
an entry that breaks the schema (an unknown safeguard, a country code that is
not ISO 3166) is an error at its line. Missing purpose or locations are allowed
here and judged by rules, so the report says which disclosure is incomplete.
Each entry also gets ``transfers``: one item per location outside the home
region, with the safeguard that covers it, so rules never need to know regions.
"""
from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checker.loaders.yaml_documents import Document, load_documents
from checker.model import LoadError, LoadOutcome, Resource, SourceLocation
from checker.sources import SourceFile, texts

if TYPE_CHECKING:
    from policy_spec.subprocessors import Subprocessor

FORMAT = "subprocessor-register"
TYPE = "subprocessor"
DEFAULT_PATHS = ("subprocessors.yaml", "subprocessors.yml", ".policyproof/subprocessors.yaml",
                 ".policyproof/subprocessors.yml")
"""Where a register is looked for at the scanned root; ``subprocessors:`` in the configuration names another."""


def claims(path: str, head: bytes = b"") -> bool:
    return path in DEFAULT_PATHS


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(files, outcome):
        documents = load_documents(text, source.path)
        if isinstance(documents, LoadError):
            outcome.errors.append(documents)
            continue
        if len(documents) != 1:
            outcome.errors.append(LoadError(source.path, 1, "a subprocessor register is one YAML document"))
            continue
        found = read(documents[0], source.path)
        if isinstance(found, LoadError):
            outcome.errors.append(found)
        else:
            outcome.resources.extend(found)
    return outcome


def read(document: Document, path: str) -> list[Resource] | LoadError:
    from pydantic import ValidationError

    from policy_spec.subprocessors import SubprocessorRegister  # the schema, only once a register is read

    try:
        register = SubprocessorRegister.model_validate(document.value)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        at = tuple(error["loc"])
        where = ".".join(str(step) for step in at) or "(top level)"
        return LoadError(path, document.location(path, at).line, f"invalid register at `{where}`: {error['msg']}")
    home = home_countries(register.home_region)
    resources = []
    seen: set[str] = set()
    for index, entry in enumerate(register.subprocessors):
        at = ("subprocessors", index)
        if entry.id in seen:
            return LoadError(path, document.location(path, at).line, f"`{entry.id}` is listed twice")
        seen.add(entry.id)
        attrs = _attrs(entry, home, register.home_region)
        locations = {key: value for key, value in document.locations(path, at).items()}
        for number, country in enumerate(entry.locations or []):
            if country not in home:
                transfer = [i for i, t in enumerate(attrs["transfers"]) if t["country"] == country][0]
                locations[("transfers", transfer)] = locations.get(("locations", number), document.location(path, at))
        resources.append(Resource(FORMAT, TYPE, entry.id, f"{TYPE}.{entry.id}", attrs,
                                  SourceLocation(path, document.location(path, at).line), scope=path,
                                  value_locations=locations))
    return resources


def home_countries(region: str | list[str]) -> frozenset[str]:
    from policy_spec.subprocessors import REGIONS

    return REGIONS[region] if isinstance(region, str) else frozenset(region)


def _attrs(entry: Subprocessor, home: frozenset[str], region: str | list[str]) -> dict[str, Any]:
    attrs: dict[str, Any] = entry.model_dump(exclude_none=True)
    attrs["home_region"] = region
    if entry.purpose is not None and not entry.purpose.strip():
        del attrs["purpose"]
    if entry.locations == []:
        del attrs["locations"]
    attrs["transfers"] = [
        {"country": country, **({"safeguard": s} if (s := entry.safeguards.get(country, entry.safeguard)) else {})}
        for country in dict.fromkeys(entry.locations or []) if country not in home
    ]
    return attrs


def register_path(configured: str | None) -> str | None:
    """The configured register path as the scan sees paths (relative, ``/`` separators)."""
    return posixpath.normpath(configured.replace("\\", "/")) if configured else None
