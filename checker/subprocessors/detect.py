"""Vendor detections: every signal the loaders found, matched against the catalog.

This runs after loading and before rules, like relations: it reads the
``package`` and ``terraform_provider`` resources of the manifest loaders, and
the attributes of every other format's resources (container ``image`` values,
environment variable names, URLs in values), so a Compose or Kubernetes file
read by its own loader still shows which vendors it talks to. ``.env`` files
are re-read for their variable names, which the settings loader does not keep.

Each match becomes a ``vendor_detection`` resource at the line of the signal,
with the register's path in ``register`` (absent when no register exists), for
the subprocessor rules to compare against the register's entries.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from checker.loaders import subprocessor_register
from checker.model import LoadError, LoadOutcome, Resource
from checker.sources import SourceFile
from checker.subprocessors.catalog import Catalog, load_catalog
from checker.subprocessors.signals import DETECTION_TYPE, Signal, dotenv_signals
from policy_spec.config import Config
from policy_spec.subprocessors import Vendor

FORMAT = "subprocessors"
TYPE = DETECTION_TYPE

READ_TYPES = frozenset({subprocessor_register.TYPE})
"""The resources detection reads itself, besides the signals of all of them: the register's entries."""


def detect_for_scan(outcome: LoadOutcome, signals: Sequence[Signal], files: Mapping[str, Sequence[SourceFile]],
                    config: Config, root: Path, catalog: Catalog) -> LoadOutcome:
    """Detections for one scan from the ``signals_of`` its resources, with the catalog
    (``scan_catalog``) and register the configuration names."""
    registers = sorted(f.path for f in files.get(subprocessor_register.FORMAT, []))
    added = LoadOutcome()
    configured = subprocessor_register.register_path(config.subprocessors)
    if configured is not None and configured not in registers:
        added.errors.append(LoadError(configured, 1, "the subprocessor register named in the configuration "
                                      "(`subprocessors:`) does not exist", kind="io"))
    found = [*signals, *dotenv_signals(files.get("dotenv", []))]
    added.resources.extend(detections(found, catalog, registers[0] if registers else None))
    added.notes.extend(stale_entries(outcome.resources, added.resources))
    return added


def scan_catalog(config: Config, root: Path) -> Catalog:
    """The bundled vendor catalog with the ones the configuration adds."""
    return load_catalog([root / extra for extra in config.vendors])


def detections(signals: Sequence[Signal], catalog: Catalog, register: str | None) -> list[Resource]:
    found: dict[tuple[str, str, int, str], Resource] = {}
    for signal in signals:
        vendor = match(signal, catalog)
        if vendor is None:
            continue
        key = (vendor.id, signal.location.path, signal.location.line, signal.value)
        if key not in found:
            found[key] = _detection(vendor, signal, register)
    return list(found.values())


def match(signal: Signal, catalog: Catalog) -> Vendor | None:
    if signal.kind == "package" and signal.ecosystem:
        return catalog.package(signal.ecosystem, signal.value)
    if signal.kind == "terraform-provider":
        return catalog.provider(signal.value)
    if signal.kind == "image":
        return catalog.image(signal.value)
    if signal.kind == "env":
        return catalog.env(signal.value)
    if signal.kind == "host":
        return catalog.host(signal.value)
    return None


def _detection(vendor: Vendor, signal: Signal, register: str | None) -> Resource:
    attrs: dict[str, Any] = {
        "vendor": vendor.id, "vendor_name": vendor.name, "category": vendor.category, "signal": signal.kind,
        "value": signal.value, "ecosystem": signal.ecosystem, "dev": signal.dev, "direct": signal.direct,
    }
    if register is not None:
        attrs["register"] = register
    where = f"{signal.location.path}:{signal.value}"
    return Resource(FORMAT, TYPE, vendor.id, f"{TYPE}.{vendor.id}[{where}]", attrs, signal.location,
                    scope=FORMAT)


def stale_entries(resources: Sequence[Resource], found: Sequence[Resource]) -> list[LoadError]:
    """Register entries no file shows: kept as notes, since a vendor may receive data in ways no file
    records (a support desk staff paste into, an accountant), and listing too many breaks no promise."""
    detected = {r.attrs["vendor"] for r in found}
    return [
        LoadError(r.location.path, r.location.line,
                  f"subprocessor `{r.name}` is in the register but was not detected in the scanned files: "
                  "possibly stale (remove it if the vendor no longer receives data)", kind="skipped")
        for r in resources if r.type == subprocessor_register.TYPE and r.name not in detected
    ]
