from __future__ import annotations

import functools
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from checker import parallel

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked only on Linux")


def square(n: int) -> int:
    return n * n


def test_pieces_are_handed_out_largest_first() -> None:
    assert parallel.largest_first([5, 1, 4, 2, 3]) == [0, 2, 4, 3, 1]


def test_equal_pieces_keep_their_order() -> None:
    assert parallel.largest_first([3] * 5) == [0, 1, 2, 3, 4]


def test_small_inputs_are_not_worth_a_second_process() -> None:
    assert parallel.worker_count(parallel.MIN_BYTES_PER_WORKER - 1) == 1


@needs_fork
def test_large_inputs_get_a_process_per_core_up_to_jobs() -> None:
    assert parallel.worker_count(100 * parallel.MIN_BYTES_PER_WORKER, jobs=3) == 3
    assert parallel.worker_count(100 * parallel.MIN_BYTES_PER_WORKER, jobs=1) == 1


@needs_fork
def test_results_come_back_in_input_order() -> None:
    items = list(range(20))
    assert parallel.map_balanced(square, items, [1] * 20, workers=3) == [n * n for n in items]


def _pid_of(_: int) -> int:
    return os.getpid()


def _slow_pid_of(_: int) -> int:
    time.sleep(0.2)  # long enough for the forked worker to start and take a piece
    return os.getpid()


@needs_fork
def test_work_runs_in_other_processes_too() -> None:
    pids = parallel.map_balanced(_slow_pid_of, list(range(4)), [1] * 4, workers=2)
    assert os.getpid() in pids and len(set(pids)) == 2


def _unpicklable_away_from_home(n: int) -> object:
    time.sleep(0.1)
    return n if os.getpid() == _HOME else (lambda: n)


_HOME = os.getpid()


@needs_fork
def test_what_a_worker_cannot_send_back_is_computed_here() -> None:
    assert parallel.map_balanced(_unpicklable_away_from_home, [1, 2, 3, 4], [1] * 4, workers=2) == [1, 2, 3, 4]


def _crash_away_from_home(n: int) -> int:
    time.sleep(0.1)
    if os.getpid() != _HOME:
        os._exit(9)
    return n


@needs_fork
def test_a_worker_that_dies_is_replaced_by_this_process() -> None:
    assert parallel.map_balanced(_crash_away_from_home, [1, 2, 3, 4], [1] * 4, workers=2) == [1, 2, 3, 4]


def test_a_program_with_other_threads_is_never_forked() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert parallel.worker_count(100 * parallel.MIN_BYTES_PER_WORKER, jobs=4) == 1
    finally:
        release.set()
        other.join()


def _tagged(value: int, message: str) -> str:
    return f"{value}{message}"


@needs_fork
def test_every_piece_is_completed_with_the_message_given_at_the_end() -> None:
    with parallel.Spread(square, _tagged, list(range(9)), [1] * 9, workers=3) as spread:
        assert spread.finish("!") == [f"{n * n}!" for n in range(9)]


@needs_fork
def test_workers_begin_before_the_message_is_known(tmp_path: Path) -> None:
    def mark(n: int) -> int:
        (tmp_path / f"{n}-{os.getpid()}").touch()
        return n

    with parallel.Spread(mark, _tagged, list(range(4)), [1] * 4, workers=2) as spread:
        deadline = time.monotonic() + 30
        while not [p for p in tmp_path.iterdir() if not p.name.endswith(f"-{os.getpid()}")]:
            assert time.monotonic() < deadline, "no worker began"
            time.sleep(0.01)
        assert spread.finish("?") == ["0?", "1?", "2?", "3?"]


@needs_fork
def test_an_unfinished_spread_leaves_no_worker_behind() -> None:
    with pytest.raises(KeyError):
        with parallel.Spread(square, _tagged, list(range(8)), [1] * 8, workers=3):
            raise KeyError("the caller failed before finishing")
    assert multiprocessing.active_children() == []


def _fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


@needs_fork
def test_a_piece_that_fails_in_a_worker_fails_in_the_caller() -> None:
    with pytest.raises(ValueError, match="three"):
        parallel.map_balanced(_fails_on_three, list(range(6)), [1] * 6, workers=2)
    assert multiprocessing.active_children() == []


@needs_fork
def test_more_pieces_than_the_queue_holds_are_handed_out_in_batches() -> None:
    items = list(range(parallel._QUEUE_RECORDS + 500))
    assert parallel.map_balanced(square, items, [1] * len(items), workers=2) == [n * n for n in items]


def test_one_process_computes_everything_in_order() -> None:
    with parallel.Spread(_pid_of, _tagged, list(range(3)), [1] * 3, workers=1) as spread:
        assert spread.finish("") == [str(os.getpid())] * 3


def _slow_square(n: int) -> int:
    time.sleep(0.1)
    return n * n


def _stamped(tmp_path: Path, step: str, n: int) -> None:
    (tmp_path / f"{step}-{n}-{os.getpid()}-{time.monotonic_ns()}").touch()


def _steps_of_worker(tmp_path: Path) -> dict[str, list[int]]:
    """When each step ran in the worker (the one process other than this one)."""
    times: dict[str, list[int]] = {"work": [], "complete": []}
    for path in tmp_path.iterdir():
        step, _, pid, stamp = path.name.split("-")
        if int(pid) != os.getpid():
            times[step].append(int(stamp))
    return times


@needs_fork
def test_a_worker_completes_each_piece_as_soon_as_it_has_the_message(tmp_path: Path) -> None:
    def work(n: int) -> int:
        _stamped(tmp_path, "work", n)
        return _slow_square(n)

    def complete(value: int, message: str) -> str:
        _stamped(tmp_path, "complete", value)
        return f"{value}{message}"

    with parallel.Spread(work, complete, list(range(8)), [1] * 8, workers=2) as spread:
        assert spread.finish("!") == [f"{n * n}!" for n in range(8)]
    worker = _steps_of_worker(tmp_path)
    assert len(worker["work"]) >= 2, "the worker should have taken several pieces"
    assert min(worker["complete"]) < max(worker["work"])


_failed_once: list[int] = []


def _fails_once_away_from_home(value: int, _: object) -> str:
    if os.getpid() != _HOME and not _failed_once:
        _failed_once.append(value)
        raise RuntimeError("cannot complete")
    return f"{value}@{os.getpid()}"


@needs_fork
def test_a_piece_a_worker_cannot_complete_is_redone_here_and_its_others_are_kept() -> None:
    with parallel.Spread(_slow_square, _fails_once_away_from_home, list(range(8)), [1] * 8, workers=2) as spread:
        results = spread.finish(None)
    assert [r.split("@")[0] for r in results] == [str(n * n) for n in range(8)]
    assert {r.split("@")[1] for r in results} - {str(os.getpid())}, "no piece kept from the worker"


def _stamped_pid(tmp_path: Path, n: int) -> int:
    _stamped(tmp_path, "work", n)
    return os.getpid()


def _wait_for_work(control: parallel.Connection) -> None:
    while not control.poll():
        time.sleep(0.005)


def _dies(control: parallel.Connection) -> None:
    os._exit(3)


def _pieces_five_and_six(item: int) -> bool:
    return item in (5, 6)


def _no_piece(item: int) -> bool:
    return False


def _has_ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return os.waitpid(pid, os.WNOHANG) != (0, 0)


@needs_fork
def test_a_helper_handed_the_work_does_the_pieces_it_has_begun_first(tmp_path: Path) -> None:
    helper = parallel.spawn(_wait_for_work, _pieces_five_and_six)
    with parallel.Spread(functools.partial(_stamped_pid, tmp_path), _tagged, list(range(8)), [1] * 8, workers=2, helper=helper) as spread:
        pids = spread.finish("")
    assert pids[5] == pids[6] == str(helper.pid)
    done = sorted((int(stamp), int(n)) for step, n, pid, stamp in (p.name.split("-") for p in tmp_path.iterdir())
                  if int(pid) == helper.pid)
    assert {n for _, n in done[:2]} == {5, 6}


@needs_fork
def test_a_helper_takes_pieces_from_the_queue_in_place_of_a_forked_worker() -> None:
    helper = parallel.spawn(_wait_for_work, _no_piece)
    with parallel.Spread(_slow_pid_of, _tagged, list(range(4)), [1] * 4, workers=2, helper=helper) as spread:
        assert set(spread.finish("")) == {str(os.getpid()), str(helper.pid)}


@needs_fork
def test_a_helper_not_needed_is_let_go() -> None:
    helper = parallel.spawn(_wait_for_work, _pieces_five_and_six)
    with parallel.Spread(_pid_of, _tagged, list(range(8)), [1] * 8, workers=1, helper=helper) as spread:
        assert spread.finish("") == [str(os.getpid())] * 8
    deadline = time.monotonic() + 30
    while not _has_ended(helper.pid):
        assert time.monotonic() < deadline, "the helper is still running"
        time.sleep(0.01)


@needs_fork
def test_a_helper_that_died_before_the_work_came_is_replaced() -> None:
    helper = parallel.spawn(_dies, _pieces_five_and_six)
    time.sleep(0.1)
    with parallel.Spread(square, _tagged, list(range(8)), [1] * 8, workers=2, helper=helper) as spread:
        assert spread.finish("?") == [f"{n * n}?" for n in range(8)]


@needs_fork
def test_an_unfinished_spread_lets_its_helper_end() -> None:
    helper = parallel.spawn(_wait_for_work, _pieces_five_and_six)
    with pytest.raises(KeyError):
        with parallel.Spread(_slow_square, _tagged, list(range(8)), [1] * 8, workers=2, helper=helper):
            raise KeyError("the caller failed before finishing")
    assert _has_ended(helper.pid)


def test_a_pipe_connection_carries_whole_messages_and_ends() -> None:
    readable, writable = os.pipe()
    receiver, sender = parallel.FdConnection(readable), parallel.FdConnection(writable)
    assert not receiver.poll()
    sender.send_bytes(b"one")
    sender.send_bytes(b"")
    assert receiver.poll()
    assert [receiver.recv_bytes(), receiver.recv_bytes()] == [b"one", b""]
    sender.close()
    with pytest.raises(EOFError):
        receiver.recv_bytes()
    receiver.close()
