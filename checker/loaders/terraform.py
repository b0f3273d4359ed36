"""Terraform configuration (`.tf` and `.tfvars`) into resources.

Every folder of `.tf` files is read as a root module with its own variable
defaults and tfvars, and every call of a local module (`source = "./x"`) is
read again as an instance with the caller's arguments, so a value passed in
from an example points at the line of the example that set it.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from checker.loaders.hcl import Attribute, Block, SyntaxProblem, parse
from checker.loaders.hcl_eval import Located, Scope, convert, evaluate, evaluate_located, source_location
from checker.loaders.terraform_providers import providers
from checker.model import AttrPath, LoadError, LoadOutcome, Resource, SourceLocation, Unknown
from checker.sources import SourceFile

FORMAT = "terraform"
MAX_MODULE_DEPTH = 8
_META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
_UNREAD_BLOCKS = frozenset({"output", "data", "moved", "removed", "import", "check"})
"""Top-level blocks no resource is built from; their contents are not converted."""
_AHEAD: dict[bytes, tuple[Block, list[SyntaxProblem]]] = {}
"""Files parsed before they were asked for (``parse_ahead``), by content; each is used once."""
_MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}


def claims(path: str, head: bytes = b"") -> bool:
    name = posixpath.basename(path)
    return name.endswith((".tf", ".tfvars", ".tf.json"))


_LITERAL_LOCAL_SOURCE = re.compile(rb'source\s*=\s*"(\.\.?/[^"]*)"')
"""Without a leading ``\\b``, which would keep the regex engine from skipping ahead to each
``source`` (ten times slower over a tree); ``_local_sources`` checks the boundary itself."""


def partition(files: Sequence[SourceFile]) -> list[list[SourceFile]]:
    """The files in groups of folders that no local module call links, each of which loads the
    same alone as with the rest (so each can be cached, and loaded on a core, on its own).

    Terraform requires a module's ``source`` to be a literal string, so a search of the text for
    literal local sources finds every call; one that is not a call (in a comment, say) merely
    keeps two groups together.
    """
    parent: dict[str, str] = {}

    def find(folder: str) -> str:
        parent.setdefault(folder, folder)
        while parent[folder] != folder:
            parent[folder] = parent[parent[folder]]
            folder = parent[folder]
        return folder

    for source in files:
        folder = posixpath.dirname(source.path)
        find(folder)
        for found in _local_sources(source.data):
            relative = found.decode("utf-8", "surrogateescape")
            target = posixpath.normpath(posixpath.join(folder, relative)) if folder else posixpath.normpath(relative)
            parent[find(folder)] = find("" if target == "." else target)
    groups: dict[str, list[SourceFile]] = {}
    for source in files:
        groups.setdefault(find(posixpath.dirname(source.path)), []).append(source)
    return sorted(groups.values(), key=lambda group: min(posixpath.dirname(f.path) for f in group))


def _local_sources(data: bytes) -> Iterator[bytes]:
    """What ``\\bsource\\s*=\\s*"(\\.\\.?/[^"]*)"`` would find: literal local sources after a word boundary."""
    position = 0
    while (match := _LITERAL_LOCAL_SOURCE.search(data, position)) is not None:
        start = match.start()
        before = data[start - 1 : start]
        if before and (before.isalnum() or before == b"_"):
            position = start + 1
            continue
        yield match.group(1)
        position = match.end()


@dataclass
class _Module:
    folder: str
    variables: dict[str, tuple[Block, str]] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    resources: list[tuple[Block, str]] = field(default_factory=list)
    calls: list[tuple[Block, str]] = field(default_factory=list)
    tfvars: dict[str, Located] = field(default_factory=dict)
    """Values Terraform loads by itself: terraform.tfvars, then *.auto.tfvars in name order."""
    var_files: dict[str, dict[str, Located]] = field(default_factory=dict)
    """Other tfvars files beside the module, each one deployment's values (``-var-file``)."""


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    modules: dict[str, _Module] = {}
    for source in sorted(files, key=_load_order):
        folder = posixpath.dirname(source.path)
        if source.path.endswith(".tf.json"):
            outcome.notes.append(LoadError(source.path, 1, "Terraform JSON syntax is not read; its resources are "
                                           "not checked", kind="skipped"))
            continue
        module = modules.setdefault(folder, _Module(folder))
        text = source.text()
        if isinstance(text, LoadError):
            outcome.errors.append(text)
            continue
        ahead = _AHEAD.pop(source.data, None)
        root, problems = ahead if ahead is not None else parse(text.encode("utf-8"), _UNREAD_BLOCKS)
        if problems:
            first = problems[0]
            outcome.errors.append(LoadError(source.path, first.line, f"invalid HCL: {first.message}"))
            continue
        if source.path.endswith(".tfvars"):
            _collect_tfvars(module, root, source.path)
        else:
            _collect(module, root, source.path)
            outcome.resources.extend(providers(root, source.path))
    called = _called_folders(modules)
    for folder in sorted(modules):
        module = modules[folder]
        if not module.resources and not module.calls:
            continue
        is_root = folder not in called
        for var_file in (sorted(module.var_files) if is_root and module.var_files else [None]):
            values = {**module.tfvars, **module.var_files[var_file]} if var_file else module.tfvars
            scope_key = f"{folder}[{posixpath.basename(var_file)}]" if var_file else folder
            try:
                outcome.resources.extend(
                    _instantiate(modules, folder, None, "", scope_key, (), deployment_root=is_root, tfvars=values,
                                 variant=var_file)
                )
            except RecursionError:
                outcome.errors.append(LoadError(folder or ".", 1, "module nested too deeply to evaluate"))
    return outcome


def parse_ahead(source: SourceFile) -> None:
    """Parse a file now for a ``load`` to come, which takes the parse if it reads the same bytes (a
    process with time to spare parses what it expects to load: see ``checker.prefetch``)."""
    text = source.text()
    if not isinstance(text, LoadError) and not source.path.endswith(".tf.json"):
        _AHEAD[source.data] = parse(text.encode("utf-8"), _UNREAD_BLOCKS)


def parsed_ahead(source: SourceFile) -> bool:
    return source.data in _AHEAD


def _load_order(source: SourceFile) -> tuple[str, int, str]:
    """Terraform reads terraform.tfvars before *.auto.tfvars; later values win."""
    folder, name = posixpath.split(source.path)
    return folder, 0 if name == "terraform.tfvars" else 1, name


def _local_source(folder: str, call: Block) -> str | None:
    source = evaluate(call.attributes["source"].expr, Scope()) if "source" in call.attributes else None
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    target = posixpath.normpath(posixpath.join(folder, source)) if folder else posixpath.normpath(source)
    return "" if target == "." else target


def _called_folders(modules: Mapping[str, _Module]) -> set[str]:
    """Folders some other folder uses as a module: reusable modules rather than deployments."""
    return {
        target
        for folder, module in modules.items()
        for call, _ in module.calls
        if (target := _local_source(folder, call)) is not None and target != folder
    }


def _collect(module: _Module, root: Block, path: str) -> None:
    for block in root.blocks:
        if block.type == "resource" and len(block.labels) == 2:
            module.resources.append((block, path))
        elif block.type == "variable" and block.labels:
            module.variables[block.labels[0]] = (block, path)
        elif block.type == "locals":
            for name, attribute in block.attributes.items():
                module.locals[name] = (attribute, path)
        elif block.type == "module" and block.labels:
            module.calls.append((block, path))


def _collect_tfvars(module: _Module, root: Block, path: str) -> None:
    empty = Scope()
    values = {
        name: Located(evaluate(attribute.expr, empty, path), SourceLocation(path, attribute.line))
        for name, attribute in root.attributes.items()
    }
    name = posixpath.basename(path)
    if name == "terraform.tfvars" or name.endswith(".auto.tfvars"):
        module.tfvars.update(values)
    else:
        module.var_files[path] = values


def _variables(
    module: _Module, inputs: Mapping[str, Located] | None, tfvars: Mapping[str, Located]
) -> dict[str, Located]:
    empty = Scope()
    values: dict[str, Located] = {}
    for name, (block, path) in module.variables.items():
        if inputs is not None and name in inputs:
            values[name] = inputs[name]
        elif inputs is None and name in tfvars:
            values[name] = tfvars[name]
        elif "default" in block.attributes:
            default = block.attributes["default"]
            values[name] = Located(evaluate(default.expr, empty, path), source_location(path, default.line))
        else:
            where = "in the module call" if inputs is not None else "in the scanned files"
            reason = f"variable `{name}` has no default and no value {where}"
            values[name] = Located(Unknown(reason, f"var.{name}"), SourceLocation(path, block.line))
        type_expr = block.attributes["type"].expr if "type" in block.attributes else None
        if type_expr is not None and type_expr.kind == "call":
            located = values[name]
            converted = convert(located.value, type_expr, path)
            if converted is not located.value:
                values[name] = Located(converted, located.location)
    return values


def _instantiate(
    modules: Mapping[str, _Module],
    folder: str,
    inputs: Mapping[str, Located] | None,
    prefix: str,
    scope_key: str,
    stack: tuple[str, ...],
    caller: SourceLocation | None = None,
    deployment_root: bool = False,
    tfvars: Mapping[str, Located] | None = None,
    variant: str | None = None,
) -> Iterator[Resource]:
    module = modules[folder]
    scope = Scope(_variables(module, inputs, module.tfvars if tfvars is None else tfvars), module.locals)
    inputs_open = _OpenInputs(module) if deployment_root else None
    variant_notes = (f"with the values of {variant}",) if variant else ()
    for block, path in module.resources:
        yield from _resources(block, path, scope, prefix, scope_key, caller, inputs_open, variant_notes)
    if len(stack) >= MAX_MODULE_DEPTH:
        return
    for call, path in module.calls:
        target = _local_source(folder, call)
        if target is None or target not in modules or target in stack or target == folder:
            continue
        name = call.labels[0]
        for key, call_scope in _repetitions(call, scope.at(path), path):
            arguments = {
                arg: _located(attr, call_scope, path)
                for arg, attr in call.attributes.items()
                if arg not in _MODULE_META
            }
            instance = f"module.{name}{key}"
            for resource in _instantiate(
                modules, target, arguments, f"{prefix}{instance}.", f"{scope_key}/{instance}", stack + (folder,),
                SourceLocation(path, call.line, call.end_line),
            ):
                yield replace(resource, notes=(*resource.notes, *variant_notes)) if variant_notes else resource


def _repetitions(block: Block, scope: Scope, path: str) -> list[tuple[str, Scope]]:
    """The instances a ``count`` or ``for_each`` block makes: (address key, scope with its iterator).

    An unknown repetition gives one instance whose iterator is unknown, so it is
    still checked; a known empty one gives none.
    """
    if "count" in block.attributes:
        count = evaluate(block.attributes["count"].expr, scope, path)
        if isinstance(count, Unknown):
            return [("", scope.with_iterators(count=Unknown(count.reason, "count.index")))]
        if isinstance(count, (int, float)) and not isinstance(count, bool):
            if count <= 0:
                return []
            index: Any = 0 if count == 1 else Unknown("one of several instances", "count.index")
            return [("", scope.with_iterators(count={"index": index}))]
    if "for_each" in block.attributes:
        each = evaluate(block.attributes["for_each"].expr, scope, path)
        if isinstance(each, Unknown):
            return [("", scope.with_iterators(each=Unknown(each.reason, "each")))]
        return [(f'["{key}"]', scope.with_iterators(each={"key": key, "value": value}))
                for key, value in _each_items(each)]
    return [("", scope)]


def _located(attribute: Attribute, scope: Scope, path: str) -> Located:
    value, written = evaluate_located(attribute.expr, scope, path)
    return Located(value, written or source_location(path, attribute.line))


class _OpenInputs:
    """A deployment's scope with every variable open, made only when a resource's count of 0 asks
    whether an input could switch it on."""

    def __init__(self, module: _Module) -> None:
        self._module = module
        self._scope: Scope | None = None

    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = Scope(_open_variables(self._module), self._module.locals)
        return self._scope


def _open_variables(module: _Module) -> dict[str, Located]:
    """Every variable of a deployment as not yet known: what another tfvars file or ``-var`` could set."""
    return {name: Located(Unknown(f"input variable `{name}`"), None) for name in module.variables}


def _resources(
    block: Block,
    path: str,
    scope: Scope,
    prefix: str,
    scope_key: str,
    caller: SourceLocation | None,
    inputs_open: _OpenInputs | None = None,
    trailing_notes: tuple[str, ...] = (),
) -> Iterator[Resource]:
    rtype, rname = block.labels
    address = f"{prefix}{rtype}.{rname}"
    scope = scope.at(path)
    repeat = "count" if "count" in block.attributes else "for_each" if "for_each" in block.attributes else None
    instances = _repetitions(block, scope, path)
    notes: tuple[str, ...] = ()
    if repeat == "count" and not instances and inputs_open is not None:
        if isinstance(evaluate(block.attributes["count"].expr, inputs_open.scope(), path), Unknown):
            reason = "count is 0 with the values in the scanned files, but an input variable switches it on"
            instances = [("", scope.with_iterators(count=Unknown(reason, "count.index")))]
            notes = (f"{reason}; checked as if created",)
    elif repeat and len(instances) == 1 and isinstance(instances[0][1].iterators.get(
            "count" if repeat == "count" else "each"), Unknown):
        notes = (f"{repeat} is not known; checked as if created",)
    notes += trailing_notes
    location = SourceLocation(path, block.line, block.end_line)
    for key, instance_scope in instances:
        instance_address = f"{address}{key}"
        locations: dict[AttrPath, SourceLocation] = {}
        attrs = _body(block, path, instance_scope, (), locations)
        yield Resource(
            format=FORMAT,
            type=rtype,
            name=rname,
            address=instance_address,
            attrs=attrs,
            location=location,
            scope=scope_key,
            value_locations=locations,
            notes=notes,
            module_call=caller,
        )


def _first_unknown_item(each: Any) -> Unknown | None:
    items = each.values() if isinstance(each, Mapping) else each if isinstance(each, list) else []
    return next((item for item in items if isinstance(item, Unknown)), None)


def _each_items(each: Any) -> list[tuple[str, Any]]:
    if isinstance(each, Mapping):
        return [(str(key), value) for key, value in each.items()]
    if isinstance(each, list):
        return [(str(item), item) for item in each if not isinstance(item, Unknown)]
    return []


def _body(
    block: Block, path: str, scope: Scope, prefix: AttrPath, locations: dict[AttrPath, SourceLocation]
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    top = not prefix
    for name, attribute in block.attributes.items():
        if top and name in _META_ARGUMENTS:
            continue
        expr = attribute.expr
        if expr.kind == "literal":
            attrs[name], written = expr.args[0], None
        else:
            attrs[name], written = evaluate_located(expr, scope, path)
        locations[prefix + (name,)] = written or source_location(path, attribute.line)
    for child in block.blocks:
        if not prefix and child.type in _META_ARGUMENTS:
            continue
        if child.type == "dynamic" and child.labels:
            _dynamic(attrs, child, path, scope, prefix, locations)
            continue
        items = attrs.setdefault(child.type, [])
        if not isinstance(items, list):
            continue
        child_path = prefix + (child.type, len(items))
        locations[child_path] = SourceLocation(path, child.line, child.end_line)
        items.append(_body(child, path, scope, child_path, locations))
    return attrs


def _dynamic(
    attrs: dict[str, Any],
    block: Block,
    path: str,
    scope: Scope,
    prefix: AttrPath,
    locations: dict[AttrPath, SourceLocation],
) -> None:
    label = block.labels[0]
    content = next((b for b in block.blocks if b.type == "content"), None)
    iterator = evaluate(block.attributes["iterator"].expr, Scope()) if "iterator" in block.attributes else label
    iterator_name = iterator if isinstance(iterator, str) else label
    for_each = (
        evaluate(block.attributes["for_each"].expr, scope, path)
        if "for_each" in block.attributes
        else Unknown("dynamic block without for_each")
    )
    items = attrs.setdefault(label, [])
    if not isinstance(items, list) or content is None:
        return
    unknown = for_each if isinstance(for_each, Unknown) else _first_unknown_item(for_each)
    if unknown is not None:
        locations[prefix + (label, len(items))] = SourceLocation(path, block.line, block.end_line)
        items.append(Unknown(f"dynamic block `{label}` repeats over a value not known ({unknown.reason})", label))
        return
    for key, value in _each_items(for_each):
        child_path = prefix + (label, len(items))
        locations[child_path] = SourceLocation(path, content.line, content.end_line)
        inner = scope.with_iterators(**{iterator_name: {"key": key, "value": value}})
        items.append(_body(content, path, inner, child_path, locations))
    if not items:
        del attrs[label]
