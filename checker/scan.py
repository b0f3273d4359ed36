"""One scan, from paths to a report: discover, load, evaluate, roll up."""
from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import os
import stat
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from checker import __version__, cache
from checker.attestations import LoadedAttestation, judge, load_attestations
from checker.attestations import warnings as attestation_warnings
from checker.discover import walk
from checker.engine.evaluate import load_error_results, run
from checker.engine.rollup import roll_up
from checker.exempt import Exemptions, apply, find_suppressions
from checker.loaders import LOADERS, loader_for, subprocessor_register
from checker.loaders.subprocessor_register import DEFAULT_PATHS as DEFAULT_REGISTERS
from checker.loaders.subprocessor_register import register_path
from checker.model import LoadError, LoadOutcome
from checker.policies import load_policy
from checker.rulebook import bundled_rules_dir, digest, load_rules, rule_files
from checker.sources import SourceFile
from checker.subprocessors.detect import detect_for_scan
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
    files: tuple[Path, ...] = ()
    """The rule files read, for a manifest of every input."""
    attestations: tuple[LoadedAttestation, ...] = ()


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
    attested = load_attestations(config.attestations, base, [c.id for c in policy.commitments])
    return RuleSet(policy, rules, digest(files), tuple(files), tuple(attested))


def scan(
    paths: Sequence[Path],
    config: Config,
    rules: RuleSet,
    exemptions: Exemptions | None = None,
    report_only: Collection[str] | None = None,
    today: dt.date | None = None,
    root: Path | None = None,
    recursive: bool = True,
    live: LoadOutcome | None = None,
) -> Report:
    """Scan ``paths``; ``report_only`` keeps the results of those files while every file is still
    loaded, so relations across files (a bucket and its encryption resource) stay visible.
    ``today`` is the day attestations are judged on (default: the clock's); ``live`` adds resources read
    from a running service (``scan --db``)."""
    day = today or dt.date.today()
    records = judge(rules.attestations, day)
    root = root or scan_root(paths)
    files, too_big = read_inputs(paths, root, config, recursive)
    outcome = load_all(files, config)
    outcome.errors.extend(too_big)
    outcome.extend(detect_for_scan(outcome, files, config, root))
    if live is not None:
        outcome.extend(live)
    results = run(rules.rules, outcome.resources, config) + load_error_results(outcome.errors)
    suppressions = [s for group in files.values() for f in group if b"policyproof:ignore" in f.data
                    if not isinstance(text := f.text(), LoadError) for s in find_suppressions(f.path, text)]
    results, warnings = apply(results, suppressions, {r.id for r in rules.rules}, exemptions or Exemptions())
    if report_only is not None:
        wanted = set(report_only)
        results = [r for r in results if _paths_of(r) & wanted]
    results.sort(key=_order)
    return Report(
        tool=Tool(version=__version__, rules_version=rules.version),
        policy=PolicyRef(id=rules.policy.id, title=rules.policy.title, version=rules.policy.version),
        root=printable_path(str(paths[0])) if len(paths) == 1 and recursive else ".",
        inputs=[InputFile(path=f.path, sha256=f.sha256, format=fmt) for fmt, f in sorted(
            ((fmt, f) for fmt, group in files.items() for f in group), key=lambda pair: pair[1].path)],
        results=results,
        commitments=roll_up(rules.policy, rules.rules, results, records),
        notes=[f"{n.path}:{n.line}: {n.message}" for n in outcome.notes],
        warnings=warnings + attestation_warnings(records, day),
        attestations=records,
    )


def _paths_of(result: Result) -> set[str]:
    paths = {result.location.path} if result.location else set()
    if result.resource is not None and result.resource.location is not None:
        paths.add(result.resource.location.path)
    return paths


def scan_folders(
    root: Path,
    folders: Sequence[Path],
    config: Config,
    rules: RuleSet,
    exemptions: Exemptions | None,
    report_only: Collection[str],
) -> Report:
    """Scan only the files directly in ``folders`` (paths relative to ``root``): a commit hook's view.

    Relations never cross a folder (a Terraform module, a migrations folder), so
    loading the folders of the changed files is enough to judge those files; the
    subprocessor register is read too, since every detected vendor is judged against it.
    """
    root = root.resolve()
    registers = [configured] if (configured := register_path(config.subprocessors)) else DEFAULT_REGISTERS
    extra = [root / name for name in registers if (root / name).is_file()]
    return scan([*folders, *extra], config, rules, exemptions, report_only, root=root, recursive=False)


def scan_root(paths: Sequence[Path]) -> Path:
    if len(paths) == 1:
        only = paths[0].resolve()
        return only if only.is_dir() else only.parent
    return Path.cwd().resolve()


def read_inputs(
    paths: Sequence[Path], root: Path, config: Config, recursive: bool = True
) -> tuple[dict[str, list[SourceFile]], list[LoadError]]:
    files: dict[str, list[SourceFile]] = defaultdict(list)
    errors: list[LoadError] = []
    seen: set[str] = set()
    for path in paths:
        for candidate in walk(path, config.exclude, recursive):
            relative = printable_path(os.path.relpath(candidate.absolute, root).replace(os.sep, "/"))
            if relative in seen or not _included(relative, config.include):
                continue
            seen.add(relative)
            if candidate.problem is not None:
                errors.append(LoadError(relative, 1, candidate.problem, kind="io"))
                continue
            try:
                with _open_regular(candidate.absolute) as handle:
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


def printable_path(path: str) -> str:
    """A file name that is not valid UTF-8 (kept by Python as lone surrogates) spelled with ``\\xNN`` escapes,
    so every report can encode it and two such names stay distinct."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _open_regular(path: Path) -> BinaryIO:
    """Open for reading without blocking on a FIFO that replaced the file after the walk saw it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file")
    return os.fdopen(fd, "rb")


def _included(path: str, patterns: Sequence[str]) -> bool:
    return not patterns or any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, f"{p.rstrip('/')}/*")
                               for p in patterns)


def _format_of(path: str, head: bytes, config: Config) -> str | None:
    forced = next((fmt for pattern, fmt in config.formats.force.items() if fnmatch.fnmatch(path, pattern)), None)
    if forced is None and any(fnmatch.fnmatch(path, pattern) for pattern in config.database.migrations):
        forced = "sql"
    if forced is None and path == register_path(config.subprocessors):
        forced = subprocessor_register.FORMAT
    fmt = forced or loader_for(path, head)
    return None if fmt is None or fmt in config.formats.disable else fmt


def load_all(files: dict[str, list[SourceFile]], config: Config | None = None) -> LoadOutcome:
    outcome = LoadOutcome()
    store = cache.active()
    settings = config.model_dump_json() if config else ""
    for fmt in sorted(files):
        module = LOADERS[fmt]
        configured = getattr(module, "load_configured", None)

        def compute(module: ModuleType = module, configured: Any = configured, fmt: str = fmt) -> LoadOutcome:
            return configured(files[fmt], config) if configured and config else module.load(files[fmt])  # type: ignore[no-any-return]

        outcome.extend(store.load(fmt, files[fmt], settings, compute) if store else compute())
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
