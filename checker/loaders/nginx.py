"""nginx configuration turned into resources: one per ``server`` block, one per standalone TLS policy.

Files are parsed with crossplane, nginx's own configuration parser for
Python, one file at a time; ``include`` is then followed here, among the
scanned files, so that a server sees the directives of the snippets it
includes and inherits ``ssl_protocols`` from the ``http`` block around it,
even when that block is in another file. A relative include is looked up, as
nginx would, beside the main configuration file, and also beside the
including file and at the scanned root; an absolute one matches a scanned
file with the same path suffix (a ``rootfs/etc/nginx/...`` layout).

A server that never sets ``ssl_protocols`` gets nginx's built-in default for
the configured ``nginx_version``, and says so in its notes.
"""
from __future__ import annotations

import fnmatch
import os
import posixpath
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.lazy import lazy_import
from checker.model import AttrPath, LoadError, LoadOutcome, Resource, SourceLocation, Unknown
from checker.sources import SourceFile
from policy_spec.config import Config

FORMAT = "nginx"
MAX_INCLUDE_DEPTH = 16

_crossplane_module = lazy_import("crossplane")
_lua_registered = False


def _parser() -> Any:
    """crossplane, with the Lua block extension registered (once, on first use)."""
    global _lua_registered
    if not _lua_registered:
        lazy_import("crossplane.ext.lua").LuaBlockPlugin().register_extension()
        _lua_registered = True
    return _crossplane_module

_FOLDERS = frozenset({"nginx", "sites-available", "sites-enabled", "conf.d"})
_TEMPLATE_SUFFIXES = (".tmpl", ".tpl", ".j2", ".jinja", ".jinja2")
_DIRECTIVE = re.compile(
    r"^[ \t]*(?:"
    r"(?:http|server|events|stream|upstream[ \t]+\S+|location[ \t][^{;\n]*|types|map[ \t][^{;\n]*)[ \t]*\{"
    r"|(?:listen|server_name|ssl_\w+|proxy_\w+|fastcgi_\w+|uwsgi_\w+|gzip\w*|add_header|include|root|alias"
    r"|try_files|return|rewrite|worker_\w+|error_log|access_log|log_format|sendfile|tcp_\w+|keepalive_\w+"
    r"|client_\w+|charset\w*|expires|etag|index|autoindex|default_type|resolver)[ \t][^;\n]*;"
    r")",
    re.MULTILINE,
)
_NOT_NGINX = (".yaml", ".yml", ".json", ".md", ".sh", ".py", ".go", ".lua", ".js", ".toml")
_TEMPLATE_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_TEMPLATE_PLACEHOLDER = "__template_value__"
_CONTENT = frozenset({
    "proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass", "root", "alias",
    "try_files", "index", "autoindex", "stub_status", "content_by_lua_block", "content_by_lua_file", "ssi",
    "empty_gif", "dav_methods", "mp4", "flv", "js_content",
})
_REDIRECT_CODES = frozenset({"301", "302", "303", "307", "308"})


def claims(path: str, head: bytes) -> bool:
    """By name (``*.conf``, nginx folders, templates of them), then by nginx directives in the first bytes."""
    name = posixpath.basename(path)
    folders = set(posixpath.dirname(path).split("/"))
    by_name = (
        name == "nginx.conf" or name.endswith(".conf") or ".conf." in name
        or (name.endswith(_TEMPLATE_SUFFIXES) and "nginx" in path.lower())
        or bool(folders & _FOLDERS)
    )
    if not by_name or name.startswith("postgresql") or name.endswith(_NOT_NGINX):
        return False
    return _DIRECTIVE.search(head.decode("utf-8", "replace")) is not None


def load(files: Sequence[SourceFile]) -> LoadOutcome:
    return load_configured(files, Config())


def load_configured(files: Sequence[SourceFile], config: Config) -> LoadOutcome:
    outcome = LoadOutcome()
    parsed: dict[str, list[dict[str, Any]]] = {}
    template_files: set[str] = set()
    for source in sorted(files, key=lambda f: f.path):
        text = source.text()
        if isinstance(text, LoadError):
            outcome.errors.append(text)
            continue
        result = _parse_file(source.path, text)
        if isinstance(result, LoadError):
            (outcome.notes if result.kind == "skipped" else outcome.errors).append(result)
            continue
        statements, templated = result
        parsed[source.path] = statements
        if templated:
            template_files.add(source.path)
    config_tree = _Tree(parsed, default_protocols(config.nginx_version), config.nginx_version, template_files)
    outcome.resources.extend(config_tree.resources())
    outcome.notes.extend(config_tree.notes)
    return outcome


def default_protocols(version: str) -> list[str]:
    """nginx's ``ssl_protocols`` when nothing sets it (ngx_http_ssl_module merge defaults, CHANGES)."""
    number = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if number < (1, 9, 1):
        return ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]
    if number < (1, 23, 4):
        return ["TLSv1", "TLSv1.1", "TLSv1.2"]
    if number < (1, 27, 3):
        return ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    return ["TLSv1.2", "TLSv1.3"]


def _parse_file(path: str, text: str) -> tuple[list[dict[str, Any]], bool] | LoadError:
    """Statements of one file, or why not. Template actions (``{{ ... }}``) are set aside first."""
    templated = _TEMPLATE_ACTION.search(text) is not None
    if templated and posixpath.basename(path).endswith(_TEMPLATE_SUFFIXES):
        return LoadError(path, 1, "a template (Go or Jinja) that renders nginx configuration; the rendered "
                         "configuration is not in the scanned files, so it is not checked", kind="skipped")
    if templated:
        text = _set_aside_template_actions(text)
    payload = _crossplane(text)
    errors = payload["errors"]
    if errors:
        first = errors[0]
        message = str(first.get("callback") or first.get("error"))
        if templated:
            return LoadError(path, first.get("line") or 1, "a template whose actions could not be set aside "
                             f"({message}); its rendered configuration is not checked", kind="skipped")
        return LoadError(path, first.get("line") or 1, f"invalid nginx configuration: {message}")
    statements: list[dict[str, Any]] = payload["config"][0]["parsed"]
    return statements, templated


def _crossplane(text: str) -> dict[str, Any]:
    """crossplane reads files by name, so the text goes through a private temporary file."""
    with tempfile.TemporaryDirectory(prefix="policyproof-nginx-") as folder:
        name = os.path.join(folder, "nginx.conf")
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(text)
        payload: dict[str, Any] = _parser().parse(
            name, single=True, check_ctx=False, comments=False, onerror=lambda e: getattr(e, "strerror", str(e))
        )
        return payload


def _set_aside_template_actions(text: str) -> str:
    """Lines holding only actions become blank; an action inside a value becomes a placeholder.

    Both branches of a template ``if`` are then read, which is what a checker
    wants: either may be what runs.
    """
    lines = []
    for line in text.split("\n"):
        rest = _TEMPLATE_ACTION.sub("", line)
        lines.append(line if rest == line else ("" if not rest.strip() else
                                               _TEMPLATE_ACTION.sub(_TEMPLATE_PLACEHOLDER, line)))
    joined = "\n".join(lines)
    return _TEMPLATE_ACTION.sub(lambda m: "\n" * m.group().count("\n"), joined)


@dataclass(frozen=True)
class _Statement:
    directive: str
    args: tuple[str, ...]
    path: str
    line: int
    block: tuple[_Statement, ...] | None


@dataclass
class _Tree:
    files: dict[str, list[dict[str, Any]]]
    default: list[str]
    version: str
    templated: set[str]
    notes: list[LoadError] = field(default_factory=list)
    _noted: set[tuple[str, int]] = field(default_factory=set)

    def resources(self) -> Iterator[Resource]:
        included = {target for path in self.files for target in self._include_targets(path)}
        roots = [path for path in sorted(self.files) if path not in included]
        seen: set[tuple[str, int]] = set()
        visited: set[str] = set()
        for root in roots + [path for path in sorted(self.files) if path not in roots]:
            if root in visited:
                continue
            statements = self.expand(self.files[root], root, root, (), visited)
            yield from self._servers(statements, root, None, seen)
        for path in sorted(self.files):
            yield from self._policies(path)

    def _include_targets(self, path: str) -> Iterator[str]:
        """Files included by ``path`` anywhere in it, resolved as from the root at their own folder."""
        stack = list(self.files[path])
        while stack:
            raw = stack.pop()
            if raw["directive"] == "include" and raw.get("args"):
                yield from self.resolve(raw["args"][0], path, path)
            stack.extend(raw.get("block") or [])

    def resolve(self, pattern: str, including: str, root: str) -> list[str]:
        if pattern.startswith("/"):
            return sorted(path for path in self.files if _matches(path, pattern.lstrip("/"), suffix=True))
        for base in (posixpath.dirname(root), posixpath.dirname(including), ""):
            wanted = posixpath.normpath(posixpath.join(base, pattern))
            found = sorted(path for path in self.files if _matches(path, wanted, suffix=False))
            if found:
                return found
        return []

    def expand(self, raw: list[dict[str, Any]], path: str, root: str, chain: tuple[str, ...],
               visited: set[str]) -> tuple[_Statement, ...]:
        """Statements with every include replaced by the included files' statements."""
        visited.add(path)
        result: list[_Statement] = []
        for item in raw:
            directive, args = item["directive"], tuple(item.get("args") or ())
            if directive == "include" and args:
                targets = self.resolve(args[0], path, root)
                if not targets:
                    self._note(path, item["line"], f"include {args[0]} matches no scanned file; the directives it "
                               "would add are not seen")
                for target in targets:
                    if target in chain or len(chain) >= MAX_INCLUDE_DEPTH:
                        self._note(path, item["line"], f"include {args[0]} is circular or nested too deeply")
                        continue
                    result.extend(self.expand(self.files[target], target, root, chain + (path,), visited))
                continue
            block = item.get("block")
            inner = self.expand(block, path, root, chain, visited) if block is not None else None
            result.append(_Statement(directive, args, path, item["line"], inner))
        return tuple(result)

    def _note(self, path: str, line: int, message: str) -> None:
        if (path, line) not in self._noted:
            self._noted.add((path, line))
            self.notes.append(LoadError(path, line, message, kind="skipped"))

    def _servers(self, statements: tuple[_Statement, ...], root: str, http: tuple[_Statement, ...] | None,
                 seen: set[tuple[str, int]]) -> Iterator[Resource]:
        for statement in statements:
            if statement.block is None:
                continue
            if statement.directive == "http":
                yield from self._servers(statement.block, root, statement.block, seen)
            elif statement.directive == "server" and (http is not None or _is_http_server(statement.block)):
                key = (statement.path, statement.line)
                if key not in seen:
                    seen.add(key)
                    yield self._server(statement, http or ())

    def _server(self, server: _Statement, http: tuple[_Statement, ...]) -> Resource:
        body = server.block or ()
        locations: dict[AttrPath, SourceLocation] = {}
        notes: list[str] = []
        listens = [_listen(s) for s in body if s.directive == "listen"]
        for index, statement in enumerate(s for s in body if s.directive == "listen"):
            locations[("listen", index)] = SourceLocation(statement.path, statement.line)
        ssl_on = any(s.directive == "ssl" and s.args[:1] == ("on",) for s in (*http, *body))
        if not listens:
            listens = [{"address": "*", "port": 80, "ssl": False, "http2": False, "quic": False,
                        "default_server": False}]
            notes.append("no listen directive: nginx listens on port 80 (8000 when not run as root)")
        if ssl_on:
            for entry in listens:
                entry["ssl"] = True
        names = [arg for s in body if s.directive == "server_name" for arg in s.args]
        protocols_at = _last(body, "ssl_protocols") or _last(http, "ssl_protocols")
        attrs: dict[str, Any] = {
            "listen": listens,
            "server_name": names,
            "ssl": any(entry["ssl"] is True or entry["quic"] is True for entry in listens),
            "plain_http": any(entry["ssl"] is False and entry["quic"] is False for entry in listens),
            "redirects_to_https": _redirects_to_https(body),
            "serves_content": _serves_content(body),
        }
        if protocols_at is not None:
            attrs["ssl_protocols"] = _protocols(protocols_at)
            attrs["ssl_protocols_default"] = False
            locations[("ssl_protocols",)] = SourceLocation(protocols_at.path, protocols_at.line)
        else:
            attrs["ssl_protocols"] = list(self.default)
            attrs["ssl_protocols_default"] = True
            if attrs["ssl"]:
                notes.append(f"ssl_protocols is not set: nginx {self.version}'s default "
                             f"{' '.join(self.default)} applies (configuration key nginx_version)")
        for directive in ("ssl_certificate", "ssl_certificate_key"):
            found = _last(body, directive) or _last(http, directive)
            if found is not None:
                attrs[directive] = _value(found.args[0]) if found.args else None
                locations[(directive,)] = SourceLocation(found.path, found.line)
        if server.path in self.templated:
            notes.append("read with its template actions set aside")
        name = names[0] if names and names[0] not in ("", "_") else _listen_name(listens)
        return Resource(
            format=FORMAT, type="nginx_server", name=name, address=f"{server.path}:{server.line}", attrs=attrs,
            location=SourceLocation(server.path, server.line, _last_line(server)), value_locations=locations,
            notes=tuple(notes),
        )

    def _policies(self, path: str) -> Iterator[Resource]:
        """An ``ssl_protocols`` outside any server: a snippet meant to be included, or the http default."""
        for raw, inside_http in _outside_servers(self.files[path]):
            if raw["directive"] != "ssl_protocols":
                continue
            statement = _Statement("ssl_protocols", tuple(raw.get("args") or ()), path, raw["line"], None)
            where = "http block" if inside_http else "file"
            yield Resource(
                format=FORMAT, type="nginx_tls_policy", name=f"ssl_protocols ({where})",
                address=f"{path}:{raw['line']}", attrs={"ssl_protocols": _protocols(statement)},
                location=SourceLocation(path, raw["line"]),
                value_locations={("ssl_protocols",): SourceLocation(path, raw["line"])},
                notes=("read with its template actions set aside",) if path in self.templated else (),
            )


def _outside_servers(raw: list[dict[str, Any]], inside_http: bool = False) -> Iterator[tuple[dict[str, Any], bool]]:
    for item in raw:
        if item["directive"] == "http" and item.get("block") is not None:
            yield from _outside_servers(item["block"], True)
        elif item.get("block") is None:
            yield item, inside_http


def _is_http_server(body: tuple[_Statement, ...]) -> bool:
    """A top-level ``server`` is an http one unless it only makes sense in ``stream`` (``proxy_pass host:port``)."""
    return not any(s.directive == "proxy_pass" and "://" not in "".join(s.args) for s in body)


def _matches(path: str, pattern: str, suffix: bool) -> bool:
    """nginx globs do not cross ``/``, so each segment is matched on its own."""
    parts, wanted = path.split("/"), pattern.split("/")
    if suffix:
        parts = parts[-len(wanted):] if len(parts) >= len(wanted) else []
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted))


def _last(statements: tuple[_Statement, ...], directive: str) -> _Statement | None:
    found = [s for s in statements if s.directive == directive]
    return found[-1] if found else None


def _value(arg: str) -> Any:
    if _TEMPLATE_PLACEHOLDER in arg:
        return Unknown("set by a template when the configuration is rendered", arg)
    return arg


def _protocols(statement: _Statement) -> Any:
    if any(_TEMPLATE_PLACEHOLDER in arg or "$" in arg for arg in statement.args):
        return Unknown("set by a template or variable when the configuration is rendered", " ".join(statement.args))
    return list(statement.args)


def _listen(statement: _Statement) -> dict[str, Any]:
    first, flags = (statement.args[0] if statement.args else ""), set(statement.args[1:])
    address, port = _address_port(first)
    return {
        "address": address,
        "port": port,
        "ssl": "ssl" in flags,
        "http2": "http2" in flags,
        "quic": "quic" in flags,
        "default_server": "default_server" in flags or "default" in flags,
    }


def _address_port(value: str) -> tuple[str, Any]:
    if _TEMPLATE_PLACEHOLDER in value or "$" in value:
        return value, Unknown("port set by a template or environment variable", value)
    if value.startswith("unix:"):
        return value, None
    host, _, port = value.rpartition(":") if not value.startswith("[") or "]:" in value else ("", "", value)
    if not port.isdigit():
        return value, 80
    return host or "*", int(port)


def _listen_name(listens: list[dict[str, Any]]) -> str:
    ports = [str(entry["port"]) for entry in listens if isinstance(entry["port"], int)]
    return f"listen {', '.join(dict.fromkeys(ports))}" if ports else "server"


def _redirects_to_https(body: tuple[_Statement, ...]) -> bool:
    """Every request is sent to an https:// URL: at server level, in an ``if``, or in every location."""
    for statement in body:
        if _is_https_redirect(statement):
            return True
        if statement.directive == "if" and statement.block and any(_is_https_redirect(s) for s in statement.block):
            return True
    locations = [s for s in body if s.directive == "location" and s.block is not None]
    return bool(locations) and all(
        any(_is_https_redirect(s) for s in location.block or ()) for location in locations
    )


def _is_https_redirect(statement: _Statement) -> bool:
    args = statement.args
    if statement.directive == "return":
        if len(args) == 1:
            return args[0].startswith("https://")
        return len(args) == 2 and args[0] in _REDIRECT_CODES and args[1].startswith("https://")
    if statement.directive == "rewrite" and len(args) >= 2:
        return args[1].startswith("https://")
    return False


def _serves_content(body: tuple[_Statement, ...]) -> bool:
    """Whether answering a request means content, not just a redirect or a closed connection."""
    for statement in body:
        if statement.directive in _CONTENT:
            return True
        if statement.directive == "return" and not statement.block:
            if _is_https_redirect(statement) or (statement.args and statement.args[0] in ("444", "403", "404")):
                continue
            if statement.args and statement.args[0].isdigit() and int(statement.args[0]) < 300:
                return True
        if statement.directive == "location" and statement.block is not None:
            if not all(_is_https_redirect(s) or s.directive == "return" for s in statement.block):
                return True
    return False


def _last_line(statement: _Statement) -> int:
    """The block's closing brace, roughly: crossplane gives directives' first lines only, so the
    last directive of the same file inside the block, plus the line of the brace after it."""
    lines = [statement.line]
    stack = list(statement.block or ())
    while stack:
        inner = stack.pop()
        if inner.path == statement.path:
            lines.append(inner.line)
        stack.extend(inner.block or ())
    return max(lines) + 1
