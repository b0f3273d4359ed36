"""The vendor catalog as lookup tables keyed by exact, normalised signal values.

Every lookup is a dictionary hit on the whole name after the ecosystem's own
normalisation (PEP 503 for PyPI, the ``/vN`` major-version suffix for Go, the
default registry and tag for images). Nothing is matched by prefix: a package
``stripe-mock`` is not Stripe. Hostnames are the exception by nature: a
listed domain also covers its subdomains (``o1.ingest.sentry.io`` is Sentry),
compared label by label, so ``notsentry.io`` never is.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from checker import preparsed
from checker.errors import ConfigError
from checker.fastyaml import yaml
from checker.rulebook import bundled_catalog_path, most_specific
from policy_spec.subprocessors import Vendor, VendorCatalog

_PEP503_SEPARATORS = re.compile(r"[-_.]+")
"""PEP 503 normalisation is defined as exactly this substitution, lower-cased."""
_GO_MAJOR = re.compile(r"/v[0-9]+$")
_DOCKER_HUB = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


@dataclass
class Catalog:
    vendors: dict[str, Vendor] = field(default_factory=dict)
    _packages: dict[tuple[str, str], str] = field(default_factory=dict)
    _providers: dict[str, str] = field(default_factory=dict)
    _images: dict[str, str] = field(default_factory=dict)
    _hosts: dict[str, str] = field(default_factory=dict)
    _env: dict[str, str] = field(default_factory=dict)

    def add(self, vendor: Vendor) -> None:
        """Add a vendor; one with the id of an earlier one replaces it, signals and all."""
        if vendor.id in self.vendors:
            self._forget(vendor.id)
        self.vendors[vendor.id] = vendor
        signals = vendor.signals
        for ecosystem, names in (("pypi", signals.pypi), ("npm", signals.npm), ("go", signals.go),
                                 ("rubygems", signals.rubygems)):
            for name in names:
                self._packages[(ecosystem, package_key(ecosystem, name))] = vendor.id
        self._providers.update((provider_key(s), vendor.id) for s in signals.terraform)
        self._images.update((image_key(i), vendor.id) for i in signals.docker)
        self._hosts.update((h.lower().rstrip("."), vendor.id) for h in signals.hosts)
        self._env.update((e, vendor.id) for e in signals.env)

    def _forget(self, vendor_id: str) -> None:
        tables: tuple[dict[Any, str], ...] = (self._packages, self._providers, self._images, self._hosts, self._env)
        for table in tables:
            for key in [k for k, v in table.items() if v == vendor_id]:
                del table[key]

    def package(self, ecosystem: str, name: str) -> Vendor | None:
        return self._vendor(self._packages.get((ecosystem, package_key(ecosystem, name))))

    def provider(self, source: str) -> Vendor | None:
        return self._vendor(self._providers.get(provider_key(source)))

    def image(self, reference: str) -> Vendor | None:
        return self._vendor(self._images.get(image_key(reference)))

    def host(self, hostname: str) -> Vendor | None:
        labels = hostname.lower().rstrip(".").split(".")
        for start in range(len(labels) - 1):
            found = self._hosts.get(".".join(labels[start:]))
            if found is not None:
                return self._vendor(found)
        return None

    def env(self, name: str) -> Vendor | None:
        return self._vendor(self._env.get(name))

    def _vendor(self, vendor_id: str | None) -> Vendor | None:
        return self.vendors.get(vendor_id) if vendor_id else None


def package_key(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return _PEP503_SEPARATORS.sub("-", name).lower()
    if ecosystem == "go":
        return _GO_MAJOR.sub("", name)
    return name


def provider_key(source: str) -> str:
    return "/".join(source.lower().split("/")[-2:])


def image_key(reference: str) -> str:
    """``docker.io/library/x:1@sha256:..`` and ``x`` are the same repository."""
    name = reference.strip().lower().split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1])] + last[-1].split(":", 1)[0]
    for hub in _DOCKER_HUB:
        if name.startswith(hub):
            name = name[len(hub):]
    return name.removeprefix("library/")


def load_catalog(extra: Sequence[Path] = ()) -> Catalog:
    """The bundled catalog, then each extra file in order (an entry with a known id replaces it)."""
    catalog = Catalog()
    for path in [bundled_catalog_path(), *extra]:
        for vendor in read_catalog(path):
            catalog.add(vendor)
    return catalog


def read_catalog(path: Path) -> Iterable[Vendor]:
    try:
        data = preparsed.load_yaml(path, path.read_bytes())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), "vendors", f"cannot read the vendor catalog: {exc}") from None
    try:
        return VendorCatalog.model_validate(data).vendors
    except ValidationError as exc:
        key, message = most_specific(exc)
        raise ConfigError(str(path), key, message) from None
