"""YAML documents as plain data plus the line of every value, for the YAML-based loaders.

PyYAML's composer gives nodes with positions; this turns them into ordinary
dicts and lists (what rules read) and a table from attribute path to line
(what findings point at). Loading is always safe: no tags construct objects,
and CloudFormation's short tags (``!Ref x``) become the long form
(``{"Ref": "x"}``) that templates in JSON use. Aliases are expanded with a
budget, so a "billion laughs" document is an error instead of a hang.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from checker.fastyaml import yaml
from checker.model import AttrPath, LoadError, SourceLocation

MAX_NODES = 500_000
"""Values built per file, aliases counted each time they are used."""

_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}


@dataclass
class Document:
    value: Any
    line: int
    end_line: int
    lines: dict[AttrPath, int] = field(default_factory=dict)

    def location(self, path: str, at: AttrPath = ()) -> SourceLocation:
        """Where the value at ``at`` was written (its key's line), else the document start."""
        for end in range(len(at), 0, -1):
            if at[:end] in self.lines:
                return SourceLocation(path, self.lines[at[:end]])
        return SourceLocation(path, self.line, self.end_line)

    def locations(self, path: str, prefix: AttrPath = ()) -> dict[AttrPath, SourceLocation]:
        """Every recorded line under ``prefix``, re-rooted there: a resource's ``value_locations``."""
        size = len(prefix)
        return {key[size:]: SourceLocation(path, line) for key, line in self.lines.items()
                if key[:size] == prefix and len(key) > size}


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _TooLarge


class _TooLarge(Exception):
    pass


def load_documents(text: str, path: str) -> list[Document] | LoadError:
    """Every document of a YAML stream, or an error naming the line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            nodes = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None:
                    nodes.append(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return LoadError(path, line, f"invalid YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return LoadError(path, 1, f"invalid YAML: {exc}")
    except RecursionError:
        return LoadError(path, 1, "invalid YAML: nested too deeply")
    documents: list[Document] = []
    budget = _Budget()
    for node in nodes:
        lines: dict[AttrPath, int] = {}
        try:
            value = _build(node, (), lines, budget)
        except _TooLarge:
            return LoadError(path, node.start_mark.line + 1, "YAML expands to too many values (alias bomb?)")
        except RecursionError:
            return LoadError(path, node.start_mark.line + 1, "invalid YAML: nested too deeply")
        documents.append(Document(value, node.start_mark.line + 1, node.end_mark.line + 1, lines))
    return documents


def _build(node: yaml.Node, at: AttrPath, lines: dict[AttrPath, int], budget: _Budget) -> Any:
    budget.spend()
    tag = node.tag or ""
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in _merged(node):
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(_build(key_node, at, {}, budget))
            key_text = "" if key is None else str(key)
            lines.setdefault(at + (key_text,), key_node.start_mark.line + 1)
            result[key_text] = _build(value_node, at + (key_text,), lines, budget)
        return _tagged(tag, result)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines.setdefault(at + (index,), item.start_mark.line + 1)
            items.append(_build(item, at + (index,), lines, budget))
        return _tagged(tag, items)
    return _tagged(tag, _scalar(node))


def _merged(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
    """Pairs of a mapping, with ``<<: *anchor`` merge keys expanded (later keys win)."""
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:merge":
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, yaml.MappingNode):
                    yield from _merged(source)
        else:
            yield key_node, value_node


def _tagged(tag: str, value: Any) -> Any:
    if tag in _SHORT_TAGS:
        name = _SHORT_TAGS[tag]
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {name: value}
    return value


@functools.cache
def _scalars() -> yaml.SafeLoader:
    """The loader scalar constructors are called with, made once: only when YAML is read, so that a
    scan that reads none never imports the parser (this module is imported for its names)."""
    return yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    tag = node.tag
    if tag is None or tag.startswith("!") or tag == "tag:yaml.org,2002:str":
        return node.value
    constructor = yaml.SafeLoader.yaml_constructors.get(tag)
    if constructor is None or tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
        return node.value
    try:
        return constructor(_scalars(), node)
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value
