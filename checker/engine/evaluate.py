"""Rules × resources → results, with a verdict for every resource a rule selects."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel

from checker.classify import holds_personal_data
from checker.engine.conditions import Context, Subject, Verdict, evaluate
from checker.engine.relate import RelationIndex
from checker.model import LoadError, Resource, SourceLocation
from policy_spec.config import Config
from policy_spec.evidence import Location, ResourceRef, Result, ResultStatus
from policy_spec.rule import PlatformDefault, Relation, Rule


def run(rules: Sequence[Rule], resources: Sequence[Resource], config: Config) -> list[Result]:
    by_type: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    for resource in resources:
        by_type[(resource.format, resource.type)].append(resource)
    context = Context(RelationIndex(resources))
    results: list[Result] = []
    refs: dict[int, ResourceRef] = {}
    for rule in rules:
        for rtype in rule.select.types:
            for resource in by_type.get((rule.select.format, rtype), []):
                subject = Subject(resource, resource.attrs)
                if _selected(rule, subject, context, config):
                    verdict = evaluate(rule.condition, subject, context)
                    excusable = verdict.state is False and _default_applies(rule, subject, context)
                    ref = refs.get(id(resource))
                    if ref is None:
                        ref = refs[id(resource)] = _reference(resource)
                    results.append(_result(rule, resource, ref, verdict, config, excusable))
    return results


def types_read(rules: Iterable[Rule]) -> frozenset[str]:
    """Every resource type ``run`` can look at for ``rules``: those they select and those any of their
    conditions relates to. A scan keeps only resources of these types once their vendor signals are
    taken, since no rule could see the others."""
    found: set[str] = set()
    for rule in rules:
        found.update(rule.select.types)
        _relation_types(rule, found)
    return frozenset(found)


def _relation_types(node: object, found: set[str]) -> None:
    if isinstance(node, Relation):
        found.update(node.types)
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _relation_types(getattr(node, name), found)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _relation_types(item, found)


def _selected(rule: Rule, subject: Subject, context: Context, config: Config) -> bool:
    if rule.select.scope == "personal-data" and not holds_personal_data(subject.resource, config.personal_data):
        return False
    if rule.select.where is None:
        return True
    return evaluate(rule.select.where, subject, context).state is not False


def _default_applies(rule: Rule, subject: Subject, context: Context) -> bool:
    default = rule.platform_default
    if default is None:
        return False
    return default.when is None or evaluate(default.when, subject, context).state is True


def _reference(resource: Resource) -> ResourceRef:
    """The resource as evidence names it: made once for all the results about it."""
    return ResourceRef(
        type=resource.type,
        name=resource.name,
        address=resource.address,
        format=resource.format,
        location=_location(resource.location),
        module_call=_location(resource.module_call) if resource.module_call else None,
    )


def _result(rule: Rule, resource: Resource, ref: ResourceRef, verdict: Verdict, config: Config,
            excusable: bool) -> Result:
    basis = verdict.basis
    note = None
    status: ResultStatus
    if verdict.state is True:
        status, message = "pass", f"{rule.title}: {verdict.reason}"
    elif verdict.state is None:
        status, message = "error", f"{rule.message}: {verdict.reason}"
    elif excusable and rule.platform_default is not None and _counts(rule.platform_default, config):
        status, basis = "pass", "platform-default"
        message = f"{rule.title}: rests on the platform default"
        note = rule.platform_default.note
    else:
        status, message = "fail", f"{rule.message}: {verdict.reason}"
        if excusable and rule.platform_default is not None:
            note = (f"platform default not counted (platform_defaults: {config.platform_defaults}): "
                    f"{rule.platform_default.note}")
    note = "; ".join([*resource.notes, *([note] if note else [])]) or None
    return Result(
        rule=rule.id,
        commitment=rule.commitment,
        status=status,
        severity=rule.severity,
        message=message,
        resource=ref,
        location=ref.location if verdict.location in (None, resource.location) else _location(verdict.location),
        attribute=verdict.attribute,
        observed=verdict.observed,
        expected=verdict.expected,
        basis=basis,  # type: ignore[arg-type]
        error_kind="unresolved" if status == "error" else None,
        note=note,
    )


def _counts(default: PlatformDefault, config: Config) -> bool:
    return config.platform_defaults == "accept" or (config.platform_defaults == "permanent" and default.always)


def _location(location: SourceLocation) -> Location:
    return Location(path=location.path, line=max(1, location.line), end_line=location.end_line)


def load_error_results(errors: Iterable[LoadError]) -> list[Result]:
    """A file that could not be read is a result of its own, so the gate can never pass it silently."""
    return [
        Result(
            rule="PP-LOAD-000",
            commitment="(input)",
            status="error",
            severity="high",
            message=error.message,
            location=Location(path=error.path, line=max(1, error.line)),
            error_kind=error.kind,  # type: ignore[arg-type]
        )
        for error in errors
    ]
