"""Independent pieces of work spread over the machine's cores, in forked processes.

Parsing holds Python's lock (tree-sitter's allocator needs it), so threads
would take turns; separate processes do not. Workers are forked, so they
inherit the inputs and the imported code and only their outputs are pickled
back.

The work is handed out as soon as it is known, before the caller knows what
it will keep of each piece: a scan starts parsing before it has read its
rules. Each piece is done in two steps, ``work`` (the parse) and ``complete``
(keeping what the rules read), and the second step waits for a small message
from the caller; once it has come, a worker completes each piece as soon as it
has done it, so nothing is left to do when the queue runs out. Pieces are taken
from a shared queue, largest first, so a caller busy with other things takes
fewer of them and the processes finish together. Anything a worker fails to
return (it crashed, or its output would not pickle) is computed again in the
caller: spreading work out never changes a result, only how soon it arrives.
"""
from __future__ import annotations

import io
import os
import pickle
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

T = TypeVar("T")
W = TypeVar("W")
"""What ``work`` leaves for ``complete``."""
M = TypeVar("M")
R = TypeVar("R")

MIN_BYTES_PER_WORKER = 256 * 1024
"""Below this much input per process, forking costs more than it saves."""

_RECORD = struct.Struct("<I")
_QUEUE_RECORDS = 16384
"""How many records the queue pipe holds (64 KiB) before a writer would block; more pieces than
this are queued in batches."""


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


def largest_first(sizes: Sequence[int]) -> list[int]:
    """The order pieces are handed out in: the largest first, so that no process is left with a
    large piece when the others have run out (the longest-processing-time rule)."""
    return sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))


@dataclass
class _Worker:
    process: BaseProcess
    results: Connection
    messages: Connection


class Spread(Generic[T, W, M, R]):
    """``[complete(work(item), message) for item in items]``, with ``work`` begun at once on
    ``workers - 1`` forked processes and joined by the caller in ``finish``, once it has the
    message (which must be small and picklable). Use it as a context manager: leaving it
    unfinished takes the remaining pieces away and lets the workers end."""

    def __init__(self, work: Callable[[T], W], complete: Callable[[W, M], R], items: Sequence[T],
                 sizes: Sequence[int], workers: int) -> None:
        self._work = work
        self._complete = complete
        self._items = items
        order = largest_first(sizes)
        per = max(1, -(-len(order) // _QUEUE_RECORDS))
        self._batches = [order[start : start + per] for start in range(0, len(order), per)]
        self._queue: int | None = None
        self._workers: list[_Worker] = []
        if workers > 1 and len(items) > 1:
            self._fork(min(workers, len(items)) - 1)

    def __enter__(self) -> Spread[T, W, M, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.cancel()

    def finish(self, message: M) -> list[R]:
        """Every item's result, in the order of the items."""
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        for worker in self._workers:
            try:
                worker.messages.send_bytes(payload)
            except OSError:
                pass  # it died; its pieces are computed below
            worker.messages.close()
        results: dict[int, R] = {}
        own = self._take(tolerant=False) if self._queue is not None else (
            (index, self._work(item)) for index, item in enumerate(self._items))
        for index, done in own:
            results[index] = self._complete(done, message)
        for worker in self._workers:
            results.update(_receive(worker.results, len(self._items)))
            worker.process.join()
        self._workers = []
        self._close_queue()
        for index, item in enumerate(self._items):
            if index not in results:
                results[index] = self._complete(self._work(item), message)
        return [results[index] for index in range(len(self._items))]

    def cancel(self) -> None:
        """Take away the pieces no process has begun and wait for the workers to end (each finishes
        the piece it is on). Nothing to do once finished."""
        if self._queue is not None:
            while os.read(self._queue, 4096):
                pass
        for worker in self._workers:
            worker.messages.close()  # a worker waiting for the message reads its end and stops
            worker.results.close()
            worker.process.join()
        self._workers = []
        self._close_queue()

    def _fork(self, count: int) -> None:
        import multiprocessing

        readable, writable = os.pipe()
        try:
            records = b"".join(_RECORD.pack(number) for number in range(len(self._batches)))
            while records:
                records = records[os.write(writable, records):]
        finally:
            os.close(writable)  # so a process that finds the queue empty reads its end, never blocks
        self._queue = readable
        context = multiprocessing.get_context("fork")
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or a child would write the parent's buffered output again
        for _ in range(count):
            results_in, results_out = context.Pipe(duplex=False)
            messages_in, messages_out = context.Pipe(duplex=False)
            inherited = [messages_out, *(worker.messages for worker in self._workers)]
            process = context.Process(target=self._serve, args=(results_out, messages_in, inherited), daemon=True)
            process.start()
            results_out.close()
            messages_in.close()
            self._workers.append(_Worker(process, results_in, messages_out))

    def _serve(self, results: Connection, messages: Connection, inherited: list[Connection]) -> None:
        """A worker's life: take pieces until none are left, completing each as soon as the message
        has come, and send them all back at the end (the caller reads only once its own pieces
        are done, so sending earlier would block on a full pipe)."""
        for sender in inherited:
            sender.close()  # the caller's ends of the message pipes: each must end when the caller closes it
        message: list[M] = []  # empty until it comes (the message itself may be None)
        waiting: list[tuple[int, W]] = []
        payloads: list[bytes] = []
        try:
            for index, value in self._take(tolerant=True):
                waiting.append((index, value))
                if not message and messages.poll():
                    message.append(pickle.loads(messages.recv_bytes()))
                if message:
                    payloads.extend(self._completed(waiting, message[0]))
                    waiting = []
            if not message:
                message.append(pickle.loads(messages.recv_bytes()))
        except (EOFError, OSError):
            return  # cancelled: the caller closed its end of the message pipe
        payloads.extend(self._completed(waiting, message[0]))
        try:
            results.send_bytes(b"".join(payloads))
        except OSError:
            pass  # the caller stopped listening: it failed and is cancelling
        finally:
            results.close()

    def _completed(self, done: list[tuple[int, W]], message: M) -> Iterator[bytes]:
        """Each piece completed and pickled on its own, so one that fails (the caller computes it
        again) costs no other."""
        for index, value in done:
            try:
                yield pickle.dumps((index, self._complete(value, message)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - the caller computes this piece itself
                continue

    def _take(self, tolerant: bool) -> Iterator[tuple[int, W]]:
        """Pieces from the queue until it is empty. A worker skips a piece that fails (the caller
        computes it again and meets the error itself); the caller does not."""
        assert self._queue is not None
        while len(record := os.read(self._queue, _RECORD.size)) == _RECORD.size:
            for index in self._batches[_RECORD.unpack(record)[0]]:
                try:
                    yield index, self._work(self._items[index])
                except Exception:
                    if not tolerant:
                        raise

    def _close_queue(self) -> None:
        if self._queue is not None:
            os.close(self._queue)
            self._queue = None


def map_balanced(function: Callable[[T], R], items: Sequence[T], sizes: Sequence[int], workers: int) -> list[R]:
    """``[function(item) for item in items]``, computed by ``workers`` processes (this one included)."""
    with Spread(function, _first, items, sizes, workers) as spread:
        return spread.finish(None)


def _first(value: R, _: object) -> R:
    return value


def _receive(receiver: Connection, count: int) -> dict[int, Any]:
    """What a worker sent back (one pickle per piece), up to anything damaged; nothing when it died."""
    try:
        payload = receiver.recv_bytes()
    except (EOFError, OSError):
        return {}
    finally:
        receiver.close()
    received: dict[int, Any] = {}
    stream = io.BytesIO(payload)
    while stream.tell() < len(payload):
        try:
            pair = pickle.load(stream)
        except Exception:  # noqa: BLE001 - a damaged payload is recomputed, never trusted
            break
        if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], int) and 0 <= pair[0] < count:
            received[pair[0]] = pair[1]
    return received
