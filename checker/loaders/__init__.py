"""The loader table: one module per format, each registered here and nowhere else.

A loader module provides ``FORMAT`` (the format rules select), ``claims(path,
head) -> bool`` (does this file belong to me, by name or by its first bytes)
and ``load(files) -> LoadOutcome`` (all its files at once, since formats such
as Terraform relate files to each other).
"""
from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Protocol

from checker.loaders import (
    cloudformation,
    compose,
    dotenv,
    gemfile,
    go_mod,
    kubernetes,
    nginx,
    package_json,
    package_lock,
    pipfile,
    poetry_lock,
    pyproject_deps,
    requirements,
    sql,
    subprocessor_register,
    supabase_config,
    terraform,
    terraform_plan,
)
from checker.model import LoadOutcome
from checker.sources import SourceFile
from policy_spec.config import Config


class Loader(Protocol):
    FORMAT: str

    def claims(self, path: str, head: bytes) -> bool: ...

    def load(self, files: Sequence[SourceFile]) -> LoadOutcome: ...


class ConfiguredLoader(Loader, Protocol):
    """A loader whose resources depend on the project configuration (``load_configured`` is used when present)."""

    def load_configured(self, files: Sequence[SourceFile], config: Config) -> LoadOutcome: ...


LOADERS: dict[str, ModuleType] = {
    "subprocessor-register": subprocessor_register,
    "terraform": terraform,
    "kubernetes": kubernetes,
    "compose": compose,
    "dotenv": dotenv,
    "cloudformation": cloudformation,
    "nginx": nginx,
    "terraform-plan": terraform_plan,
    "sql": sql,
    "supabase-config": supabase_config,
    "pip-requirements": requirements,
    "pyproject": pyproject_deps,
    "pipfile": pipfile,
    "poetry-lock": poetry_lock,
    "package-json": package_json,
    "package-lock": package_lock,
    "go-mod": go_mod,
    "gemfile": gemfile,
}


def loader_for(path: str, head: bytes) -> str | None:
    for name, module in LOADERS.items():
        if module.claims(path, head):
            return name
    return None
