"""What a compliance person needs to update the public subprocessor page: the detected vendors,
where each was found, and how that differs from the register."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from checker.loaders import subprocessor_register
from checker.model import Resource
from checker.loading import load_all
from checker.scan import read_inputs, scan_root
from checker.subprocessors.detect import READ_TYPES, TYPE, detect_for_scan, scan_catalog
from policy_spec.config import Config

Status = Literal["disclosed", "undisclosed", "not-detected"]


@dataclass
class Vendor:
    id: str
    name: str
    category: str | None
    status: Status
    found_at: list[str] = field(default_factory=list)
    """``path:line (signal value)`` of each detection; development-only ones are marked."""
    register: dict[str, Any] | None = None


@dataclass
class Inventory:
    register: str | None
    vendors: list[Vendor]
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "vendors": [vars(v) for v in self.vendors],
            "errors": self.errors,
        }


def collect(paths: Sequence[Path], config: Config) -> Inventory:
    root = scan_root(paths)
    files, too_big = read_inputs(paths, root, config)
    loaded = load_all(files, READ_TYPES, config)
    outcome = loaded.outcome
    outcome.extend(detect_for_scan(outcome, loaded.signals, files, config, root, scan_catalog(config, root)))
    registers = sorted(f.path for f in files.get(subprocessor_register.FORMAT, []))
    own = {f.path for fmt in SIGNAL_FORMATS for f in files.get(fmt, [])}
    errors = [f"{e.path}:{e.line}: {e.message}" for e in [*too_big, *outcome.errors]
              if e.path in own or e.path == subprocessor_register.register_path(config.subprocessors)]
    return build(outcome.resources, registers[0] if registers else None, errors)


SIGNAL_FORMATS = ("subprocessor-register", "pip-requirements", "pyproject", "pipfile", "poetry-lock", "package-json",
                  "package-lock", "go-mod", "gemfile", "dotenv")
"""Formats whose unreadable files hide vendors or the register, so the inventory names them."""


def build(resources: Sequence[Resource], register: str | None, errors: list[str]) -> Inventory:
    entries = {r.name: r for r in resources if r.type == subprocessor_register.TYPE}
    detected: dict[str, Vendor] = {}
    for resource in sorted((r for r in resources if r.type == TYPE),
                           key=lambda r: (r.location.path, r.location.line)):
        attrs = resource.attrs
        vendor = detected.setdefault(resource.name, Vendor(
            resource.name, str(attrs["vendor_name"]), str(attrs["category"]),
            "disclosed" if resource.name in entries else "undisclosed"))
        marks = [m for m, on in (("dev", attrs.get("dev")), ("indirect", not attrs.get("direct", True))) if on]
        suffix = f", {', '.join(marks)}" if marks else ""
        vendor.found_at.append(f"{resource.location.path}:{resource.location.line} "
                               f"({attrs['signal']} {attrs['value']}{suffix})")
    for name, entry in entries.items():
        if name in detected:
            detected[name].register = _entry(entry)
        else:
            detected[name] = Vendor(name, str(entry.attrs.get("name", name)), None, "not-detected",
                                    register=_entry(entry))
    order = {"undisclosed": 0, "disclosed": 1, "not-detected": 2}
    vendors = sorted(detected.values(), key=lambda v: (order[v.status], v.id))
    return Inventory(register, vendors, errors)


def _entry(resource: Resource) -> dict[str, Any]:
    keep = ("name", "purpose", "data_categories", "locations", "safeguard", "safeguards", "dpa")
    return {key: resource.attrs[key] for key in keep if key in resource.attrs}
