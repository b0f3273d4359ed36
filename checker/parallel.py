"""Independent pieces of work spread over the machine's cores, in forked processes.

Parsing holds Python's lock (tree-sitter's allocator needs it), so threads
would take turns; separate processes do not. Workers are forked, so they
inherit the inputs and the imported code and only their outputs are pickled
back. The calling process takes a share of the work itself, and anything a
worker fails to return (it crashed, or its output would not pickle) is
computed again in the caller: spreading work out never changes a result,
only how soon it arrives.
"""
from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")

MIN_BYTES_PER_WORKER = 256 * 1024
"""Below this much input per process, forking costs more than it saves."""


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(total_bytes: int, jobs: int | None = None) -> int:
    """How many processes to use for ``total_bytes`` of input: ``jobs`` if given, else one per core,
    fewer when the input is small; always one where processes cannot be forked."""
    if not _can_fork():
        return 1
    wanted = jobs if jobs and jobs > 0 else available_cores()
    return max(1, min(wanted, total_bytes // MIN_BYTES_PER_WORKER))


def _can_fork() -> bool:
    """Forking is safe only where it is the platform's own way and no other thread could be holding
    a lock the child would inherit (a program calling the scan from a thread pool loads serially)."""
    import multiprocessing
    import threading

    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


def balance(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Indices of ``sizes`` split into ``workers`` buckets of similar total, largest items first
    (the longest-processing-time rule); each bucket keeps its indices in ascending order."""
    buckets: list[list[int]] = [[] for _ in range(workers)]
    totals = [0] * workers
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        lightest = min(range(workers), key=lambda w: (totals[w], w))
        buckets[lightest].append(index)
        totals[lightest] += sizes[index]
    return [sorted(bucket) for bucket in buckets]


def map_balanced(function: Callable[[T], R], items: Sequence[T], sizes: Sequence[int], workers: int) -> list[R]:
    """``[function(item) for item in items]``, computed by ``workers`` processes (this one included)."""
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    import multiprocessing

    buckets = [b for b in balance(sizes, min(workers, len(items))) if b]
    context = multiprocessing.get_context("fork")
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or a child would write the parent's buffered output again
    children = []
    for bucket in buckets[1:]:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(function, [items[i] for i in bucket], sender), daemon=True)
        process.start()
        sender.close()
        children.append((bucket, process, receiver))
    results: dict[int, R] = {}
    for index in buckets[0]:
        results[index] = function(items[index])
    for bucket, process, receiver in children:
        outputs: list[R] | None = _receive(receiver)
        process.join()
        if outputs is None or len(outputs) != len(bucket):
            outputs = [function(items[i]) for i in bucket]
        results.update(zip(bucket, outputs))
    return [results[i] for i in range(len(items))]


def _work(function: Callable[[T], R], items: list[T], sender: Connection) -> None:
    try:
        payload = pickle.dumps([function(item) for item in items], protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 - the caller computes this bucket itself
        payload = b""
    try:
        sender.send_bytes(payload)
    finally:
        sender.close()


def _receive(receiver: Connection) -> list[R] | None:
    try:
        payload = receiver.recv_bytes()
    except (EOFError, OSError):
        return None
    finally:
        receiver.close()
    if not payload:
        return None
    try:
        outputs = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a damaged payload is recomputed, never trusted
        return None
    return outputs if isinstance(outputs, list) else None
