"""Evaluate a rule's condition tree on a resource, in three-valued logic.

``True`` kept, ``False`` broken, ``None`` cannot be told from the files. The
third value is what keeps an unresolvable variable from ever passing: ``all``
is false if any part is false, else unknown if any part is unknown; ``any`` is
true if any part is true, else unknown if any part is unknown.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from checker.engine import operators
from checker.engine.relate import RelationIndex
from checker.model import AttrPath, Reference, Resource, SourceLocation, Unknown
from policy_spec.rule import All, AnyOf, Condition, Not, Related, Test

_MISSING: Any = object()
_KEY_MATERIAL = frozenset({"base64_bytes"})
"""Operators whose subject is a key: its value is withheld from evidence whatever the attribute is called."""
_SECRET = re.compile(
    r"(?i)(^|[_.-])(password|passwd|pwd|secret|secret_key|client_secret|token|private_key|access_key|raw_key|"
    r"key_raw|api_key|credentials?|connection_string|sas_url|auth_string)$"
)
"""Attribute names whose values are secrets: a name that merely mentions one (`minimum_password_length`) is not."""


@dataclass(frozen=True)
class Verdict:
    state: bool | None
    reason: str
    attribute: str | None = None
    observed: Any = None
    expected: Any = None
    location: SourceLocation | None = None
    basis: str | None = None


@dataclass(frozen=True)
class Subject:
    """What a condition is read against: a resource, or one item of one of its lists."""

    resource: Resource
    attrs: Mapping[str, Any]
    base: AttrPath = ()


@dataclass
class Context:
    relations: RelationIndex


def evaluate(condition: Condition, subject: Subject, context: Context) -> Verdict:
    if isinstance(condition, All):
        return _all(condition, subject, context)
    if isinstance(condition, AnyOf):
        return _any(condition, subject, context)
    if isinstance(condition, Not):
        inner = evaluate(condition.not_, subject, context)
        if inner.state is None:
            return inner
        return Verdict(not inner.state, _negated(inner), inner.attribute, inner.observed, inner.expected,
                       inner.location, inner.basis)
    if isinstance(condition, Related):
        return _related(condition, subject, context)
    return _test(condition, subject, context)


def _negated(inner: Verdict) -> str:
    return inner.reason if inner.state else f"not: {inner.reason}"


def _all(condition: All, subject: Subject, context: Context) -> Verdict:
    unknown: Verdict | None = None
    verdicts = []
    for part in condition.all:
        verdict = evaluate(part, subject, context)
        if verdict.state is False:
            return verdict
        if verdict.state is None and unknown is None:
            unknown = verdict
        verdicts.append(verdict)
    return unknown or Verdict(True, "; ".join(v.reason for v in verdicts[:3]), *_details(verdicts[-1]))


def _any(condition: AnyOf, subject: Subject, context: Context) -> Verdict:
    unknown: Verdict | None = None
    failures: list[Verdict] = []
    for part in condition.any:
        verdict = evaluate(part, subject, context)
        if verdict.state is True:
            return verdict
        if verdict.state is None and unknown is None:
            unknown = verdict
        failures.append(verdict)
    if unknown is not None:
        return unknown
    return failures[0]


def _details(verdict: Verdict) -> tuple[Any, ...]:
    return verdict.attribute, verdict.observed, verdict.expected, verdict.location, verdict.basis


def _related(condition: Related, subject: Subject, context: Context) -> Verdict:
    relation = condition.related
    resource = subject.resource
    maybe: list[Resource] = []
    if relation.direction == "inbound":
        found, maybe = context.relations.inbound(resource, relation.types, relation.via, relation.within)
        missing = f"no {' or '.join(relation.types)} refers to it through `{relation.via}`"
    else:
        found = context.relations.outbound(resource, relation.types, relation.via, relation.within)
        missing = f"`{relation.via}` does not point at a {' or '.join(relation.types)}"
    if not found and maybe:
        other = maybe[0]
        return Verdict(None, f"`{relation.via}` of {other.address} could not be determined, so it may refer to this "
                       "resource", relation.via, None, None, other.location_of((relation.via.split(".")[0],)))
    if not found:
        return Verdict(False, missing, relation.via, None, None, resource.location)
    if relation.where is None:
        first = found[0]
        return Verdict(True, f"{first.address} refers to it", relation.via, first.address, None, first.location)
    verdicts = [evaluate(relation.where, Subject(other, other.attrs), context) for other in found]
    for other, verdict in zip(found, verdicts):
        if verdict.state is True:
            return Verdict(True, f"{other.address}: {verdict.reason}", *_details(verdict))
    unknown = next((v for v in verdicts if v.state is None), None)
    if unknown is not None:
        return unknown
    worst, other = verdicts[0], found[0]
    return Verdict(False, f"{other.address}: {worst.reason}", *_details(worst))


def _test(test: Test, subject: Subject, context: Context) -> Verdict:
    if test.resource is not None:
        value = _resource_field(subject.resource, test.resource)
        return _compare(test, f"resource {test.resource}", value, subject.resource.location, "declared")
    assert test.attr is not None
    steps = _path_steps(test.attr)
    attrs = subject.attrs
    if len(steps) == 1 and type(attrs) is dict:  # what ``_walk`` would find, without its generators
        step = steps[0]
        return _leaf(test, subject, context, subject.base + (step,), attrs.get(step, _MISSING))
    verdicts = [_leaf(test, subject, context, path, value) for path, value in _walk(attrs, steps, subject.base)]
    unknown: Verdict | None = None
    for verdict in verdicts:
        if verdict.state is False:
            return verdict
        if verdict.state is None and unknown is None:
            unknown = verdict
    return unknown or verdicts[0]


def _resource_field(resource: Resource, name: str) -> str:
    if name == "path":
        return resource.location.path
    return str(getattr(resource, name))


_STEP = re.compile(r"\[([^\]]+)\]|([^.\[\]]+)")


def split_path(dotted: str) -> list[str | int]:
    """Steps of an attribute path; a key containing dots, such as a Kubernetes annotation, is bracketed:
    ``metadata.annotations[nginx.ingress.kubernetes.io/ssl-redirect]``."""
    return [bracketed if bracketed else int(plain) if plain.isdigit() else plain
            for bracketed, plain in _STEP.findall(dotted)]


@functools.lru_cache(maxsize=4096)
def _path_steps(dotted: str) -> tuple[str | int, ...]:
    """``split_path`` once per distinct path: rules ask for the same few paths of every resource."""
    return tuple(split_path(dotted))


def _walk(value: Any, steps: tuple[str | int, ...], path: AttrPath) -> Iterator[tuple[AttrPath, Any]]:
    if not steps:
        yield path, value
        return
    if isinstance(value, Unknown) or value is _MISSING or value is None:
        yield path, value
        return
    step, rest = steps[0], steps[1:]
    if isinstance(value, list):
        if isinstance(step, int):
            yield from _walk(value[step] if step < len(value) else _MISSING, rest, path + (step,))
        elif not value:
            yield path, _MISSING
        else:
            for index, item in enumerate(value):
                yield from _walk(item, steps, path + (index,))
        return
    if isinstance(value, Mapping):
        yield from _walk(value.get(step, _MISSING), rest, path + (step,))
        return
    yield path + (step,), _MISSING


def _leaf(test: Test, subject: Subject, context: Context, path: AttrPath, value: Any) -> Verdict:
    attribute = _dotted(path)
    location = subject.resource.location_of(path)
    basis = "declared"
    if value is _MISSING or value is None or (value == "" and test.operator == "exists"):
        if test.operator == "exists" or test.default is None:
            return _absent(test, attribute, location)
        value, basis = test.default, "platform-default"
        attribute = _dotted(subject.base + _path_steps(test.attr or ""))
    if isinstance(value, Unknown) and not (isinstance(value, Reference) and test.operator == "exists"):
        return Verdict(None, f"`{attribute}` could not be determined: {value.reason}", attribute,
                       _show(attribute, value), _expected(test), location, basis)
    if test.operator in ("any_item", "all_items"):
        return _items(test, subject, context, path, value, location)
    return _compare(test, attribute, value, location, basis)


def _absent(test: Test, attribute: str, location: SourceLocation) -> Verdict:
    if test.operator == "exists":
        held = test.exists is False
        reason = f"`{attribute}` is not set"
        return Verdict(held, reason, attribute, None, _expected(test), location, "absent")
    if test.operator == "all_items":
        return Verdict(True, f"`{attribute}` has no items", attribute, None, None, location, "absent")
    return Verdict(False, f"`{attribute}` is not set", attribute, None, _expected(test), location, "absent")


def _compare(test: Test, attribute: str, value: Any, location: SourceLocation, basis: str) -> Verdict:
    outcome = operators.COMPARISONS[test.operator](value, test.operand)
    shown = "[redacted]" if test.operator in _KEY_MATERIAL else _show(attribute, value)
    if isinstance(outcome, operators.Undetermined):
        return Verdict(None, f"`{attribute}`: {outcome.reason}", attribute, shown, _expected(test), location, basis)
    default_note = " (provider default)" if basis == "platform-default" else ""
    if test.operator == "exists":
        reason = f"`{attribute}` is set"
    elif outcome:
        reason = f"`{attribute}` is {_brief(shown)}{default_note}"
    else:
        reason = f"`{attribute}` is {_brief(shown)}{default_note}, expected {_describe(test)}"
    return Verdict(outcome, reason, attribute, shown, _expected(test), location, basis)


def _items(test: Test, subject: Subject, context: Context, path: AttrPath, value: Any,
           location: SourceLocation) -> Verdict:
    attribute = _dotted(path)
    items = value if isinstance(value, list) else [value]
    condition = test.any_item if test.operator == "any_item" else test.all_items
    assert condition is not None
    verdicts = []
    for index, item in enumerate(items):
        item_path = path + (index,) if isinstance(value, list) else path
        if isinstance(item, Unknown):
            verdicts.append(Verdict(None, f"`{attribute}` could not be determined: {item.reason}", attribute,
                                    None, None, subject.resource.location_of(item_path)))
        elif isinstance(item, Mapping):
            verdicts.append(evaluate(condition, Subject(subject.resource, item, item_path), context))
        else:
            verdicts.append(Verdict(False, f"an item of `{attribute}` is not a block", attribute, _short(item),
                                    None, location))
    wanted = test.operator == "any_item"
    decisive = next((v for v in verdicts if v.state is wanted), None)
    if decisive is not None:
        return decisive
    unknown = next((v for v in verdicts if v.state is None), None)
    if unknown is not None:
        return unknown
    if not verdicts:
        held = not wanted
        return Verdict(held, f"`{attribute}` has no items", attribute, [], None, location)
    if wanted:
        reasons = "; ".join(dict.fromkeys(v.reason for v in verdicts[:3]))
        return Verdict(False, f"no item of `{attribute}` qualifies ({reasons})", *_details(verdicts[0]))
    return Verdict(True, f"every item of `{attribute}` qualifies", attribute, None, None, location)


def _dotted(path: AttrPath) -> str:
    """The path as a rule writes it, so evidence can be pasted back into a rule."""
    text = ""
    for step in path:
        part = str(step)
        text += f"[{part}]" if "." in part or "[" in part else (f".{part}" if text else part)
    return text


def _show(attribute: str, value: Any) -> Any:
    """The observed value as evidence: JSON-safe, and never a secret."""
    if value is not None and _secret(attribute):
        return "[redacted]"
    if isinstance(value, Reference):
        return f"(reference to {value.target})"
    if isinstance(value, Unknown):
        return f"(not known: {value.reason})"
    if isinstance(value, list):
        return [_show(attribute, item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _show(str(k), v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=4096)
def _secret(attribute: str) -> bool:
    return _SECRET.search(attribute.rsplit(".", 1)[-1]) is not None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _brief(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 80 else f'"{value[:77]}..."'
    if isinstance(value, list) and len(value) <= 8:
        return "[" + ", ".join(_brief(item) for item in value) + "]"
    return _short(value).replace("True", "true").replace("False", "false").replace("None", "null")


def _expected(test: Test) -> Any:
    if test.operator in ("any_item", "all_items"):
        return None
    return {test.operator: test.operand}


def _describe(test: Test) -> str:
    words = {
        "equals": "equal to", "in": "one of", "not_in": "none of", "gt": "more than", "gte": "at least",
        "lt": "less than", "lte": "at most", "regex": "matching", "contains": "containing",
    }
    if test.operator == "tls_at_least":
        return f"TLS {test.operand} or newer only"
    if test.operator == "base64_bytes":
        return f"base64 of a {test.operand}-byte key"
    return f"{words.get(test.operator, test.operator)} {_brief(test.operand)}"
