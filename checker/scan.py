"""One scan, from paths to a report: discover, load, evaluate, roll up."""
from __future__ import annotations

import fnmatch
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker import __version__
from checker.discover import walk
from checker.engine.evaluate import load_error_results, run
from checker.engine.rollup import roll_up
from checker.loaders import LOADERS, loader_for
from checker.model import LoadError, LoadOutcome
from checker.policies import load_policy
from checker.rulebook import bundled_rules_dir, digest, load_rules, rule_files
from checker.sources import SourceFile
from policy_spec.config import Config
from policy_spec.evidence import InputFile, PolicyRef, Report, Result, Tool
from policy_spec.policy import Policy
from policy_spec.rule import SEVERITIES, Rule

HEAD_BYTES = 4096


@dataclass(frozen=True)
class RuleSet:
    policy: Policy
    rules: list[Rule]
    version: str


def rule_set(config: Config, base: Path | None = None) -> RuleSet:
    """The policy and the rules in force under ``config`` (relative paths resolve against ``base``)."""
    base = base or Path.cwd()
    policy = load_policy(base / config.policy if config.policy else None)
    folders = ([bundled_rules_dir()] if config.bundled_rules else []) + [base / f for f in config.rules]
    files = rule_files(folders)
    rules = load_rules(files, [c.id for c in policy.commitments])
    if config.enable:
        rules = [r for r in rules if r.id in config.enable]
    rules = [r for r in rules if r.id not in config.disable]
    return RuleSet(policy, rules, digest(files))


def scan(paths: Sequence[Path], config: Config, rules: RuleSet) -> Report:
    root = scan_root(paths)
    files, too_big = read_inputs(paths, root, config)
    outcome = load_all(files)
    outcome.errors.extend(too_big)
    results = run(rules.rules, outcome.resources, config) + load_error_results(outcome.errors)
    results.sort(key=_order)
    return Report(
        tool=Tool(version=__version__, rules_version=rules.version),
        policy=PolicyRef(id=rules.policy.id, title=rules.policy.title, version=rules.policy.version),
        root=str(paths[0]) if len(paths) == 1 else ".",
        inputs=[InputFile(path=f.path, sha256=f.sha256, format=fmt) for fmt, f in sorted(
            ((fmt, f) for fmt, group in files.items() for f in group), key=lambda pair: pair[1].path)],
        results=results,
        commitments=roll_up(rules.policy, rules.rules, results),
        notes=[f"{n.path}:{n.line}: {n.message}" for n in outcome.notes],
    )


def scan_root(paths: Sequence[Path]) -> Path:
    if len(paths) == 1:
        only = paths[0].resolve()
        return only if only.is_dir() else only.parent
    return Path.cwd().resolve()


def read_inputs(
    paths: Sequence[Path], root: Path, config: Config
) -> tuple[dict[str, list[SourceFile]], list[LoadError]]:
    files: dict[str, list[SourceFile]] = defaultdict(list)
    errors: list[LoadError] = []
    seen: set[str] = set()
    for path in paths:
        for candidate in walk(path, config.exclude):
            relative = os.path.relpath(candidate.absolute, root).replace(os.sep, "/")
            if relative in seen:
                continue
            seen.add(relative)
            try:
                with open(candidate.absolute, "rb") as handle:
                    head = handle.read(HEAD_BYTES)
                    fmt = _format_of(relative, head, config)
                    if fmt is None:
                        continue
                    if candidate.size > config.max_file_bytes:
                        errors.append(LoadError(relative, 1, f"file is {candidate.size} bytes, over the limit of "
                                                f"{config.max_file_bytes} (max_file_bytes)", kind="io"))
                        continue
                    data = head + handle.read()
            except OSError as exc:
                errors.append(LoadError(relative, 1, f"cannot read: {exc.strerror or exc}", kind="io"))
                continue
            files[fmt].append(SourceFile(relative, data))
    return files, errors


def _format_of(path: str, head: bytes, config: Config) -> str | None:
    forced = next((fmt for pattern, fmt in config.formats.force.items() if fnmatch.fnmatch(path, pattern)), None)
    fmt = forced or loader_for(path, head)
    return None if fmt is None or fmt in config.formats.disable else fmt


def load_all(files: dict[str, list[SourceFile]]) -> LoadOutcome:
    outcome = LoadOutcome()
    for fmt in sorted(files):
        outcome.extend(LOADERS[fmt].load(files[fmt]))
    return outcome


def _order(result: Result) -> tuple[str, int, str, str]:
    location = result.location
    address = result.resource.address if result.resource else ""
    return (location.path if location else "", location.line if location else 0, result.rule, address)


def failing(results: Sequence[Result], fail_on: str, fail_on_error: bool) -> list[Result]:
    """The results that make the gate fail at threshold ``fail_on``."""
    threshold = SEVERITIES.index(fail_on)
    return [
        r for r in results
        if (r.status == "fail" and SEVERITIES.index(r.severity) >= threshold)
        or (r.status == "error" and fail_on_error)
    ]
