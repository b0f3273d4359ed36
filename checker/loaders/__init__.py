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

from checker.loaders import terraform, terraform_plan
from checker.model import LoadOutcome
from checker.sources import SourceFile


class Loader(Protocol):
    FORMAT: str

    def claims(self, path: str, head: bytes) -> bool: ...

    def load(self, files: Sequence[SourceFile]) -> LoadOutcome: ...


LOADERS: dict[str, ModuleType] = {
    "terraform": terraform,
    "terraform-plan": terraform_plan,
}


def loader_for(path: str, head: bytes) -> str | None:
    for name, module in LOADERS.items():
        if module.claims(path, head):
            return name
    return None
