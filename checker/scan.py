"""One scan, from paths to a report: discover, load, evaluate, roll up."""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import os
import posixpath
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker import __version__, cache, replay
from checker.attestations import LoadedAttestation, judge, load_attestations
from checker.attestations import warnings as attestation_warnings
from checker.discover import walk
from checker.engine.rollup import roll_up
from checker.exempt import Exemptions, apply, find_suppressions
from checker.loaders import loader_for
from checker.loading import Loading
from checker.model import LoadError, LoadOutcome
from checker.policies import bundled_policy_path, load_policy
from checker.rulebook import bundled_catalog_path, bundled_rules_dir, digest, load_rules, rule_files
from checker.sources import SourceFile, open_regular, read_to_end
from policy_spec.config import Config
from policy_spec.evidence import InputFile, PolicyRef, Report, Result, Tool
from policy_spec.policy import Policy
from policy_spec.rule import SEVERITIES, Rule

HEAD_BYTES = 4096
WHOLE_READ_BYTES = 65536
"""A file up to this size is read in one go, its first bytes told apart after: cheaper than two reads."""


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
    folders = ([bundled_rules_dir()] if config.bundled_rules else []) + [base / f for f in config.rules]
    files = rule_files(folders)
    policy, rules, version = _policy_and_rules(base / config.policy if config.policy else None, files)
    if config.enable:
        rules = [r for r in rules if r.id in config.enable]
    rules = [r for r in rules if r.id not in config.disable]
    attested = load_attestations(config.attestations, base, [c.id for c in policy.commitments])
    return RuleSet(policy, rules, version, tuple(files), tuple(attested))


def _policy_and_rules(policy_path: Path | None, files: list[Path]) -> tuple[Policy, list[Rule], str]:
    """The policy and every rule of ``files``, validated; from the cache when the same files, byte for
    byte, were validated before (reading and validating a hundred rules costs more than a warm scan)."""
    store = cache.active()
    try:
        policy_bytes = (policy_path or bundled_policy_path()).read_bytes()
        contents: list[bytes] | None = [path.read_bytes() for path in files]
    except OSError:
        contents = None  # loading below reports the file that cannot be read
    key = None
    if store is not None and contents is not None:
        key = store.key(b"rules", policy_bytes, *(os.fsencode(p) + b"\0" + c for p, c in zip(files, contents)))
        found = store.get_object(key, tuple)
        if found is not None:
            return found
    policy = load_policy(policy_path, policy_bytes if contents is not None else None)
    rules = load_rules(files, [c.id for c in policy.commitments], contents)
    entry = (policy, rules, digest(files, contents if contents is not None else [p.read_bytes() for p in files]))
    if store is not None and key is not None:
        store.put_object(key, entry)
    return entry


def scan(
    paths: Sequence[Path],
    config: Config,
    rules: RuleSet | Callable[[], RuleSet],
    exemptions: Exemptions | None = None,
    report_only: Collection[str] | None = None,
    today: dt.date | None = None,
    root: Path | None = None,
    recursive: bool = True,
    live: LoadOutcome | None = None,
    jobs: int | None = None,
) -> Report:
    """Scan ``paths``; ``report_only`` keeps the results of those files while every file is still
    loaded, so relations across files (a bucket and its encryption resource) stay visible.
    ``today`` is the day attestations are judged on (default: the clock's); ``live`` adds resources read
    from a running service (``scan --db``); ``jobs`` caps the processes that load files (default: one
    per core). ``rules`` may be given as the function that reads them, which is called once the files
    have started loading on the other cores: reading and validating the rules then costs no time of
    its own."""
    day = today or dt.date.today()
    root = root or scan_root(paths)
    files, too_big = read_inputs(paths, root, config, recursive)
    with Loading(files, config, jobs) as loading:
        rules = rules if isinstance(rules, RuleSet) else rules()
        verdicts = _verdicts(files, too_big, config, rules, root, live, loading)
    records = judge(rules.attestations, day)
    results = list(verdicts.results)
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
        inputs=[InputFile.model_construct(path=f.path, sha256=f.sha256, format=fmt) for fmt, f in sorted(
            ((fmt, f) for fmt, group in files.items() for f in group), key=lambda pair: pair[1].path)],
        results=results,
        commitments=roll_up(rules.policy, rules.rules, results, records),
        notes=[f"{n.path}:{n.line}: {n.message}" for n in sorted(verdicts.notes, key=_note_order)],
        warnings=warnings + attestation_warnings(records, day),
        attestations=records,
    )


@dataclass(frozen=True)
class _Verdicts:
    """A scan's results before exemptions, and the files skipped on purpose: what a repeated scan
    of the same files under the same rules and configuration can take from the cache."""

    results: list[Result]
    notes: list[LoadError]


def _verdicts(files: dict[str, list[SourceFile]], unread: list[LoadError], config: Config, rules: RuleSet,
              root: Path, live: LoadOutcome | None, loading: Loading) -> _Verdicts:
    store = cache.active() if live is None else None
    key = _verdicts_key(store, files, unread, config, rules, root) if store else None
    if store and key and (found := store.get_object(key, _Verdicts)) is not None:
        return found
    from checker.engine.evaluate import load_error_results, run, types_read  # not needed when the verdicts are cached
    from checker.subprocessors.detect import READ_TYPES, detect_for_scan, scan_catalog

    catalog = scan_catalog(config, root)  # while the other cores are still loading
    replay.settle()
    loaded = loading.finish(types_read(rules.rules) | READ_TYPES)
    outcome = loaded.outcome
    outcome.errors.extend(unread)
    outcome.extend(detect_for_scan(outcome, loaded.signals, files, config, root, catalog))
    if live is not None:
        outcome.extend(live)
    verdicts = _Verdicts(run(rules.rules, outcome.resources, config) + load_error_results(outcome.errors),
                         outcome.notes)
    if store and key:
        store.put_object(key, verdicts)
    return verdicts


def _verdicts_key(store: cache.Cache, files: dict[str, list[SourceFile]], unread: list[LoadError],
                  config: Config, rules: RuleSet, root: Path) -> str | None:
    """Everything the verdicts depend on besides the code: the inputs, the configuration, the rules in
    force and the vendor catalogs (None when a catalog cannot be read: the scan reports that)."""
    try:
        catalogs = [path.read_bytes() for path in [bundled_catalog_path(), *(root / extra for extra in config.vendors)]]
    except OSError:
        return None
    inputs = b"".join(f"{fmt}\0{f.path}\0{f.sha256}\n".encode("utf-8", "surrogateescape")
                      for fmt in sorted(files) for f in sorted(files[fmt], key=lambda f: f.path))
    return store.key(b"scan", config.model_dump_json().encode(), os.fsencode(root), rules.version.encode(),
                     " ".join(sorted(r.id for r in rules.rules)).encode(), repr(unread).encode(), *catalogs, inputs)


def _note_order(note: LoadError) -> tuple[str, int, str]:
    return note.path, note.line, note.message


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
    from checker.loaders import subprocessor_register

    configured = subprocessor_register.register_path(config.subprocessors)
    registers = [configured] if configured else subprocessor_register.DEFAULT_PATHS
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
    detector = _Detector(config)
    for path in paths:
        resolved = path.resolve()
        above = os.path.relpath(resolved if resolved.is_dir() else resolved.parent, root).replace(os.sep, "/")
        prefix = "" if above == "." else above + "/"
        for candidate in walk(path, config.exclude, recursive):
            relative = printable_path(posixpath.normpath(prefix + candidate.path))
            if relative in seen or not _included(relative, config.include):
                continue
            seen.add(relative)
            if candidate.problem is not None:
                errors.append(LoadError(relative, 1, candidate.problem, kind="io"))
                continue
            try:
                fd, _ = open_regular(candidate.absolute)
                try:
                    whole = candidate.size <= WHOLE_READ_BYTES
                    data = read_to_end(fd, candidate.size) if whole else os.read(fd, HEAD_BYTES)
                    fmt = detector.format_of(relative, data[:HEAD_BYTES])
                    if fmt is None:
                        continue
                    if candidate.size > config.max_file_bytes:
                        errors.append(LoadError(relative, 1, f"file is {candidate.size} bytes, over the limit of "
                                                f"{config.max_file_bytes} (max_file_bytes)", kind="io"))
                        continue
                    if not whole:
                        data += read_to_end(fd, candidate.size - len(data))
                finally:
                    os.close(fd)
            except OSError as exc:
                errors.append(LoadError(relative, 1, f"cannot read: {exc.strerror or exc}", kind="io"))
                continue
            source = SourceFile(relative, data)
            files[fmt].append(source)
            replay.read(candidate.absolute, source)
    detector.save()
    return files, errors


class _Detector:
    """Each file's format, from its name and first bytes.

    What the loaders claim depends on nothing else, so the answers for the same names and first
    bytes under the same configuration are kept in the cache: a repeated scan imports no loader
    until a file is new or changed.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._store = cache.active()
        self._key = self._store.key(b"formats", config.model_dump_json().encode()) if self._store else ""
        known = self._store.get_object(self._key, dict) if self._store else None
        self._known: dict[str, tuple[bytes, str | None]] = known or {}
        self._changed = False

    def format_of(self, relative: str, head: bytes) -> str | None:
        digest = hashlib.sha256(head).digest()
        known = self._known.get(relative)
        if known is not None and known[0] == digest:
            return known[1]
        fmt = _format_of(relative, head, self._config)
        self._known[relative] = (digest, fmt)
        self._changed = True
        return fmt

    def save(self) -> None:
        if self._store is not None and self._changed:
            self._store.put_object(self._key, self._known)


def printable_path(path: str) -> str:
    """A file name that is not valid UTF-8 (kept by Python as lone surrogates) spelled with ``\\xNN`` escapes,
    so every report can encode it and two such names stay distinct."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _included(path: str, patterns: Sequence[str]) -> bool:
    return not patterns or any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, f"{p.rstrip('/')}/*")
                               for p in patterns)


def _format_of(path: str, head: bytes, config: Config) -> str | None:
    forced = next((fmt for pattern, fmt in config.formats.force.items() if fnmatch.fnmatch(path, pattern)), None)
    if forced is None and any(fnmatch.fnmatch(path, pattern) for pattern in config.database.migrations):
        forced = "sql"
    if forced is None:
        from checker.loaders import subprocessor_register  # only when a file's format is not yet known

        if path == subprocessor_register.register_path(config.subprocessors):
            forced = subprocessor_register.FORMAT
    fmt = forced or loader_for(path, head)
    return None if fmt is None or fmt in config.formats.disable else fmt


def _order(result: Result) -> tuple[str, int, str, str, str, int, str]:
    """File, line, rule, resource; then the module call, for one module's resource instantiated by
    two callers; then the message: a total order, whatever order the loaders produced."""
    location = result.location
    resource = result.resource
    call = resource.module_call if resource else None
    return (location.path if location else "", location.line if location else 0, result.rule,
            resource.address if resource else "", call.path if call else "", call.line if call else 0,
            result.message)


def failing(results: Sequence[Result], fail_on: str, fail_on_error: bool) -> list[Result]:
    """The results that make the gate fail at threshold ``fail_on``."""
    threshold = SEVERITIES.index(fail_on)
    return [
        r for r in results
        if (r.status == "fail" and SEVERITIES.index(r.severity) >= threshold)
        or (r.status == "error" and fail_on_error)
    ]
