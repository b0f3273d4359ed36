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

A process forked earlier, before the work was known, can be handed it instead
of forking one (a ``Helper``, from ``spawn``): it is given the work, the items
and the queue's order, pickled, and fills the queue itself, keeping back the
pieces it has already begun (``checker.prefetch`` parses files in one that way).
"""
from __future__ import annotations

import io
import itertools
import os
import pickle
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from typing import NoReturn

T = TypeVar("T")
W = TypeVar("W")
"""What ``work`` leaves for ``complete``."""
M = TypeVar("M")
R = TypeVar("R")

MIN_BYTES_PER_WORKER = 256 * 1024
"""Below this much input per process, forking costs more than it saves."""

_RECORD = struct.Struct("<I")
_RECORD_LENGTH = struct.Struct("<Q")
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
    a lock the child would inherit (a program calling the scan from a thread pool loads serially).
    ``multiprocessing`` is imported only to fork more than the helper."""
    threads = sys.modules.get("threading")
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and (threads is None or threads.active_count() == 1))


def largest_first(sizes: Sequence[int]) -> list[int]:
    """The order pieces are handed out in: the largest first, so that no process is left with a
    large piece when the others have run out (the longest-processing-time rule)."""
    return sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))


class Connection(Protocol):
    """One end of a pipe of whole messages: ``multiprocessing``'s, or ``FdConnection``."""

    def poll(self) -> bool: ...

    def recv_bytes(self) -> bytes: ...

    def send_bytes(self, payload: bytes) -> None: ...

    def close(self) -> None: ...


class FdConnection:
    """One end of an ``os.pipe`` carrying whole messages, each preceded by its length: what a process
    forked before ``multiprocessing`` was imported talks through."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def poll(self) -> bool:
        import select

        return bool(select.select([self._open()], [], [], 0)[0])

    def recv_bytes(self) -> bytes:
        size = _RECORD_LENGTH.unpack(self._read(_RECORD_LENGTH.size))[0]
        return self._read(size)

    def send_bytes(self, payload: bytes) -> None:
        view = memoryview(_RECORD_LENGTH.pack(len(payload)) + payload)
        while view:
            view = view[os.write(self._open(), view):]

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _read(self, size: int) -> bytes:
        parts: list[bytes] = []
        while size:
            part = os.read(self._open(), min(size, 1 << 20))
            if not part:
                raise EOFError
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def _open(self) -> int:
        if self._fd is None:
            raise OSError("connection closed")
        return self._fd


class _Joinable(Protocol):
    def join(self) -> None: ...


@dataclass
class _Worker:
    process: _Joinable
    results: Connection
    messages: Connection


class Spread(Generic[T, W, M, R]):
    """``[complete(work(item), message) for item in items]``, with ``work`` begun at once on
    ``workers - 1`` forked processes and joined by the caller in ``finish``, once it has the
    message (which must be small and picklable). Use it as a context manager: leaving it
    unfinished takes the remaining pieces away and lets the workers end."""

    def __init__(self, work: Callable[[T], W], complete: Callable[[W, M], R], items: Sequence[T],
                 sizes: Sequence[int], workers: int, helper: Helper | None = None) -> None:
        self._work = work
        self._complete = complete
        self._items = items
        order = largest_first(sizes)
        per = max(1, -(-len(order) // _QUEUE_RECORDS))
        self._batches = [order[start : start + per] for start in range(0, len(order), per)]
        self._queue: int | None = None
        self._workers: list[_Worker] = []
        count = min(workers, len(items)) - 1 if workers > 1 and len(items) > 1 else 0
        if helper is not None:
            if count and self._hand_over(helper):
                count -= 1
            else:
                helper.dismiss()
        if count:
            self._fork(count)

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

    def _hand_over(self, helper: Helper) -> bool:
        """Make ``helper`` a worker: it fills the queue itself."""
        try:
            payload = pickle.dumps((self._work, self._complete, self._items, self._batches),
                                   protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - work that cannot travel is done by forked workers
            return False
        if not helper.hand_over(payload):
            return False
        self._queue = helper.queue
        self._workers.append(_Worker(helper, helper.results, helper.messages))
        return True

    def _fork(self, count: int) -> None:
        import multiprocessing

        if self._queue is None:
            readable, writable = os.pipe()
            _fill(writable, range(len(self._batches)))
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

    @classmethod
    def _handed(cls, payload: bytes) -> Spread[Any, Any, Any, Any]:
        work, complete, items, batches = pickle.loads(payload)
        spread: Spread[Any, Any, Any, Any] = cls(work, complete, items, [], workers=1)
        spread._batches = batches
        return spread

    def _serve(self, results: Connection, messages: Connection, inherited: list[Connection],
               first: Sequence[int] = ()) -> None:
        """A worker's life: take pieces until none are left, completing each as soon as the message
        has come, and send them all back at the end (the caller reads only once its own pieces
        are done, so sending earlier would block on a full pipe)."""
        for sender in inherited:
            sender.close()  # the caller's ends of the message pipes: each must end when the caller closes it
        message: list[M] = []  # empty until it comes (the message itself may be None)
        waiting: list[tuple[int, W]] = []
        payloads: list[bytes] = []
        try:
            for index, value in itertools.chain(self._do(first), self._take(tolerant=True)):
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

    def _do(self, indices: Sequence[int]) -> Iterator[tuple[int, W]]:
        for index in indices:
            try:
                yield index, self._work(self._items[index])
            except Exception:  # noqa: BLE001 - the caller computes this piece again
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


class Helper:
    """A process forked before its work was known (``spawn``): a ``Spread`` hands it the work and it
    serves as a worker, or it is dismissed."""

    def __init__(self, pid: int, control: int, results: int, queue: int, handoff: int) -> None:
        self.pid = pid
        self.messages = FdConnection(control)
        self.results = FdConnection(results)
        self.queue = queue
        """The read end of the queue of pieces, which the helper fills once handed the work."""
        self._handoff = handoff

    def hand_over(self, payload: bytes) -> bool:
        """Give the helper the pickled work through an anonymous file, so that the caller never waits
        for the helper to read it; False if it has gone."""
        try:
            view = memoryview(payload)
            while view:
                view = view[os.pwrite(self._handoff, view, len(payload) - len(view)):]
            self.messages.send_bytes(_RECORD_LENGTH.pack(len(payload)))
        except OSError:
            return False
        finally:
            self._close_handoff()
        return True

    def join(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def dismiss(self) -> None:
        """Let the helper go: it ends as soon as it finds its end of the pipe closed."""
        self.messages.close()
        self.results.close()
        os.close(self.queue)
        self._close_handoff()

    def _close_handoff(self) -> None:
        if self._handoff >= 0:
            os.close(self._handoff)
            self._handoff = -1


def can_spawn() -> bool:
    return hasattr(os, "memfd_create") and _can_fork()


def spawn(begin: Callable[[Connection], None], begun: Callable[[Any], bool]) -> Helper:
    """Fork a helper that runs ``begin`` (which returns when it is done or when its argument has
    something to read) and, once handed work, serves as a worker that keeps for itself the items
    ``begun`` says it has started on. Only a process that ends soon may spawn one: a helper is
    waited for only when it was handed work."""
    control_in, control_out = os.pipe()
    results_in, results_out = os.pipe()
    queue_in, queue_out = os.pipe()
    handoff = os.memfd_create("policyproof-work", os.MFD_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        os.close(control_out)
        os.close(results_in)
        _helper(begin, begun, FdConnection(control_in), FdConnection(results_out), (queue_in, queue_out), handoff)
    for end in (control_in, results_out, queue_out):
        os.close(end)
    return Helper(pid, control_out, results_in, queue_in, handoff)


def _helper(begin: Callable[[Connection], None], begun: Callable[[Any], bool], control: FdConnection,
            results: FdConnection, queue: tuple[int, int], handoff: int) -> NoReturn:
    """A helper's whole life; it never returns into the code that forked it."""
    code = 0
    try:
        _quiet()
        begin(control)
        size = _RECORD_LENGTH.unpack(control.recv_bytes())[0]
        payload = _read_at(handoff, size)
        os.close(handoff)
        _serve_handed(payload, queue, results, control, begun)
    except BaseException:  # noqa: BLE001 - dismissed, or failed: the caller computes what it lacks
        code = 1
    os._exit(code)


def _quiet() -> None:
    """Standard streams on the null device: a helper writes nothing, and whoever reads the caller's
    output must not wait for the helper to end to see it end."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _read_at(fd: int, size: int) -> bytes:
    parts: list[bytes] = []
    offset = 0
    while offset < size:
        part = os.pread(fd, size - offset, offset)
        if not part:
            raise EOFError
        parts.append(part)
        offset += len(part)
    return b"".join(parts)


def _serve_handed(payload: bytes, queue: tuple[int, int], results: Connection, messages: Connection,
                  begun: Callable[[Any], bool]) -> None:
    """A helper's side of ``Spread._hand_over``: keep the pieces ``begun`` says it has started on,
    queue the others for every process, then work as any worker does."""
    spread = Spread._handed(payload)
    kept = [number for number, batch in enumerate(spread._batches) if any(begun(spread._items[i]) for i in batch)]
    readable, writable = queue
    _fill(writable, sorted(set(range(len(spread._batches))) - set(kept)))
    spread._queue = readable
    spread._serve(results, messages, [], first=[index for number in kept for index in spread._batches[number]])


def _fill(queue: int, numbers: Iterable[int]) -> None:
    """Write the queue's records and close it, so a process that finds it empty reads its end and
    never blocks. It holds at most ``_QUEUE_RECORDS``: no write waits for a reader."""
    try:
        records = b"".join(_RECORD.pack(number) for number in numbers)
        while records:
            records = records[os.write(queue, records):]
    finally:
        os.close(queue)


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
