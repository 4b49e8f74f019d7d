"""Stopping within a time budget: past it, processes are dropped as the BEAM halts.

The kernel stops its runtime this way on shutdown (jupyter_client sends SIGTERM
2.5 s after asking), so 100,000 processes cannot make it miss the deadline.
These tests count what runs, never time it (benchmarks/shutdown.py does).
"""
from __future__ import annotations

import gc
import sys

from beamlab.runtime import MockClock, Runtime, receive, sleep, spawn


def runtime_with_waiting_processes(n: int, cleaned: list):
    def waiter():
        try:
            receive()
        finally:
            cleaned.append(1)

    rt = Runtime(clock=MockClock(autojump=True))
    rt.start()

    def start():
        for _ in range(n):
            spawn(waiter)
        sleep(0.1)       # every one of them is now waiting in receive

    rt.run_as(rt.new_process(), start)
    return rt


def test_stop_without_a_budget_lets_every_process_run_its_cleanup():
    cleaned: list = []
    rt = runtime_with_waiting_processes(200, cleaned)
    rt.stop()
    assert len(cleaned) == 200


def test_stop_with_no_time_to_unwind_drops_every_process_without_running_its_code():
    cleaned: list = []
    rt = runtime_with_waiting_processes(1000, cleaned)
    stdout = sys.stdout
    rt.stop(unwind=0.0)
    assert cleaned == []
    assert rt.processes() == []
    assert sys.stdout is not stdout            # the runtime's stdout wrapper is gone: restored


def test_halted_processes_are_never_resumed_by_the_garbage_collector():
    cleaned: list = []
    rt = runtime_with_waiting_processes(100, cleaned)
    rt.stop(unwind=0.0)
    del rt
    gc.collect()
    assert cleaned == []


def test_a_generous_budget_is_the_same_as_none():
    cleaned: list = []
    rt = runtime_with_waiting_processes(100, cleaned)
    rt.stop(unwind=60.0)
    assert len(cleaned) == 100
