"""Loading a scan's files: every loader's outcome, spread over the cores, reduced to what the rules read.

Nothing here imports the models (the configuration is only carried), so the
processes that load files, including one started before the command had read
its configuration (``checker.prefetch``), import no more than the loaders.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING

from checker import cache, prefetch
from checker.loaders import LOADERS
from checker.model import LoadOutcome
from checker.parallel import Spread, worker_count
from checker.sources import SourceFile

if TYPE_CHECKING:
    from checker.subprocessors.signals import Signal
    from policy_spec.config import Config


@dataclass
class Loaded:
    """The loaders' outcome as one scan reads it: the resources of the types in its reach, and the
    vendor signals of every resource. Each group is reduced by the process that loaded it, so only
    what the scan reads is sent back: most resources are of types no rule selects or relates."""

    outcome: LoadOutcome
    signals: list[Signal]


class Loading:
    """Every loader's outcome for a scan's files, begun before the scan knows what it keeps of them.

    Loaders that split their files into independent groups have each group cached apart, whole.
    Groups with no cache entry start loading on the other cores at once (``jobs`` processes at
    most, by default one per core, when there is enough input) while the caller reads its rules;
    ``finish`` joins in, reads the cached groups and keeps the resources of the types the rules
    reach. Left unfinished (the scan found its verdicts cached), it stops the workers.
    """

    def __init__(self, files: dict[str, list[SourceFile]], config: Config | None = None,
                 jobs: int | None = None) -> None:
        self._store = cache.active()
        self._settings = config.model_dump_json() if config else ""
        self._load = GroupLoad(self._store, self._settings, config)
        self._tasks: list[tuple[str, list[SourceFile]]] = []
        for fmt in sorted(files):
            split = getattr(LOADERS[fmt], "partition", None)
            self._tasks.extend((fmt, list(part)) for part in (split(files[fmt]) if split else [files[fmt]]))
        store, settings = self._store, self._settings
        self._stored = [store is not None and store.has(fmt, part, settings) for fmt, part in self._tasks]
        missing = [task for task, stored in zip(self._tasks, self._stored) if not stored]
        sizes = [sum(len(f.data) for f in part) for _, part in missing]
        if store is not None and missing:
            store.prepare()
        configured = any(hasattr(LOADERS[fmt], "load_configured") for fmt, _ in missing)
        work = self._load if configured else replace(self._load, config=None)  # a helper then imports no models
        self._spread: Spread[tuple[str, list[SourceFile]], LoadOutcome, frozenset[str], Loaded] = Spread(
            work, _reduced, missing, sizes, worker_count(sum(sizes), jobs), prefetch.claim())

    def __enter__(self) -> Loading:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._spread.cancel()

    def finish(self, reach: Collection[str]) -> Loaded:
        """The outcome of every group, in the order of the formats and groups, with the resources
        of the types in ``reach`` and the vendor signals of all."""
        kept = frozenset(reach)
        computed = iter(self._spread.finish(kept))
        merged = Loaded(LoadOutcome(), [])
        for task, stored in zip(self._tasks, self._stored):
            found = self._store.get(task[0], task[1], self._settings) if stored and self._store else None
            done = next(computed) if not stored else _reduced(found if found is not None else self._load(task), kept)
            merged.outcome.extend(done.outcome)
            merged.signals.extend(done.signals)
        return merged



@dataclass(frozen=True)
class GroupLoad:
    """One group's outcome, stored whole in the cache by whichever process loaded it. Plain data, so
    that a process started before the scan had its configuration can be handed it."""

    store: cache.Cache | None
    settings: str
    config: Config | None
    """Only for the loaders it configures (``load_configured``)."""

    def __call__(self, task: tuple[str, list[SourceFile]]) -> LoadOutcome:
        fmt, group = task
        module = LOADERS[fmt]
        configured = getattr(module, "load_configured", None)
        outcome: LoadOutcome = configured(group, self.config) if configured and self.config else module.load(group)
        if self.store is not None:
            self.store.put(fmt, group, self.settings, outcome)
        return outcome


def load_all(files: dict[str, list[SourceFile]], reach: Collection[str], config: Config | None = None,
             jobs: int | None = None) -> Loaded:
    """Every loader's outcome for its files, keeping the resources of the types in ``reach``."""
    with Loading(files, config, jobs) as loading:
        return loading.finish(reach)


def _reduced(outcome: LoadOutcome, reach: frozenset[str]) -> Loaded:
    from checker.subprocessors.signals import signals_of

    return Loaded(LoadOutcome([r for r in outcome.resources if r.type in reach], outcome.errors, outcome.notes),
                  list(signals_of(outcome.resources)))
