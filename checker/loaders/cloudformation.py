"""AWS CloudFormation templates (YAML or JSON) turned into resources.

Each entry of ``Resources`` is one resource: its type is the CloudFormation
type (``AWS::S3::Bucket``), its name and address the logical id, its
attributes the ``Properties``. Intrinsic functions are resolved as far as the
template itself decides them: a parameter's ``Default`` (reported at the
default's line, the place to change), ``Fn::Sub``/``Fn::Join`` of known parts,
``Fn::FindInMap`` over literal keys, ``Fn::If`` on a condition the defaults
decide. A ``Ref`` to another resource becomes a ``Reference`` so relations see
it; anything chosen at deploy time (pseudo parameters, parameters without a
default, imports) stays ``Unknown`` and can never pass a rule.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.loaders.json_documents import load_json
from checker.loaders.yaml_documents import Document, load_documents
from checker.model import AttrPath, LoadError, LoadOutcome, Reference, Resource, SourceLocation, Unknown
from checker.sources import SourceFile, texts

FORMAT = "cloudformation"

_YAML_SUFFIXES = (".yaml", ".yml", ".template")
_JSON_SUFFIXES = (".json", ".template")
_YAML_VERSION = re.compile(r"^AWSTemplateFormatVersion\s*:", re.MULTILINE)
_YAML_SECTION = re.compile(r"^(Resources|Parameters)\s*:", re.MULTILINE)
_YAML_AWS_TYPE = re.compile(r"^\s+Type\s*:\s*[\"']?AWS::", re.MULTILINE)
_JSON_VERSION = re.compile(r'"AWSTemplateFormatVersion"\s*:')
_JSON_SECTION = re.compile(r'"(Resources|Parameters)"\s*:')
_JSON_AWS_TYPE = re.compile(r'"Type"\s*:\s*"AWS::')
_KUBERNETES = re.compile(r"^apiVersion\s*:.*^kind\s*:|^kind\s*:.*^apiVersion\s*:", re.MULTILINE | re.DOTALL)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SECRET_KEY = re.compile(r"(?i)(password|passwd|secret|token|privatekey|private_key|accesskey|apikey|credential)")
_REDACTED = "[redacted]"
_PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::Partition", "AWS::Region", "AWS::StackId",
    "AWS::StackName", "AWS::URLSuffix",
})
_NO_VALUE = "AWS::NoValue"
_RESOURCE_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")


class _Absent:
    """``AWS::NoValue``: the property is removed, as if it were never written."""


_ABSENT = _Absent()


def claims(path: str, head: bytes) -> bool:
    """A template by extension and by its first bytes; Kubernetes manifests and plans are left alone."""
    name = posixpath.basename(path).lower()
    text = head.decode("utf-8", "replace")
    if name.endswith(_JSON_SUFFIXES) and text.lstrip().startswith("{"):
        return bool(_JSON_VERSION.search(text) or (_JSON_SECTION.search(text) and _JSON_AWS_TYPE.search(text)))
    if name.endswith(_YAML_SUFFIXES):
        if _KUBERNETES.search(text):
            return False
        return bool(_YAML_VERSION.search(text) or (_YAML_SECTION.search(text) and _YAML_AWS_TYPE.search(text)))
    return False


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source, text in texts(sorted(files, key=lambda f: f.path), outcome):
        document = _document(text, source.path)
        if isinstance(document, LoadError):
            outcome.errors.append(document)
            continue
        outcome.extend(load_template(document, source.path))
    return outcome


def _document(text: str, path: str) -> Document | LoadError:
    if text.lstrip().startswith("{"):
        return load_json(text, path)
    documents = load_documents(text, path)
    if isinstance(documents, LoadError):
        return documents
    templates = [d for d in documents if isinstance(d.value, dict)]
    if len(templates) != 1:
        return LoadError(path, documents[1].line if len(documents) > 1 else 1,
                         "a CloudFormation template is one YAML document holding a mapping")
    return templates[0]


def load_template(document: Document, path: str) -> LoadOutcome:
    """Never raises: a template of the wrong shape is a LoadError naming the line."""
    template = document.value
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return LoadOutcome(errors=[LoadError(path, document.line, "not a CloudFormation template: no Resources "
                                             "mapping")])
    context = _Template(template, document, path)
    outcome = LoadOutcome()
    for logical_id, body in resources.items():
        line = document.lines.get(("Resources", logical_id), document.line)
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            outcome.errors.append(LoadError(path, line, f"resource {logical_id} has no Type"))
            continue
        if "Properties" in body and not isinstance(body["Properties"], dict):
            outcome.errors.append(LoadError(path, line, f"Properties of {logical_id} is not a mapping"))
            continue
        resource = context.resource(logical_id, body, line)
        if resource is None:
            outcome.notes.append(LoadError(path, line, f"{logical_id} is not created: its condition "
                                           f"{body.get('Condition')} is false with the parameter defaults",
                                           kind="skipped"))
        else:
            outcome.resources.append(resource)
    return outcome


@dataclass
class _Template:
    template: dict[str, Any]
    document: Document
    path: str
    overrides: dict[AttrPath, SourceLocation] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        found = self.template.get(name)
        return found if isinstance(found, dict) else {}

    def resource(self, logical_id: str, body: dict[str, Any], line: int) -> Resource | None:
        notes: list[str] = []
        condition = body.get("Condition")
        if isinstance(condition, str):
            holds = self.condition(condition, ())
            if holds is False:
                return None
            if holds is None:
                notes.append(f"created only when condition {condition} holds, which the template does not decide")
        self.overrides = {}
        prefix: AttrPath = ("Resources", logical_id, "Properties")
        properties = self.resolve(body.get("Properties") or {}, ())
        attrs: dict[str, Any] = dict(properties) if isinstance(properties, dict) else {}
        for key in _RESOURCE_ATTRIBUTES:
            value = self.resolve(body.get(key), (key,))
            if isinstance(value, (str, Unknown)):
                attrs[key] = value
        locations = self.document.locations(self.path, prefix)
        for key in _RESOURCE_ATTRIBUTES:
            if ("Resources", logical_id, key) in self.document.lines:
                locations[(key,)] = SourceLocation(self.path, self.document.lines[("Resources", logical_id, key)])
        locations.update(self.overrides)
        return Resource(
            format=FORMAT, type=body["Type"], name=logical_id, address=logical_id, attrs=attrs,
            location=SourceLocation(self.path, line), scope=self.path, value_locations=locations,
            notes=tuple(notes),
        )

    def resolve(self, value: Any, at: AttrPath) -> Any:
        """The value with every intrinsic function the template decides replaced by its result."""
        if isinstance(value, list):
            items = [self.resolve(item, at + (index,)) for index, item in enumerate(value)]
            return [item for item in items if item is not _ABSENT]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (name, argument), = value.items()
            if name == "Ref" or name.startswith("Fn::"):
                return self.function(name, argument, at)
        resolved: dict[str, Any] = {}
        for key, item in value.items():
            result = self.resolve(item, at + (key,))
            if result is _ABSENT:
                continue
            if _SECRET_KEY.search(key) and isinstance(result, str):
                result = _REDACTED
            resolved[key] = result
        return resolved

    def function(self, name: str, argument: Any, at: AttrPath) -> Any:
        if name == "Ref":
            return self.ref(argument, at)
        if name == "Fn::GetAtt":
            return self.get_att(argument)
        if name == "Fn::Sub":
            return self.sub(argument, at)
        if name == "Fn::Join":
            return self.join(argument, at)
        if name == "Fn::If":
            return self.if_(argument, at)
        if name == "Fn::FindInMap":
            return self.find_in_map(argument, at)
        if name == "Fn::Select":
            return self.select(argument, at)
        return Unknown(f"{name} is evaluated by CloudFormation at deploy time", name)

    def ref(self, name: Any, at: AttrPath) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref of something that is not a name", "Ref")
        if name == _NO_VALUE:
            return _ABSENT
        if name in _PSEUDO_PARAMETERS:
            return Unknown(f"pseudo parameter {name} is known only at deploy time", f"Ref {name}")
        resources = self.section("Resources")
        if name in resources:
            return self.reference(name, "")
        parameters = self.section("Parameters")
        if name not in parameters:
            return Unknown(f"Ref to {name}, which the template does not declare", f"Ref {name}")
        parameter = parameters[name] if isinstance(parameters[name], dict) else {}
        if parameter.get("NoEcho") in (True, "true", "True"):
            return Unknown(f"parameter {name} is a NoEcho secret", f"Ref {name}")
        if "Default" not in parameter:
            return Unknown(f"parameter {name} has no Default; its value is given at deploy time", f"Ref {name}")
        default_line = self.document.lines.get(("Parameters", name, "Default"))
        if default_line is not None and at:
            self.overrides[at] = SourceLocation(self.path, default_line)
        default = parameter["Default"]
        kind = str(parameter.get("Type", ""))
        if isinstance(default, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
            return [item.strip() for item in default.split(",")]
        return default

    def reference(self, logical_id: str, attribute: str) -> Reference:
        body = self.section("Resources").get(logical_id)
        kind = body.get("Type") if isinstance(body, dict) else None
        target = f"{kind}.{logical_id}" if isinstance(kind, str) else logical_id
        expr = f"Fn::GetAtt {logical_id}.{attribute}" if attribute else f"Ref {logical_id}"
        return Reference(f"refers to {logical_id}", expr, target=target, attribute=attribute)

    def get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)
                and argument[0] in self.section("Resources")):
            return self.reference(argument[0], str(argument[1]))
        return Unknown("Fn::GetAtt of a resource the template does not declare", "Fn::GetAtt")

    def sub(self, argument: Any, at: AttrPath) -> Any:
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template, variables = argument[0], argument[1]
        else:
            template, variables = argument, {}
        if not isinstance(template, str):
            return Unknown("Fn::Sub of something that is not a string", "Fn::Sub")
        unknown: list[Unknown] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name], ())
            elif "." in name:
                value = self.get_att(name)
            else:
                value = self.ref(name, ())
            text = _literal(value)
            if text is None:
                unknown.append(value if isinstance(value, Unknown) else Unknown(f"${{{name}}} is not a string"))
                return ""
            return text

        result = _SUB_VARIABLE.sub(replace, template)
        if unknown:
            return Unknown(f"Fn::Sub depends on a value not known before deploy ({unknown[0].reason})", "Fn::Sub")
        return result

    def join(self, argument: Any, at: AttrPath) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            return Unknown("Fn::Join of an unexpected shape", "Fn::Join")
        items = self.resolve(argument[1], ())
        if not isinstance(items, list):
            return Unknown("Fn::Join over a list not known before deploy", "Fn::Join")
        texts = [_literal(item) for item in items]
        if any(text is None for text in texts):
            return Unknown("Fn::Join of a value not known before deploy", "Fn::Join")
        return argument[0].join(text for text in texts if text is not None)

    def if_(self, argument: Any, at: AttrPath) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            return Unknown("Fn::If of an unexpected shape", "Fn::If")
        holds = self.condition(argument[0], ())
        if holds is None:
            return Unknown(f"condition {argument[0]} is decided at deploy time", "Fn::If")
        return self.resolve(argument[1] if holds else argument[2], at)

    def find_in_map(self, argument: Any, at: AttrPath) -> Any:
        if not (isinstance(argument, list) and len(argument) >= 3):
            return Unknown("Fn::FindInMap of an unexpected shape", "Fn::FindInMap")
        keys = [self.resolve(key, ()) for key in argument[:3]]
        if not all(isinstance(key, str) for key in keys):
            return Unknown("Fn::FindInMap with a key known only at deploy time", "Fn::FindInMap")
        found: Any = self.section("Mappings")
        for key in keys:
            found = found.get(key) if isinstance(found, dict) else None
        if found is None:
            return Unknown("Fn::FindInMap of a key the Mappings do not hold", "Fn::FindInMap")
        line = self.document.lines.get(("Mappings", *keys))
        if line is not None and at:
            self.overrides[at] = SourceLocation(self.path, line)
        return found

    def select(self, argument: Any, at: AttrPath) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("Fn::Select of an unexpected shape", "Fn::Select")
        index, items = self.resolve(argument[0], ()), self.resolve(argument[1], ())
        try:
            position = int(index)
        except (TypeError, ValueError):
            return Unknown("Fn::Select with an index known only at deploy time", "Fn::Select")
        if not isinstance(items, list) or not 0 <= position < len(items):
            return Unknown("Fn::Select over a list known only at deploy time", "Fn::Select")
        return items[position]

    def condition(self, name: str, seen: tuple[str, ...]) -> bool | None:
        """True or False when the parameter defaults decide it, else None."""
        if name in seen:
            return None
        body = self.section("Conditions").get(name)
        return self.truth(body, seen + (name,)) if body is not None else None

    def truth(self, value: Any, seen: tuple[str, ...]) -> bool | None:
        if isinstance(value, bool):
            return value
        if not (isinstance(value, dict) and len(value) == 1):
            return None
        (name, argument), = value.items()
        if name == "Condition" and isinstance(argument, str):
            return self.condition(argument, seen)
        if not isinstance(argument, list):
            return None
        if name == "Fn::Equals" and len(argument) == 2:
            left, right = (_literal(self.resolve(side, ())) for side in argument)
            return None if left is None or right is None else left == right
        parts = [self.truth(part, seen) for part in argument]
        if name == "Fn::Not" and len(parts) == 1:
            return None if parts[0] is None else not parts[0]
        if name == "Fn::And":
            return False if False in parts else (None if None in parts else True)
        if name == "Fn::Or":
            return True if True in parts else (None if None in parts else False)
        return None


def _literal(value: Any) -> str | None:
    """The text CloudFormation would substitute for a known scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None

