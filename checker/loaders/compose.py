"""Docker Compose files: one ``compose_service`` per service, and the connection settings in their environment.

Compose interpolates ``${VAR:-default}`` everywhere in the file before it
runs anything, so the loader does the same: a default is used, and a variable
without one is left to the deployment (the shell or the project's ``.env``)
and is ``Unknown`` wherever it decides a value. ``environment`` is a mapping
whether the file writes a list (``- KEY=value``) or a map; credentials in it
are replaced before a rule sees them.

Files in one folder form one Compose project (``docker-compose.yml`` plus
its overrides), and every service name, container name, hostname and network
alias of the project is a host inside it: traffic to those stays on the
project's own network.
"""
from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from checker.loaders import env_settings
from checker.loaders.yaml_documents import Document, load_documents
from checker.model import LoadError, LoadOutcome, Resource, SourceLocation, Unknown
from checker.sources import SourceFile

FORMAT = "compose"
TYPE = "compose_service"

_NAME = re.compile(r"^(?:docker-)?compose[\w.-]*\.ya?ml$")
_SERVICES = re.compile(r"^services:[ \t]*(?:#.*)?$", re.MULTILINE)
_SERVICE_KEY = re.compile(r"^[ \t]+(?:image|build):", re.MULTILINE)
_KUBERNETES = re.compile(r"^(?:apiVersion|kind):", re.MULTILINE)
_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
_UNSET = "set by the environment or the project's .env file when Compose runs"
_REDACTED = "[redacted]"


def claims(path: str, head: bytes) -> bool:
    name = posixpath.basename(path).lower()
    if not name.endswith((".yml", ".yaml")):
        return False
    if _NAME.match(name):
        return True
    text = head.decode("utf-8", "replace")
    return (_SERVICES.search(text) is not None and _SERVICE_KEY.search(text) is not None
            and _KUBERNETES.search(text) is None and "AWSTemplateFormatVersion" not in text)


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    outcome = LoadOutcome()
    projects: dict[str, list[tuple[str, dict[str, Any], Document]]] = defaultdict(list)
    for source in sorted(files, key=lambda f: f.path):
        parsed = _parse(source)
        if isinstance(parsed, LoadError):
            outcome.errors.append(parsed)
        else:
            projects[posixpath.dirname(source.path)].append((source.path, *parsed))
    for members in projects.values():
        hosts = frozenset(host.lower() for _, services, _ in members for host in _project_hosts(services))
        for path, services, document in members:
            outcome.resources.extend(_resources(path, services, document, hosts))
    return outcome


def _parse(source: SourceFile) -> tuple[dict[str, Any], Document] | LoadError:
    text = source.text()
    if isinstance(text, LoadError):
        return text
    documents = load_documents(text, source.path)
    if isinstance(documents, LoadError):
        return documents
    if not documents or not isinstance(documents[0].value, dict):
        return LoadError(source.path, 1, "not a Compose file: the document is not a mapping")
    document = documents[0]
    services = document.value.get("services", {})
    if services is None:
        services = {}
    if not isinstance(services, dict):
        return LoadError(source.path, document.lines.get(("services",), 1), "`services` is not a mapping")
    for name, service in services.items():
        if not isinstance(service, dict) and service is not None:
            line = document.lines.get(("services", name), 1)
            return LoadError(source.path, line, f"service `{name}` is not a mapping")
    return services, document


def interpolate(text: str) -> str:
    """Compose's substitution where the file decides it: defaults applied, ``$$`` unescaped,
    a variable without a default left as written."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        operator, default = match.group(2), match.group(3)
        if operator in (":-", "-"):
            return interpolate(default or "")
        return match.group(0)

    return _INTERPOLATION.sub(replace, text)


def _value(raw: Any) -> Any:
    """A value as Compose would see it, or ``Unknown`` when a variable without default decides it."""
    if isinstance(raw, str):
        text = interpolate(raw)
        found = env_settings.placeholders(text)
        return Unknown(f"`{found[0]}` is {_UNSET}", found[0]) if found else text
    if isinstance(raw, list):
        return [_value(item) for item in raw]
    if isinstance(raw, dict):
        return {key: _value(item) for key, item in raw.items()}
    return raw


def _project_hosts(services: Mapping[str, Any]) -> Iterator[str]:
    for name, service in services.items():
        yield str(name)
        if not isinstance(service, dict):
            continue
        for key in ("container_name", "hostname"):
            if isinstance(service.get(key), str):
                yield interpolate(service[key])
        networks = service.get("networks")
        if isinstance(networks, dict):
            for network in networks.values():
                aliases = network.get("aliases") if isinstance(network, dict) else None
                for alias in aliases if isinstance(aliases, list) else []:
                    if isinstance(alias, str):
                        yield interpolate(alias)
        for link in service.get("links") or []:
            if isinstance(link, str):
                yield interpolate(link).split(":")[-1]


def _resources(path: str, services: Mapping[str, Any], document: Document,
               hosts: frozenset[str]) -> Iterator[Resource]:
    for name, service in services.items():
        prefix = ("services", name)
        location = document.location(path, prefix)
        raw_env, env_lines = _environment((service or {}).get("environment"), document, path, prefix)
        attrs = {key: _value(value) for key, value in (service or {}).items() if key != "environment"}
        attrs["environment"] = {key: _shown(key, value) for key, value in raw_env.items()}
        locations = document.locations(path, prefix)
        yield Resource(FORMAT, TYPE, str(name), f"{TYPE}.{name}", attrs, location, scope=path,
                       value_locations=locations)
        interpolated = {key: None if value is None else interpolate(value) for key, value in raw_env.items()}
        yield from env_settings.settings(interpolated, env_lines, str(name), hosts, _UNSET)


def _environment(raw: Any, document: Document, path: str,
                 prefix: tuple[str, ...]) -> tuple[dict[str, str | None], dict[str, SourceLocation]]:
    """``environment`` as a mapping of text, whichever form the file uses; a bare ``KEY`` (taken from the
    shell) is ``None``."""
    values: dict[str, str | None] = {}
    lines: dict[str, SourceLocation] = {}
    at = (*prefix, "environment")
    if isinstance(raw, dict):
        for key, value in raw.items():
            values[str(key)] = None if value is None else _text(value)
            lines[str(key)] = document.location(path, (*at, key))
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            if not isinstance(item, str):
                continue
            key, sep, value = item.partition("=")
            values[key.strip()] = value if sep else None
            lines[key.strip()] = document.location(path, (*at, index))
    return values, lines


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(key: str, raw: str | None) -> Any:
    if raw is None:
        return Unknown(f"`{key}` is taken from the shell environment when Compose runs", key)
    if env_settings.secret_key(key):
        return _REDACTED
    value = _value(raw)
    return env_settings.redact(value) if isinstance(value, str) else value
