from __future__ import annotations

import os
import sys
import threading

import pytest

from checker import parallel

needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked only on Linux")


def square(n: int) -> int:
    return n * n


def test_balance_spreads_the_largest_items_first_over_the_lightest_bucket() -> None:
    assert parallel.balance([5, 1, 4, 2, 3], 2) == [[0, 1, 3], [2, 4]]


def test_balance_keeps_every_index_once() -> None:
    buckets = parallel.balance([3] * 7, 3)
    assert sorted(i for bucket in buckets for i in bucket) == list(range(7))


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


@needs_fork
def test_work_runs_in_other_processes_too() -> None:
    pids = parallel.map_balanced(_pid_of, list(range(4)), [1] * 4, workers=2)
    assert os.getpid() in pids and len(set(pids)) == 2


def _unpicklable_away_from_home(n: int) -> object:
    return n if os.getpid() == _HOME else (lambda: n)


_HOME = os.getpid()


@needs_fork
def test_what_a_worker_cannot_send_back_is_computed_here() -> None:
    assert parallel.map_balanced(_unpicklable_away_from_home, [1, 2, 3, 4], [1] * 4, workers=2) == [1, 2, 3, 4]


def _crash_away_from_home(n: int) -> int:
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
