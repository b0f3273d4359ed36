"""Exemptions: inline suppressions, waivers and the baseline turn failures into `waived`.

Each exemption must say why, and waivers say who and until when, because an
auditor will ask. Exemptions only ever turn a failing or undetermined result
into `waived`; they never touch a pass, and a malformed one is reported
rather than silently honoured.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policy_spec.evidence import Exemption, Location, Result
from policy_spec.waiver import Baseline, BaselineEntry, Waiver

WARN_DAYS = 14
_MARKER = re.compile(r"(?:#|//|--|/\*|;)\s*policyproof:ignore\b[ \t]*(?P<rule>[^\s*]+)?[ \t]*(?P<reason>.*?)\s*(?:\*/)?\s*$")


@dataclass(frozen=True)
class Suppression:
    path: str
    line: int
    rule: str
    reason: str


@dataclass(frozen=True)
class Exemptions:
    waivers: Sequence[Waiver] = ()
    waiver_file: str = ""
    baseline: Baseline | None = None
    today: dt.date = field(default_factory=dt.date.today)


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """``policyproof:ignore RULE-ID reason`` in a comment of any format (#, //, --, /* */, ;)."""
    found: list[Suppression] = []
    if "policyproof:ignore" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            found.append(Suppression(path, number, match.group("rule") or "", match.group("reason") or ""))
    return found


def apply(
    results: Sequence[Result],
    suppressions: Iterable[Suppression],
    known_rules: set[str],
    exemptions: Exemptions,
) -> tuple[list[Result], list[str]]:
    """The results with exemptions applied, plus problems as results and warnings as text."""
    valid, problems = _checked_suppressions(suppressions, known_rules)
    warnings: list[str] = []
    live_waivers = []
    for waiver in exemptions.waivers:
        if waiver.expires < exemptions.today:
            problems.append(_meta("PP-META-003", f"waiver expired on {waiver.expires}: {_describe(waiver)} "
                                  f"(owner {waiver.owner}); it no longer applies", exemptions.waiver_file))
            continue
        if (waiver.expires - exemptions.today).days <= WARN_DAYS:
            warnings.append(f"waiver expires on {waiver.expires} ({_describe(waiver)}, owner {waiver.owner})")
        live_waivers.append(waiver)
    baseline = {(e.rule, e.path, e.address) for e in exemptions.baseline.entries} if exemptions.baseline else set()
    still_failing: set[tuple[str, str, str]] = set()
    out = []
    for result in results:
        if result.status in ("fail", "error") and result.resource is not None:
            key = (result.rule, _path(result), result.resource.address)
            still_failing.add(key)
            exemption = (_suppressed(result, valid) or _waived(result, live_waivers, exemptions.waiver_file)
                         or (_baselined() if key in baseline else None))
            if exemption is not None:
                result = result.model_copy(update={"status": "waived", "exemption": exemption})
        out.append(result)
    for rule, path, address in sorted(baseline - still_failing):
        warnings.append(f"baseline entry no longer fails and can be removed: {rule} {path} {address}")
    return out + problems, warnings


def _checked_suppressions(
    suppressions: Iterable[Suppression], known_rules: set[str]
) -> tuple[list[Suppression], list[Result]]:
    valid, problems = [], []
    for s in suppressions:
        where = Location(path=s.path, line=s.line)
        if s.rule not in known_rules:
            problems.append(_meta("PP-META-002", f"suppression names an unknown rule `{s.rule}`", where))
        elif not s.reason:
            problems.append(_meta("PP-META-001", f"suppression of {s.rule} gives no reason; it is not applied", where))
        else:
            valid.append(s)
    return valid, problems


def _suppressed(result: Result, suppressions: Sequence[Suppression]) -> Exemption | None:
    path = _path(result)
    block = result.resource.location if result.resource else None
    for s in suppressions:
        if s.rule != result.rule or s.path != path:
            continue
        line = result.location.line if result.location else 0
        inside = block is not None and block.line <= s.line <= (block.end_line or block.line)
        if inside or s.line in (line, line - 1):
            return Exemption(kind="suppression", reason=s.reason, source=Location(path=s.path, line=s.line))
    return None


def _waived(result: Result, waivers: Sequence[Waiver], waiver_file: str) -> Exemption | None:
    address = result.resource.address if result.resource else ""
    for waiver in waivers:
        if waiver.rule not in (None, result.rule) or waiver.commitment not in (None, result.commitment):
            continue
        if fnmatch.fnmatchcase(address, waiver.resource) and fnmatch.fnmatchcase(_path(result), waiver.path):
            source = Location(path=waiver_file, line=1) if waiver_file else None
            return Exemption(kind="waiver", reason=waiver.reason, owner=waiver.owner,
                             expires=waiver.expires.isoformat(), source=source)
    return None


def _baselined() -> Exemption:
    return Exemption(kind="baseline", reason="failing when the baseline was recorded")


def baseline_of(results: Iterable[Result]) -> Baseline:
    """Today's failures, as the baseline a legacy repository starts from."""
    entries = {
        (r.rule, _path(r), r.resource.address)
        for r in results
        if r.status in ("fail", "error") and r.resource is not None
    }
    return Baseline(entries=[BaselineEntry(rule=rule, path=path, address=address)
                             for rule, path, address in sorted(entries)])


def _path(result: Result) -> str:
    if result.resource is not None and result.resource.location is not None:
        return result.resource.location.path
    return result.location.path if result.location else ""


def _describe(waiver: Waiver) -> str:
    target = waiver.rule or f"commitment {waiver.commitment}"
    return f"{target} on {waiver.resource} in {waiver.path}"


def _meta(rule: str, message: str, where: Location | str | None) -> Result:
    location = Location(path=where, line=1) if isinstance(where, str) and where else where
    return Result(rule=rule, commitment="(exemptions)", status="fail", severity="medium", message=message,
                  location=location if isinstance(location, Location) else None)
