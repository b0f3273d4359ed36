"""The loader table: one module per format, each registered here and nowhere else.

A loader module provides ``FORMAT`` (the format rules select), ``claims(path,
head) -> bool`` (does this file belong to me, by name or by its first bytes)
and ``load(files) -> LoadOutcome`` (all its files at once, since formats such
as Terraform relate files to each other).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from checker.lazy import ModuleTable
from checker.model import LoadOutcome
from checker.sources import SourceFile

if TYPE_CHECKING:
    from policy_spec.config import Config


class Loader(Protocol):
    FORMAT: str

    def claims(self, path: str, head: bytes) -> bool: ...

    def load(self, files: Sequence[SourceFile]) -> LoadOutcome: ...


class ConfiguredLoader(Loader, Protocol):
    """A loader whose resources depend on the project configuration (``load_configured`` is used when present)."""

    def load_configured(self, files: Sequence[SourceFile], config: Config) -> LoadOutcome: ...


LOADERS = ModuleTable({
    "subprocessor-register": "checker.loaders.subprocessor_register",
    "terraform": "checker.loaders.terraform",
    "kubernetes": "checker.loaders.kubernetes",
    "compose": "checker.loaders.compose",
    "dotenv": "checker.loaders.dotenv",
    "cloudformation": "checker.loaders.cloudformation",
    "nginx": "checker.loaders.nginx",
    "terraform-plan": "checker.loaders.terraform_plan",
    "sql": "checker.loaders.sql",
    "supabase-config": "checker.loaders.supabase_config",
    "pip-requirements": "checker.loaders.requirements",
    "pyproject": "checker.loaders.pyproject_deps",
    "pipfile": "checker.loaders.pipfile",
    "poetry-lock": "checker.loaders.poetry_lock",
    "package-json": "checker.loaders.package_json",
    "package-lock": "checker.loaders.package_lock",
    "go-mod": "checker.loaders.go_mod",
    "gemfile": "checker.loaders.gemfile",
})
"""Each loader is imported when first asked for, so a scan whose formats are known from the cache
imports no parser."""


def loader_for(path: str, head: bytes) -> str | None:
    for name, module in LOADERS.items():
        if module.claims(path, head):
            return name
    return None
