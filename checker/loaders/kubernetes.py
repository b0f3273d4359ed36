"""Kubernetes manifests: every object of every YAML document becomes a resource of its ``kind``.

The address is ``Kind/namespace/name`` as ``kubectl`` would create it (a
namespaced object without ``metadata.namespace`` lands in ``default``), so a
finding names the object an operator can look up. Items of a ``List`` are
objects of their own. Values of ``Secret`` objects are replaced on load.

Helm chart templates are Go templates, not YAML: they are reported as
skipped, with the advice to scan ``helm template`` output, rather than as
broken files. A whole value written as ``${VAR}`` is filled in before the
manifest is applied (``envsubst``), so it is ``Unknown``.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from typing import Any

from checker.loaders.yaml_documents import Document, load_documents
from checker.model import AttrPath, LoadError, LoadOutcome, Resource, SourceLocation, Unknown
from checker.sources import SourceFile

FORMAT = "kubernetes"

_API_VERSION = re.compile(r"^apiVersion:[ \t]*\S", re.MULTILINE)
_KIND = re.compile(r"^kind:[ \t]*\S", re.MULTILINE)
_CLOUDFORMATION = re.compile(r"AWSTemplateFormatVersion|^Resources:[ \t]*$[\s\S]*Type:[ \t]*['\"]?AWS::", re.MULTILINE)
_WHOLE_PLACEHOLDER = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$|^\$[A-Za-z_][A-Za-z0-9_]*$")
_HELM_NOTE = "Helm template: scan the output of `helm template` instead"
_REDACTED = "[redacted]"

CLUSTER_SCOPED = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterIssuer", "ClusterRole", "ClusterRoleBinding",
    "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition", "EncryptionConfiguration",
    "FlowSchema", "IngressClass", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume",
    "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass", "StorageClass",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration",
    "VolumeAttachment", "Kustomization", "Component", "KubeletConfiguration", "AdmissionConfiguration",
    "Cluster",
})
"""Kinds that live outside namespaces, and the configuration files (``apiserver.config.k8s.io``, kustomize,
kind) that are read by a tool rather than stored in one."""


def claims(path: str, head: bytes) -> bool:
    if not path.lower().endswith((".yaml", ".yml")):
        return False
    text = head.decode("utf-8", "replace")
    if _CLOUDFORMATION.search(text):
        return False
    if is_helm_template(path, text):
        return True
    return _API_VERSION.search(text) is not None and _KIND.search(text) is not None


def is_helm_template(path: str, text: str) -> bool:
    return "{{" in text and "templates" in posixpath.dirname(path).split("/")


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    for source in sorted(files, key=lambda f: f.path):
        outcome.extend(load_file(source))
    return outcome


def load_file(source: SourceFile) -> LoadOutcome:
    text = source.text()
    if isinstance(text, LoadError):
        return LoadOutcome(errors=[text])
    if is_helm_template(source.path, text):
        return LoadOutcome(notes=[LoadError(source.path, 1, _HELM_NOTE)])
    documents = load_documents(text, source.path)
    if isinstance(documents, LoadError):
        if "{{" in text:
            documents = LoadError(documents.path, documents.line, f"{documents.message} (the file holds `{{{{ }}}}` "
                                  "template syntax: scan its rendered output)", documents.kind)
        return LoadOutcome(errors=[documents])
    outcome = LoadOutcome()
    for index, document in enumerate(documents):
        if document.value is None:
            continue
        if not isinstance(document.value, dict) or not isinstance(document.value.get("kind"), str):
            outcome.notes.append(LoadError(source.path, document.line, "YAML document without a `kind`: not a "
                                           "Kubernetes object"))
            continue
        outcome.resources.extend(_objects(source.path, document, index, len(documents)))
    return outcome


def _objects(path: str, document: Document, index: int, count: int) -> Iterator[Resource]:
    value: dict[str, Any] = document.value
    kind: str = value["kind"]
    items = value.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for position, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("kind"), str):
                yield _resource(path, document, ("items", position), item, f"{index}.{position}", True)
        return
    yield _resource(path, document, (), value, str(index), count > 1)


def _resource(path: str, document: Document, at: AttrPath, raw: dict[str, Any], ordinal: str,
              several: bool) -> Resource:
    kind = str(raw["kind"])
    found = raw.get("metadata")
    metadata: dict[str, Any] = found if isinstance(found, dict) else {}
    name = metadata.get("name") or metadata.get("generateName")
    if not isinstance(name, str):
        stem = posixpath.splitext(posixpath.basename(path))[0]
        name = f"{stem}#{ordinal}" if several else stem
    namespace = metadata.get("namespace")
    if not isinstance(namespace, str):
        namespace = None if kind in CLUSTER_SCOPED else "default"
    address = f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"
    attrs = _redacted(raw) if kind == "Secret" else _placeholders(raw)
    line = document.lines.get(at, document.line) if at else document.line
    location = SourceLocation(path, line, document.end_line if not at else None)
    return Resource(FORMAT, kind, name, address, attrs, location, scope=namespace or "",
                    value_locations=document.locations(path, at))


def _placeholders(value: Any) -> Any:
    if isinstance(value, str) and _WHOLE_PLACEHOLDER.match(value):
        return Unknown(f"`{value}` is filled in before the manifest is applied", value)
    if isinstance(value, list):
        return [_placeholders(item) for item in value]
    if isinstance(value, dict):
        return {key: _placeholders(item) for key, item in value.items()}
    return value


def _redacted(secret: dict[str, Any]) -> dict[str, Any]:
    """A Secret keeps its shape (which keys it holds) but none of its values."""
    result = dict(secret)
    for field in ("data", "stringData"):
        if isinstance(result.get(field), dict):
            result[field] = {key: _REDACTED for key in result[field]}
    return result
