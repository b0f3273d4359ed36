"""Terraform providers a configuration uses: ``required_providers`` entries and ``provider`` blocks.

A provider is a vendor the infrastructure is built on (``hashicorp/aws``) or
configured at (``datadog/datadog``), so each becomes a ``terraform_provider``
resource. A ``provider`` block or a bare version constraint names no source;
Terraform then assumes ``hashicorp/<name>``, and so does this module.
"""
from __future__ import annotations

from collections.abc import Iterator

from checker.loaders.hcl import Block
from checker.loaders.hcl_eval import Scope, evaluate
from checker.model import Resource, SourceLocation

TYPE = "terraform_provider"
FORMAT = "terraform"


def providers(root: Block, path: str) -> Iterator[Resource]:
    for block in root.blocks:
        if block.type == "terraform":
            for inner in block.blocks:
                if inner.type == "required_providers":
                    for name, attribute in inner.attributes.items():
                        value = evaluate(attribute.expr, Scope())
                        source = value.get("source") if isinstance(value, dict) else None
                        yield _provider(name, source if isinstance(source, str) else None, path, attribute.line,
                                        declared=True)
        elif block.type == "provider" and block.labels:
            yield _provider(block.labels[0], None, path, block.line, declared=False)


def _provider(name: str, source: str | None, path: str, line: int, declared: bool) -> Resource:
    """``source`` is normalised to ``namespace/type``: the registry host is dropped, case folded."""
    full = (source or f"hashicorp/{name}").lower()
    parts = full.split("/")
    normalised = "/".join(parts[-2:])
    kind = "required" if declared else "block"
    return Resource(FORMAT, TYPE, name, f"{TYPE}.{name}[{path}:{line}:{kind}]",
                    {"name": name, "source": normalised, "source_declared": source is not None},
                    SourceLocation(path, line), scope=f"providers:{path}")
