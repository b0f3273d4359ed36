"""Terraform plans in JSON (``terraform show -json plan.out``) turned into resources.

A plan has already evaluated variables, modules and ``count``, so its
``planned_values`` are what will really be created. What it cannot know yet
survives only beside them: ``after_unknown`` marks values decided at apply
time, and the ``configuration`` section keeps which resource an argument
points at, which is what relations between resources are built from.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from checker.model import (
    AttrPath,
    LoadError,
    LoadOutcome,
    Reference,
    Resource,
    SourceLocation,
    Unknown,
)
from checker.sources import SourceFile, texts

JSONObject = dict[str, Any]
_ConfigKey = tuple[tuple[str, ...], str, str]

_NOTE = "from a Terraform plan"
_SUPPORTED_MAJOR_VERSIONS = frozenset({"0", "1"})
_OPENING_BRACE = re.compile(r"\s*\{")
_PLANNED_VALUES_KEY = re.compile(r'"planned_values"\s*:')
_ADDRESS_KEY = re.compile(r'"address"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
_INSTANCE_KEY = r'(?:\[(?:\d+|"[^"\\]*(?:\\.[^"\\]*)*")\])?'
_MODULE_STEP = re.compile(r'module\.([^.\["]+)' + _INSTANCE_KEY)
_RESOURCE_REFERENCE = re.compile(
    r"([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)" + _INSTANCE_KEY + r"(?:\.([A-Za-z_][\w-]*))?"
)
_NOT_RESOURCE_PREFIXES = frozenset(
    {"var", "local", "module", "data", "path", "terraform", "count", "each", "self"}
)


class _ShapeError(Exception):
    """Parsed JSON that is not laid out like a plan; always turned into a LoadError."""


FORMAT = "terraform"


def claims(path: str, head: bytes) -> bool:
    """A plan's first bytes name its format and Terraform version; ``planned_values`` may come later."""
    if not path.endswith(".json"):
        return False
    text = head.decode("utf-8", "replace")
    return looks_like_plan(text) or (
        _OPENING_BRACE.match(text) is not None and '"format_version"' in text and '"terraform_version"' in text
    )


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(sorted(files, key=lambda f: f.path), outcome):
        outcome.extend(load_plan(text, source.path))
    return outcome


def looks_like_plan(text: str) -> bool:
    """Substring tests only, so sniffing a large file costs a scan, never a parse."""
    return (
        _OPENING_BRACE.match(text) is not None
        and '"format_version"' in text
        and ('"planned_values"' in text or '"resource_changes"' in text)
    )


def load_plan(text: str, path: str) -> LoadOutcome:
    """Never raises: anything that cannot be read becomes a LoadError for ``path``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _failure(path, exc.lineno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return _failure(path, 1, "invalid JSON: nested too deeply to read")
    except ValueError as exc:
        return _failure(path, 1, f"invalid JSON: {exc}")
    try:
        return LoadOutcome(resources=list(_resources(document, text, path)))
    except _ShapeError as exc:
        return _failure(path, 1, f"not a Terraform plan: {exc}")
    except RecursionError:
        return _failure(path, 1, "Terraform plan nested too deeply to read")


def _failure(path: str, line: int, message: str) -> LoadOutcome:
    return LoadOutcome(errors=[LoadError(path, line, message, kind="parse")])


def _resources(document: Any, text: str, path: str) -> Iterator[Resource]:
    plan = _object(document, "the document")
    _check_version(plan.get("format_version"))
    planned = plan.get("planned_values")
    if not isinstance(planned, dict):
        raise _ShapeError("planned_values is missing or not an object")
    changes = _changes_by_address(plan.get("resource_changes"))
    configuration = _object(plan.get("configuration"), "configuration")
    expressions = _config_expressions(configuration.get("root_module"))
    first_line, lines = _address_lines(text)
    root = _object(planned.get("root_module"), "planned_values.root_module")
    for scope, raw in _planned_resources(root):
        if raw.get("mode", "managed") != "managed":
            continue
        address, type_, name = (_string(raw, key) for key in ("address", "type", "name"))
        calls = tuple(_MODULE_STEP.findall(scope))
        change = changes.get(address, {})
        attrs = _attrs(raw, change, expressions.get((calls, type_, name), {}))
        location = SourceLocation(path, lines.get(address, first_line))
        yield Resource("terraform", type_, name, address, attrs, location, scope, notes=(_NOTE,))


def _check_version(version: Any) -> None:
    """The format promises breaking changes only with a new major version."""
    if not isinstance(version, str):
        raise _ShapeError("format_version is missing or not a string")
    if version.split(".")[0] not in _SUPPORTED_MAJOR_VERSIONS:
        raise _ShapeError(f"unsupported format_version {version[:20]!r}")


def _planned_resources(root: JSONObject) -> Iterator[tuple[str, JSONObject]]:
    """Depth first, a module's own resources before its children's, as the file lists them.

    Iterative, because module trees as deep as JSON allows would overflow the stack.
    """
    stack: list[tuple[str, JSONObject]] = [("", root)]
    while stack:
        scope, module = stack.pop()
        for raw in _list(module.get("resources"), "resources"):
            yield scope, _object(raw, "a planned resource")
        children = _list(module.get("child_modules"), "child_modules")
        children = [_object(child, "a child module") for child in children]
        stack.extend((_string(child, "address"), child) for child in reversed(children))


def _changes_by_address(value: Any) -> dict[str, JSONObject]:
    """Deposed objects share their address with the current one, so they are left out."""
    changes: dict[str, JSONObject] = {}
    for raw in _list(value, "resource_changes"):
        entry = _object(raw, "a resource change")
        address, change = entry.get("address"), entry.get("change")
        if isinstance(address, str) and isinstance(change, dict) and "deposed" not in entry:
            changes.setdefault(address, change)
    return changes


def _config_expressions(root: Any) -> dict[_ConfigKey, JSONObject]:
    """Expressions of each managed resource block, keyed by module call names, type and name.

    Read leniently: configuration only adds references, never values.
    """
    found: dict[_ConfigKey, JSONObject] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), root)]
    while stack:
        calls, module = stack.pop()
        if not isinstance(module, dict):
            continue
        resources = module.get("resources")
        for entry in resources if isinstance(resources, list) else []:
            if isinstance(entry, dict) and entry.get("mode", "managed") == "managed":
                expressions = entry.get("expressions")
                key = (calls, str(entry.get("type")), str(entry.get("name")))
                found.setdefault(key, expressions if isinstance(expressions, dict) else {})
        module_calls = module.get("module_calls")
        for call, body in (module_calls if isinstance(module_calls, dict) else {}).items():
            stack.append(((*calls, call), body.get("module") if isinstance(body, dict) else None))
    return found


def _address_lines(text: str) -> tuple[int, dict[str, int]]:
    """Line of the first ``"address": ...`` per address from planned_values on, in one pass."""
    start = _PLANNED_VALUES_KEY.search(text)
    offset = start.start() if start else 0
    first_line = line = text.count("\n", 0, offset) + 1
    lines: dict[str, int] = {}
    for match in _ADDRESS_KEY.finditer(text, offset):
        line += text.count("\n", offset, match.start())
        offset = match.start()
        lines.setdefault(_unescape(match[1]), line)
    return first_line, lines


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def _attrs(raw: JSONObject, change: JSONObject, expressions: JSONObject) -> JSONObject:
    """Sensitive masks go after unknown ones so no secret survives; references win last."""
    attrs = dict(_object(raw.get("values"), "values"))
    _mask(attrs, change.get("after_unknown"), "known only after apply")
    _mask(attrs, raw.get("sensitive_values"), "sensitive value")
    _mask(attrs, change.get("after_sensitive"), "sensitive value")
    attrs.update(_references(expressions))
    return attrs


def _mask(attrs: JSONObject, mask: Any, reason: str) -> None:
    if mask is True:
        paths: list[AttrPath] = [(key,) for key in attrs]
    elif isinstance(mask, dict):
        paths = list(_true_paths(mask, ()))
    else:
        paths = []
    for attr_path in paths:
        _set_path(attrs, attr_path, Unknown(reason, ".".join(map(str, attr_path))))


def _true_paths(mask: Any, prefix: AttrPath) -> Iterator[AttrPath]:
    if mask is True:
        yield prefix
    elif isinstance(mask, dict):
        for key, sub in mask.items():
            yield from _true_paths(sub, (*prefix, key))
    elif isinstance(mask, list):
        for index, sub in enumerate(mask):
            yield from _true_paths(sub, (*prefix, index))


def _set_path(attrs: JSONObject, path: AttrPath, leaf: Unknown) -> None:
    """Whatever is in the way is replaced, so a mask never lets the value under it through."""
    node: Any = attrs
    for step, following in zip(path, path[1:]):
        child = _get(node, step)
        if isinstance(child, Unknown):
            return
        wanted = list if isinstance(following, int) else dict
        if not isinstance(child, wanted):
            child = wanted()
            _put(node, step, child)
        node = child
    _put(node, path[-1], leaf)


def _get(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if step < len(node) else None
    return node.get(step)


def _put(node: Any, step: str | int, value: Any) -> None:
    if isinstance(step, int):
        node.extend([None] * (step + 1 - len(node)))
    node[step] = value


def _references(expressions: JSONObject) -> dict[str, Reference]:
    found: dict[str, Reference] = {}
    for attr, expression in expressions.items():
        names = expression.get("references") if isinstance(expression, dict) else None
        for name in names if isinstance(names, list) else []:
            reference = _resource_reference(name) if isinstance(name, str) else None
            if reference is not None:
                found[attr] = reference
                break
    return found


def _resource_reference(name: str) -> Reference | None:
    """Configuration references are module-local, so the target needs no module prefix."""
    match = _RESOURCE_REFERENCE.match(name)
    if match is None or match[1] in _NOT_RESOURCE_PREFIXES:
        return None
    target = f"{match[1]}.{match[2]}"
    return Reference(f"refers to {target}", name, target=target, attribute=match[3] or "")


def _object(value: Any, what: str) -> JSONObject:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _ShapeError(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _ShapeError(f"{what} is not a list")
    return value


def _string(value: JSONObject, key: str) -> str:
    found = value.get(key)
    if not isinstance(found, str):
        raise _ShapeError(f'"{key}" is missing or not a string in a resource or module')
    return found
